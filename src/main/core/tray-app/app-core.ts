/**
 * The tray app's core: settings, keychain, token service, lifecycle, job tracker, clipboard and
 * notifications put together, without Electron. The Electron layer passes in what only it has
 * (clipboard, notifications, openExternal, login items) and wires the result to Tray, Menu and IPC.
 */
import type { Navigation, OpenEoAuthApi } from '../../../shared/api.ts';
import { createClipboardGuard } from '../clipboard/clipboard-guard.ts';
import { isAuthTrayError, toAuthTrayError } from '../errors.ts';
import { createJobTracker, type JobTracker } from '../jobs/job-tracker.ts';
import type { LifecycleEvent } from '../lifecycle/host.ts';
import { TokenLifecycle } from '../lifecycle/lifecycle.ts';
import type { IdentityStatus } from '../../../shared/model.ts';
import { notificationFor, setAsideNotification } from '../notifications/notification.ts';
import type { NotifiableEvent } from '../notifications/events.ts';
import type { KeychainHealth } from '../ports.ts';
import { identityStatuses } from '../session/status.ts';
import type { SessionContext } from '../session/session-context.ts';
import { openSession } from '../session/open-session.ts';
import { openSettingsStore, type SettingsStore } from '../settings/store.ts';
import { buildTrayMenu } from '../tray/menu.ts';
import type { TrayAction, TrayMenuItem } from '../tray/menu-item.ts';
import { trayLook, type TrayLook } from '../../../shared/status/look.ts';
import { DEFAULT_SETTINGS, warningThresholdsMs } from '../../../shared/settings.ts';
import { trayTooltip } from '../tray/tooltip.ts';
import { createWindowApi } from './window-api.ts';
import { LoginRegistry } from './logins.ts';
import type { AppCoreDeps, AppServices } from './services.ts';
import { createTokenAgent, type TokenAgent } from '../agent/token-agent.ts';
import { VERSION } from '../../../shared/version.ts';
import { createUpdateChecker, type UpdateChecker } from '../updates/update-checker.ts';
import type { UpdateState } from '../updates/update-state.ts';
import { CommandLine } from './about.ts';

export interface AppCore {
  readonly api: OpenEoAuthApi;
  statuses(): IdentityStatus[];
  trayMenu(): TrayMenuItem[];
  trayTooltip(): string;
  trayLook(): TrayLook;
  runTrayAction(action: TrayAction): Promise<void>;
  onChange(listener: () => void): () => void;
  onNavigate(listener: (to: Navigation) => void): () => void;
  resume(): void;
  /**
   * The window is shown (or hidden): while it shows access-token countdowns they are kept fresh;
   * otherwise background refreshes only keep logins alive and tokens are fetched on demand.
   */
  setWindowVisible(visible: boolean): void;
  start(): Promise<void>;
  stop(): void;
  /**
   * Resolves when refreshes, job listings and settings writes already under way have finished;
   * after stop(), also the token agent's stop (for quitting). Before stop() it stops nothing.
   */
  idle(): Promise<void>;
}

