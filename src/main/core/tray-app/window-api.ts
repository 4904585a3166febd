/**
 * The window's API (src/shared/api.ts) on the real core. Every method resolves with a Result:
 * errors are converted once here, with the raw error going to the log.
 */
import type { BackendChoice, BrowserLoginStarted, CopyWhat, CreditsView, ForwardList, ForwardView, IdentityStatus, OpenEoAuthApi, SettingsView } from '../../../shared/api.ts';
import type { Result } from '../../../shared/result.ts';
import { AuthTrayError, toAuthTrayError } from '../errors.ts';
import { secretKey, type Identity } from '../../../shared/model.ts';
import { isOpenableUrl } from '../external-url.ts';
import { addServiceAccount, browserIdentityLogin, defaultIdentityLabel, startDeviceIdentityLogin, type LoginRequest } from '../session/login.ts';
import { identityNotFound } from '../session/identity-records.ts';
import { signOut } from '../session/sign-out.ts';
import { renameIdentity } from '../session/rename.ts';
import { pythonSnippet } from '../tray/python-snippet.ts';
import { creditsView } from './credits.ts';
import { jobsApi } from './jobs-api.ts';
import { appAgent, forwardList, forwardView } from './forwards.ts';
import { aboutView } from './about.ts';
import { scriptsSetting } from '../agent/script-access.ts';
import type { AppServices } from './services.ts';

type Fail = Extract<Result<never>, { ok: false }>;

function failure(e: unknown): Fail {
  const err = toAuthTrayError(e);
  return { ok: false, code: err.code, message: err.message, ...(err.nextStep ? { nextStep: err.nextStep } : {}) };
}

