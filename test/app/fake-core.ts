/**
 * A stand-in AppCore for testing the Electron layer alone: its menu, tooltip and look come from
 * the core's real pure functions (buildTrayMenu, trayTooltip, trayLook) over status rows the test
 * sets; its API records each call and answers with a Result. The real core is exercised with the
 * fake Electron in app-core-wiring.test.ts.
 */
import type { Navigation, OpenEoAuthApi, Result } from '../../src/shared/api.ts';
import type { AppCore } from '../../src/main/core/tray-app/app-core.ts';
import type { AppCoreDeps } from '../../src/main/core/tray-app/services.ts';
import type { IdentityStatus } from '../../src/shared/model.ts';
import type { TrayAction } from '../../src/main/core/tray/menu-item.ts';
import { buildTrayMenu } from '../../src/main/core/tray/menu.ts';
import { trayLook } from '../../src/shared/status/look.ts';
import { trayTooltip } from '../../src/main/core/tray/tooltip.ts';
import { NOW } from '../helpers/identity-status.ts';

export interface ApiCall {
  method: string;
  args: unknown[];
}

export class FakeCore implements AppCore {
  rows: IdentityStatus[] = [];
  readonly apiCalls: ApiCall[] = [];
  readonly trayActions: TrayAction[] = [];
  resumes = 0;
  starts = 0;
  stops = 0;
  /** What `api.openExternal` answers (the real core refuses non-https itself). */
  openExternalAnswer: Result<null> = { ok: true, value: null };
  private readonly changeListeners = new Set<() => void>();
  private readonly navigateListeners = new Set<(to: Navigation) => void>();
  readonly api: OpenEoAuthApi;
  /** The deps the app gave createAppCore (set by {@link fakeCoreFactory}). */
  deps: AppCoreDeps | undefined;

  constructor() {
    const record = <T>(method: string, args: unknown[], value: T): Promise<Result<T>> => {
      this.apiCalls.push({ method, args });
      return Promise.resolve({ ok: true, value });
    };
    this.api = {
      listIdentities: () => record('listIdentities', [], this.rows),
      discoverBackend: (...a) => record('discoverBackend', a, { backendUrl: a[0], apiUrl: a[0], apiVersion: '1.2.0', providers: [], defaultLabels: { personal: 'Example', serviceAccount: 'Example service account' } }),
      startDeviceLogin: (...a) => record('startDeviceLogin', a, {
        loginId: 'login-1', verificationUri: 'https://idp.example/device', verificationUriComplete: null, userCode: 'ABCD', expiresAt: NOW, interval: 5,
      }),
      startBrowserLogin: (...a) => record('startBrowserLogin', a, { loginId: 'login-1', signInUrl: 'https://idp.example/auth?client_id=c', browserOpened: true }),
      awaitLogin: (...a) => record('awaitLogin', a, { identityId: 'cdse-3f9a1c' }),
      cancelLogin: (...a) => record('cancelLogin', a, null),
      addServiceAccount: (...a) => record('addServiceAccount', a, { identityId: 'svc-77aa01' }),
      refreshNow: (...a) => record('refreshNow', a, this.rows[0]!),
      signOut: (...a) => record('signOut', a, null),
      renameIdentity: (...a) => record('renameIdentity', a, { ...this.rows[0]!, label: a[1] }),
      copy: (...a) => record('copy', a, { clearsInSeconds: 30 }),
      copyText: (...a) => record('copyText', a, { clearsInSeconds: 0 }),
      getCredits: (...a) => record('getCredits', a, { identityId: a[0], kind: 'personal', budget: null, billingUrl: null, serviceAccount: null }),
      listJobs: (...a) => record('listJobs', a, { jobs: [], currency: null, next: null }),
      refreshJobs: (...a) => record('refreshJobs', a, { jobs: [] }),
      getJob: (...a) => record('getJob', a, { job: { id: a[1], status: 'created', created: '2025-01-01T00:00:00Z' }, currency: null, logs: { ok: true, entries: [], more: false }, results: null }),
      getSettings: () => record('getSettings', [], {
        notificationsEnabled: true, warningThresholds: [604_800], clipboardClearSeconds: 30, startAtLogin: false, pythonSync: false, theme: 'system', checkForUpdates: true,
      }),
      updateSettings: (...a) => record('updateSettings', a, {
        notificationsEnabled: true, warningThresholds: [604_800], clipboardClearSeconds: 30, startAtLogin: false, pythonSync: false, theme: 'system', checkForUpdates: true,
      }),
      openExternal: (...a) => {
        this.apiCalls.push({ method: 'openExternal', args: a });
        return Promise.resolve(this.openExternalAnswer);
      },
      openLogFolder: () => record('openLogFolder', [], null),
      setScriptAccess: (...a) => record('setScriptAccess', a, this.rows[0]!),
      listForwards: () => record('listForwards', [], { running: true, problem: null, forwards: [] }),
      getAbout: () => record('getAbout', [], { version: '0.1.0', updates: { kind: 'off', reason: 'development', message: 'Updates are off in a development run.' }, commandLine: { offered: false, how: 'npm link' } }),
      checkForUpdates: () => record('checkForUpdates', [], { kind: 'off', reason: 'development', message: 'Updates are off in a development run.' }),
      installUpdate: () => record('installUpdate', [], { restarting: false }),
      installCommandLine: () => record('installCommandLine', [], { offered: false, how: 'npm link' }),
      createForward: (...a) => record('createForward', a, { id: '0a1b2c3d', identities: [], until: NOW + 3_600_000, ssh: 'ssh -R /tmp/x.sock:/tmp/y.sock HOST' }),
      stopForward: (...a) => record('stopForward', a, { stopped: true }),
      onIdentitiesChanged: () => () => {},
      onNavigate: () => () => {},
    };
  }