export function createAppCore(deps: AppCoreDeps): AppCore {
  const changeListeners = new Set<() => void>();
  const navigateListeners = new Set<(to: Navigation) => void>();
  let store: SettingsStore | undefined;
  let session: SessionContext | undefined;
  let lifecycle: TokenLifecycle | undefined;
  let jobs: JobTracker | undefined;
  let health: KeychainHealth = { ok: true };
  let stopping: AbortController | undefined;
  let windowVisible = false;
  let agent: TokenAgent | undefined;
  let agentProblem: { code: string; message: string } | null = null;
  let agentStarted: Promise<void> | undefined;
  /** Set by stop(): the agent's stop, which idle() then waits for. */
  let agentStopped: Promise<void> | undefined;
  let updates: UpdateChecker | undefined;
  const logins = new LoginRegistry();
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is used before start()`);
    return v;
  };
  const thresholdsMs = () => warningThresholdsMs(store?.getSettings() ?? DEFAULT_SETTINGS);
  const clipboard = createClipboardGuard({
    clipboard: deps.clipboard,
    timers: deps.timers,
    clearAfterMs: () => (store?.getSettings().clipboardClearSeconds ?? DEFAULT_SETTINGS.clipboardClearSeconds) * 1000,
  });

  const statuses = (): IdentityStatus[] => {
    if (!store || !lifecycle) return [];
    const signingIn = logins.signingIn();
    const rows = identityStatuses(store.listIdentities(), deps.clock.now(), {
      health,
      thresholdsMs: thresholdsMs(),
      // Scripts reach a login only through the agent: without one (Windows) there is nothing to say.
      ...(deps.agent ? { scriptUse: (id: string) => agent?.scriptUse(id) ?? null } : {}),
    });
    return rows.map((row) => {
      const detail = lifecycle!.detail(row.id);
      if (signingIn.has(row.id)) return { ...row, state: 'signing-in' as const };
      if (!detail || row.state === 'keychain-unavailable') return row;
      return { ...row, state: detail.state, offlineSince: detail.offlineSince, problem: detail.problem ?? row.problem };
    });
  };
  // A script may ask many times a second: the tray and the window redraw at most once a second for it.
  const agentChanged = atMostEvery(1_000, deps.timers, () => changed());
  const changed = () => {
    for (const l of changeListeners) {
      try {
        l();
      } catch (e) {
        deps.log('warn', 'a change listener failed', e);
      }
    }
  };
  const navigate = (to: Navigation) => {
    for (const l of navigateListeners) l(to);
  };
  const announce = (event: NotifiableEvent) => {
    const row = statuses().find((s) => s.id === event.identityId);
    if (!row || !store) return;
    const n = notificationFor(event, row, deps.clock.now(), { notificationsEnabled: store.getSettings().notificationsEnabled });
    if (n) deps.notify(n);
  };
  const checkKeychain = async () => {
    const before = health.ok;
    health = await deps.secrets.health().catch((e: unknown) => ({ ok: false as const, reason: 'unavailable' as const, message: e instanceof Error ? e.message : String(e) }));
    if (before !== health.ok) changed();
    return health;
  };

  const commandLine = new CommandLine(deps.commandLine, deps.log, () => changed());
  /** A new version is ready: said once per version, and the tray's menu offers the restart. */
  let announcedUpdate: string | null = null;
  const onUpdate = (state: UpdateState): void => {
    if (state.kind === 'ready' && announcedUpdate !== state.version) {
      announcedUpdate = state.version;
      deps.notify({
        title: `openEO Auth Tray ${state.version} is ready`,
        body: 'Choose "Restart to update…" in the tray menu: it shows what is new first.',
        onClick: { page: 'settings' },
        urgency: 'normal',
      });
    }
    changed();
  };

  const services: AppServices = {
    deps,
    store: () => need(store, 'the settings store'),
    session: () => need(session, 'the session'),
    lifecycle: () => need(lifecycle, 'the lifecycle'),
    jobs: () => need(jobs, 'the job tracker'),
    clipboard,
    logins,
    statuses,
    changed,
    navigate,
    announce,
    keychainHealth: () => health,
    checkKeychain,
    agent: () => agent,
    agentProblem: () => agentProblem,
    updates: () => updates,
    commandLine,
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onNavigate(listener) {
      navigateListeners.add(listener);
      return () => navigateListeners.delete(listener);
    },
  };
  const api = createWindowApi(services);
  const updateReady = (): Extract<UpdateState, { kind: 'ready' }> | null => {
    const state = updates?.state();
    return state?.kind === 'ready' ? state : null;
  };

  const onLifecycleEvent = (event: LifecycleEvent) => {
    if (event.type === 'state-changed') {
      changed();
      return;
    }
    announce(event);
    changed();
  };

  return {
    api,
    statuses,
    trayMenu: () => buildTrayMenu(statuses(), deps.clock.now(), {
      jobs: Object.fromEntries((store?.listIdentities() ?? []).map((i) => [i.id, jobs?.jobs(i.id) ?? []])),
      clipboardClearSeconds: store?.getSettings().clipboardClearSeconds ?? DEFAULT_SETTINGS.clipboardClearSeconds,
      ...(deps.agent ? { agent: { forwards: agent?.forwards() ?? [], problem: agentProblem } } : {}),
      ...(commandLine.menuEntry() ? { commandLine: commandLine.menuEntry()! } : {}),
      ...(updateReady() ? { update: { label: `Restart to update to ${updateReady()!.version}…` } } : {}),
    }),
    trayTooltip: () => trayTooltip(statuses(), deps.clock.now()),
    trayLook: () => trayLook(statuses(), deps.clock.now()),
    runTrayAction: (action) => runTrayAction(services, api, action),
    onChange: (listener) => services.onChange(listener),
    onNavigate: (listener) => services.onNavigate(listener),
    resume() {
      updates?.resume();
      void checkKeychain().then(() => lifecycle?.reevaluate({ retryNow: true }));
      jobs?.refreshNow().catch((e: unknown) => deps.log('warn', 'listing batch jobs after a resume failed', e));
    },
    setWindowVisible(visible) {
      if (visible === windowVisible) return;
      windowVisible = visible;
      lifecycle?.reevaluate();
    },
    async start() {
      store = openSettingsStore({ dir: deps.dir, ...(deps.Store ? { Store: deps.Store } : {}) });
      // Entries that could not be read were moved aside at opening; the rest works. Say which.
      const aside = setAsideNotification(store.takeSetAside());
      if (aside) {
        deps.log('warn', aside.body);
        deps.notify(aside);
      }
      const env = deps.env ?? process.env;
      const s = store;
      // Every request of the app goes through the token service's HTTP layer: the user's timeout
      // (OPENEO_AUTH_TRAY_TIMEOUT, as for the CLI) and an abort when the app stops.
      stopping = new AbortController();
      const opened = openSession({
        dir: deps.dir,
        env,
        identities: s,
        secrets: deps.secrets,
        clock: deps.clock,
        log: deps.log,
        signal: stopping.signal,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.pythonStorePath ? { pythonStorePath: deps.pythonStorePath } : {}),
      });
      if (opened.timeoutProblem) deps.log('warn', opened.timeoutProblem);
      session = opened;
      const { tokens } = session;
      lifecycle = new TokenLifecycle({
        clock: deps.clock,
        timers: deps.timers,
        thresholdsMs,
        accessDemand: () => windowVisible,
        log: (message, error) => deps.log('warn', message, error),
        host: {
          listIdentities: () => s.listIdentities(),
          refreshAccess: async (id) => {
            await tokens.accessToken(id, { force: true });
          },
          markWarningsSent: async (id, sent) => {
            await s.updateIdentity(id, { warningsSent: sent });
          },
          markExpired: async (id, at) => {
            await s.updateIdentity(id, { expiredAt: at });
          },
          onEvent: onLifecycleEvent,
        },
      });
      const lc = lifecycle;
      jobs = createJobTracker({
        clock: deps.clock,
        timers: deps.timers,
        identities: () => s.listIdentities().map((i) => i.id),
        canPoll: (id) => ['active', 'expiring-soon'].includes(lc.status(id) ?? ''),
        listJobs: async (id) => {
          const token = await tokens.accessToken(id);
          const { listJobs } = await import('../openeo/api.ts');
          return listJobs(token.identity.apiUrl, tokens.bearer(token.identity, token.accessToken), tokens.http());
        },
        onTransition: (t) => {
          announce({ type: 'job', identityId: t.identityId, job: t.job, from: t.from });
          changed();
        },
        onError: (id, e) => {
          if (isAuthTrayError(e, 'TOKEN_INVALID')) lc.reevaluate();
          deps.log('info', `${id}: listing batch jobs failed`, e);
        },
      });
      await checkKeychain();
      if (deps.agent) {
        const a = createTokenAgent({
          tokens,
          identities: s,
          clock: deps.clock,
          timers: deps.timers,
          dir: deps.agent.dir,
          settingsFolder: deps.dir,
          servedBy: 'app',
          version: VERSION,
          ...(deps.agent.ask ? { ask: deps.agent.ask } : {}),
          log: deps.log,
          onChange: agentChanged.call,
        });
        agent = a;
        // Not awaited: taking over from a headless agent may take a few seconds.
        agentStarted = a.start().then(() => {
          agentProblem = null;
          changed();
        }, (e: unknown) => {
          const err = toAuthTrayError(e);
          agentProblem = { code: err.code, message: err.sentence };
          deps.log('warn', 'the token agent did not start', e);
          changed();
        });
      }
      if (deps.updates) {
        updates = createUpdateChecker({
          ...deps.updates,
          automatic: () => s.getSettings().checkForUpdates,
          clock: deps.clock,
          timers: deps.timers,
          log: deps.log,
          onChange: onUpdate,
        });
        updates.start();
      }
      void commandLine.look().catch((e: unknown) => deps.log('warn', 'looking at the command line tool failed', e));
      lifecycle.start();
      jobs.start().catch((e: unknown) => deps.log('warn', 'the first listing of batch jobs failed', e));
      changed();
    },
    async idle() {
      // The job tracker's listings refresh tokens too (under the lock, in the settings folder).
      // After stop(), the agent's answers under way and its record of what scripts did as well.
      await Promise.all([lifecycle?.idle(), jobs?.idle(), session?.tokens.idle(), agentStopped]);
      await session?.tokens.idle();
    },
    stop() {
      // Requests under way end now: a refresh waiting for a hung IdP lets go of its lock.
      stopping?.abort(new Error('openEO Auth Tray is quitting'));
      logins.cancelAll();
      agentChanged.cancel();
      // The agent stops listening; answers under way finish (idle() waits for them).
      agentStopped ??= agentStarted?.then(() => agent?.stop()).catch((e: unknown) => deps.log('warn', 'stopping the token agent failed', e));
      lifecycle?.stop();
      jobs?.stop();
      updates?.stop();
      clipboard.dispose();
    },
  };
}

async function runTrayAction(services: AppServices, api: OpenEoAuthApi, action: TrayAction): Promise<void> {
  switch (action.type) {
    case 'copy':
      await api.copy(action.identityId, action.what);
      return;
    case 'refresh':
      await api.refreshNow(action.identityId);
      return;
    case 'sign-out':
      await api.signOut(action.identityId, true);
      return;
    case 'sign-in-again':
      services.navigate({ page: 'add', identityId: action.identityId });
      return;
    case 'open-window':
      services.navigate({ page: action.page, ...(action.identityId ? { identityId: action.identityId } : {}) });
      return;
    case 'add-account':
      services.navigate({ page: 'add' });
      return;
    case 'settings':
      services.navigate({ page: 'settings' });
      return;
    case 'stop-forward':
      await api.stopForward(action.forwardId);
      return;
    case 'install-command-line':
      // The tray asked for confirmation already; the outcome is a notification either way.
      await services.commandLine.install((n) => services.deps.notify(n)).catch((e: unknown) => {
        const err = toAuthTrayError(e);
        services.deps.notify({ title: 'The command line tool was not installed', body: err.sentence, onClick: { page: 'settings' }, urgency: 'normal' });
      });
      return;
    case 'install-update':
      await services.updates()?.installNow();
      return;
    case 'quit':
      return; // the Electron layer quits the app
  }
}

/** `fn` at once, then at most once per `ms` (a call in between runs once when the time is up); `cancel` drops a pending one. */
function atMostEvery(ms: number, timers: AppCoreDeps['timers'], fn: () => void): { call: () => void; cancel: () => void } {
  let waiting: ReturnType<AppCoreDeps['timers']['setTimeout']> | undefined;
  let again = false;
  let stopped = false;
  const open = (): void => {
    waiting = timers.setTimeout(() => {
      waiting = undefined;
      if (again) {
        again = false;
        fn();
        open();
      }
    }, ms);
  };
  return {
    call: () => {
      if (waiting) {
        again = true;
        return;
      }
      fn();
      if (!stopped) open();
    },
    // For quitting: what comes after is passed on at once, without a timer.
    cancel: () => {
      stopped = true;
      if (waiting) timers.clearTimeout(waiting);
      waiting = undefined;
      again = false;
    },
  };
}