export function createWindowApi(s: AppServices): OpenEoAuthApi {
  const { deps } = s;
  const tokens = () => s.session().tokens;
  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<Result<T>> => {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      deps.log(isExpected(e) ? 'info' : 'warn', `${what} failed`, e);
      return failure(e);
    }
  };
  const loginRequest = (req: LoginRequest): LoginRequest => {
    if (!req.identityId) return req;
    const identity = tokens().identity(req.identityId);
    return { ...req, backendUrl: identity.backendUrl, providerId: req.providerId ?? identity.providerId };
  };
  const finished = async (identity: Identity) => {
    s.lifecycle().reportSuccess(identity.id);
    s.lifecycle().reevaluate();
    s.jobs().refreshNow(identity.id).catch((e: unknown) => s.deps.log('warn', `${identity.id}: listing batch jobs after the sign-in failed`, e));
    s.announce({ type: 'login-completed', identityId: identity.id });
    s.changed();
  };
  const row = (identityId: string): IdentityStatus => {
    const found = s.statuses().find((r) => r.id === identityId);
    if (!found) throw identityNotFound(identityId);
    return found;
  };
  const jobs = jobsApi(s);
  const tokenText = async (identityId: string, what: CopyWhat): Promise<string> => {
    const service = tokens();
    if (what === 'python-snippet') {
      const row = s.statuses().find((r) => r.id === identityId);
      if (!row) throw identityNotFound(identityId);
      return pythonSnippet(row, deps.cliCommand ? { command: deps.cliCommand } : {});
    }
    if (what === 'refresh-token') {
      const token = await deps.secrets.get(secretKey(identityId, 'refresh_token'));
      if (!token) throw new AuthTrayError('SECRET_MISSING', 'This login has no refresh token in the keychain.', { nextStep: 'Sign in again.' });
      return token;
    }
    const token = await service.accessToken(identityId);
    const bearer = service.bearer(token.identity, token.accessToken);
    return what === 'access-token' ? token.accessToken : what === 'bearer' ? bearer : `Authorization: Bearer ${bearer}`;
  };

  return {
    listIdentities: () => guard('listing identities', async () => s.statuses()),
    discoverBackend: (backendUrl) => guard('discovering the backend', async () => {
      const http = tokens().http();
      const { discoverBackend } = await import('../openeo/discovery.ts');
      const { fetchOidcProviders, providerFlows, chooseProvider } = await import('../openeo/providers.ts');
      const backend = await discoverBackend(backendUrl, http);
      const providers = await fetchOidcProviders(backend, http);
      const preferred = chooseProvider(providers, { env: deps.env ?? process.env }).id;
      const choice: BackendChoice = {
        backendUrl: backend.inputUrl,
        apiUrl: backend.apiUrl,
        apiVersion: backend.apiVersion,
        ...(backend.title ? { title: backend.title } : {}),
        defaultLabels: {
          personal: defaultIdentityLabel({ backendUrl: backend.inputUrl, ...(backend.title ? { backendTitle: backend.title } : {}) }, 'personal'),
          serviceAccount: defaultIdentityLabel({ backendUrl: backend.inputUrl, ...(backend.title ? { backendTitle: backend.title } : {}) }, 'client-credentials'),
        },
        providers: providers.map((p) => ({
          id: p.id,
          title: p.title,
          issuer: p.issuer,
          ...(p.description ? { description: p.description } : {}),
          flows: providerFlows(p),
          isDefault: p.id === preferred,
        })),
      };
      return choice;
    }),
    startDeviceLogin: (request) => guard('starting a device login', async () => {
      const abort = new AbortController();
      const handle = await startDeviceIdentityLogin(s.session(), { ...loginRequest(request), signal: abort.signal });
      const loginId = s.logins.add(abort, handle.done, request.identityId);
      if (request.identityId) s.changed();
      const a = handle.authorization;
      return { loginId, verificationUri: a.verificationUri, verificationUriComplete: a.verificationUriComplete, userCode: a.userCode, expiresAt: a.expiresAt, interval: a.interval, ...(a.warning ? { warning: a.warning } : {}) };
    }),
    startBrowserLogin: (request) => guard('starting a browser login', async (): Promise<BrowserLoginStarted> => {
      const abort = new AbortController();
      let sent!: (to: { url: string; opened: boolean }) => void;
      const sentTo = new Promise<{ url: string; opened: boolean }>((resolve) => { sent = resolve; });
      const done = browserIdentityLogin(s.session(), {
        ...loginRequest(request),
        signal: abort.signal,
        // A browser that does not open is no reason to give up: the window offers the page to open or copy.
        openBrowser: (url) => deps.openExternal(url).then(() => sent({ url, opened: true }), (e: unknown) => {
          deps.log('warn', 'the browser did not open for a sign-in', e);
          sent({ url, opened: false });
        }),
      });
      done.catch(() => undefined); // observed through awaitLogin
      // The sign-in page exists once the app listens for the browser's answer; what fails before is said now.
      const to = await Promise.race([sentTo, done.then(() => sentTo)]);
      const loginId = s.logins.add(abort, done, request.identityId);
      if (request.identityId) s.changed();
      return { loginId, signInUrl: to.url, browserOpened: to.opened };
    }),
    awaitLogin: (loginId) => guard('signing in', async () => {
      try {
        const identity = await s.logins.wait(loginId);
        await finished(identity);
        return { identityId: identity.id };
      } finally {
        s.changed();
      }
    }),
    cancelLogin: (loginId) => guard('cancelling a sign-in', async () => {
      s.logins.cancel(loginId);
      return null;
    }),
    addServiceAccount: (request) => guard('adding a service account', async () => {
      const identity = await addServiceAccount(s.session(), { ...loginRequest(request), clientId: request.clientId, clientSecret: request.clientSecret });
      await finished(identity);
      return { identityId: identity.id };
    }),
    refreshNow: (identityId) => guard('refreshing', async () => {
      try {
        await tokens().accessToken(identityId, { force: true });
        s.lifecycle().reportSuccess(identityId);
      } catch (e) {
        s.lifecycle().reportError(identityId, e);
        throw e;
      } finally {
        s.changed();
      }
      return row(identityId);
    }),
    signOut: (identityId, revoke) => guard('signing out', async () => {
      const outcome = await signOut(s.session(), identityId, { revoke });
      s.agent()?.forgetIdentity(identityId);
      if (outcome.revocationProblem) deps.log('info', `${identityId}: ${outcome.revocationProblem}`);
      s.lifecycle().reevaluate();
      s.changed();
      return null;
    }),
    renameIdentity: (identityId, label) => guard('renaming a login', async () => {
      await renameIdentity(s.store(), identityId, label);
      s.changed();
      return row(identityId);
    }),
    copy: (identityId, what) => guard('copying', async () => {
      const text = await tokenText(identityId, what);
      const secret = what !== 'python-snippet';
      if (!secret) {
        deps.clipboard.writeText(text);
        return { clearsInSeconds: 0 };
      }
      return { clearsInSeconds: Math.round(s.clipboard.copy(text).clearsInMs / 1000) };
    }),
    copyText: (text) => guard('copying', async () => {
      deps.clipboard.writeText(text);
      return { clearsInSeconds: 0 };
    }),
    getCredits: (identityId) => guard('reading credits', async (): Promise<CreditsView> => creditsView(s, identityId)),
    listJobs: (identityId, page) => guard('listing batch jobs', () => jobs.listJobs(identityId, page)),
    refreshJobs: (identityId, jobIds) => guard('refreshing batch jobs', () => jobs.refreshJobs(identityId, jobIds)),
    getJob: (identityId, jobId) => guard('reading a batch job', () => jobs.getJob(identityId, jobId)),
    getSettings: () => guard('reading settings', async (): Promise<SettingsView> => ({ ...s.store().getSettings() })),
    updateSettings: (patch) => guard('saving settings', async (): Promise<SettingsView> => {
      const before = s.store().getSettings();
      const after = await s.store().updateSettings(patch);
      if (after.startAtLogin !== before.startAtLogin) {
        try {
          deps.setStartAtLogin(after.startAtLogin);
        } catch (e) {
          // The OS refused: put the setting back so the window never shows what is not true.
          await s.store().updateSettings({ startAtLogin: before.startAtLogin });
          throw e;
        }
      }
      if (after.pythonSync !== before.pythonSync) {
        for (const identity of s.store().listIdentities()) {
          if (identity.pythonSync) await s.store().updateIdentity(identity.id, { pythonSync: { ...identity.pythonSync, enabled: after.pythonSync } });
        }
      }
      if (after.checkForUpdates !== before.checkForUpdates) s.updates()?.settingsChanged();
      s.lifecycle().reevaluate();
      s.changed();
      return { ...after };
    }),
    openExternal: (url) => guard('opening a link', async () => {
      if (!isOpenableUrl(url)) {
        throw new AuthTrayError('INSECURE_URL', 'Only https links (or local http ones) are opened.', { nextStep: 'Copy the address and open it yourself if you trust it.' });
      }
      await deps.openExternal(url);
      return null;
    }),
    openLogFolder: () => guard('opening the log folder', async () => {
      if (!deps.openLogFolder) throw new AuthTrayError('INTERNAL', 'This app has no log folder to open.');
      await deps.openLogFolder();
      return null;
    }),
    setScriptAccess: (identityId, access) => guard('changing whether scripts may use a login', async () => {
      await s.store().updateIdentity(identityId, { scripts: scriptsSetting(access) });
      // An "Allow for 1 hour" given under the old setting must not outlive it.
      s.agent()?.forgetAnswers(identityId);
      s.changed();
      return row(identityId);
    }),
    listForwards: () => guard('listing forwards', async (): Promise<ForwardList> => forwardList(s)),
    createForward: (identityIds, forSeconds) => guard('starting a forward', async (): Promise<ForwardView> =>
      forwardView(await appAgent(s).createForward(identityIds, forSeconds * 1000))),
    stopForward: (forwardId) => guard('stopping a forward', async () => ({ stopped: await appAgent(s).stopForward(forwardId) })),
    getAbout: () => guard('reading what the app is', async () => aboutView(s.updates(), s.commandLine)),
    checkForUpdates: () => guard('looking for an update', async () => {
      const updates = s.updates();
      return updates ? await updates.checkNow() : aboutView(undefined, s.commandLine).updates;
    }),
    installUpdate: () => guard('installing the update', async () => ({ restarting: (await s.updates()?.installNow()) ?? false })),
    installCommandLine: () => guard('installing the command line tool', () => s.commandLine.install((n) => deps.notify(n))),
    onIdentitiesChanged: (listener) => s.onChange(() => listener(s.statuses())),
    onNavigate: (listener) => s.onNavigate(listener),
  };
}

function isExpected(e: unknown): boolean {
  return e instanceof AuthTrayError && e.code !== 'INTERNAL';
}