  statuses(): IdentityStatus[] {
    return this.rows;
  }
  trayMenu() {
    return buildTrayMenu(this.rows, NOW, { clipboardClearSeconds: 30 });
  }
  trayTooltip(): string {
    return trayTooltip(this.rows, NOW, { locale: 'en-GB', timeZone: 'UTC' });
  }
  trayLook() {
    return trayLook(this.rows, NOW);
  }
  runTrayAction(action: TrayAction): Promise<void> {
    this.trayActions.push(action);
    // As the real core does: window actions become a navigation.
    if (action.type === 'open-window') this.navigate({ page: action.page, ...(action.identityId ? { identityId: action.identityId } : {}) });
    if (action.type === 'add-account') this.navigate({ page: 'add' });
    return Promise.resolve();
  }
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }
  onNavigate(listener: (to: Navigation) => void): () => void {
    this.navigateListeners.add(listener);
    return () => this.navigateListeners.delete(listener);
  }
  resume(): void {
    this.resumes += 1;
  }
  /** Every visibility the window layer reported, in order. */
  readonly visibility: boolean[] = [];
  setWindowVisible(visible: boolean): void {
    this.visibility.push(visible);
  }
  start(): Promise<void> {
    this.starts += 1;
    return Promise.resolve();
  }
  stop(): void {
    this.stops += 1;
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }

  /** Test side: the identities changed. */
  setRows(rows: IdentityStatus[]): void {
    this.rows = rows;
    for (const l of this.changeListeners) l();
  }
  navigate(to: Navigation): void {
    for (const l of this.navigateListeners) l(to);
  }
  get listenerCount(): number {
    return this.changeListeners.size + this.navigateListeners.size;
  }
}

/** A createAppCore that returns `core` and keeps the deps it was given. */
export function fakeCoreFactory(core: FakeCore): (deps: AppCoreDeps) => AppCore {
  return (deps) => {
    core.deps = deps;
    return core;
  };
}
