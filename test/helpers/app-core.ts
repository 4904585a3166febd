/**
 * The real app core for tests: real settings file in a temp folder, the real keychain (the test
 * run's private gnome-keyring), the real oidc-provider and fixture backend. Only what Electron
 * would provide (clipboard, notifications, openExternal, login items) is recorded in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppCore, type AppCore } from '../../src/main/core/tray-app/app-core.ts';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { createLogger } from '../../src/main/core/log.ts';
import type { TrayNotification } from '../../src/main/core/notifications/notification.ts';
import { systemClock, systemTimers, type Clock, type FetchLike, type SecretStore, type Timers } from '../../src/main/core/ports.ts';
import type { OpenEoAuthApi } from '../../src/shared/api.ts';
import type { AppCoreDeps } from '../../src/main/core/tray-app/services.ts';
import { startFixtureBackend, type FixtureBackend, type FixtureBackendOptions } from '../fixtures/openeo-backend.ts';
import { startTestIdp, type TestIdp, type TestIdpOptions } from '../fixtures/oidc-provider.ts';

export interface AppCoreHarness {
  api: OpenEoAuthApi;
  core: AppCore;
  idp: TestIdp;
  backend: FixtureBackend;
  dir: string;
  clipboard: { text: string; writes: number };
  notifications: TrayNotification[];
  opened: string[];
  startAtLogin: boolean[];
  stop(): Promise<void>;
}

export interface AppCoreOptions {
  idp?: TestIdpOptions;
  /** An IdP the caller started already (e.g. to put a proxy in front of it first); stopped with the rest. */
  startedIdp?: TestIdp;
  backend?: Omit<FixtureBackendOptions, 'idp'>;
  clock?: Clock & Timers;
  /** The keychain port; default the real keychain adapter (the run's private keyring). */
  secrets?: SecretStore;
  /** The app's fetch port; default the global fetch. */
  fetch?: FetchLike;
  /** The app's environment (e.g. OPENEO_AUTH_TRAY_TIMEOUT); default empty. */
  env?: NodeJS.ProcessEnv;
  /**
   * Serve the fixture backend under this https host as well (e.g. openeo.dataspace.copernicus.eu),
   * as a hosts-file entry would: requests to that origin go to the fixture; nothing else changes.
   */
  backendHost?: string;
  /** Called with the settings folder before the core starts (e.g. to put a settings file there). */
  prepare?: (dir: string) => void;
  /** Serve the token agent (its folder, and how the person is asked); default: no agent. */
  agent?: AppCoreDeps['agent'];
}

/** Starts the IdP, the backend and the app core (started); `stop()` ends them and removes the settings folder. */
export async function startAppCore(opts: AppCoreOptions = {}): Promise<AppCoreHarness> {
  // With a fake clock, the IdP counts refresh_expires_in on it (an absolute end stays absolute).
  const fake = opts.clock;
  const idp = opts.startedIdp ?? await startTestIdp({ ...opts.idp, ...(fake ? { appClock: () => fake.now() } : {}) });
  const backend = await startFixtureBackend({ idp, ...(opts.backend ?? {}) });
  const alias = opts.backendHost ? `https://${opts.backendHost}` : undefined;
  const inner: FetchLike = opts.fetch ?? globalThis.fetch;
  const fetch: FetchLike | undefined = alias
    ? (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      return inner(url.origin === alias ? `${backend.url}${url.pathname}${url.search}` : input, init);
    }
    : opts.fetch;
  const dir = mkdtempSync(join(tmpdir(), 'oat-app-'));
  opts.prepare?.(dir);
  const clipboard = { text: '', writes: 0 };
  const notifications: TrayNotification[] = [];
  const opened: string[] = [];
  const startAtLogin: boolean[] = [];
  const core = createAppCore({
    dir,
    secrets: opts.secrets ?? createKeytarSecretStore(),
    clock: opts.clock ?? systemClock,
    timers: opts.clock ?? systemTimers,
    log: createLogger({ file: join(dir, 'logs', 'app.log'), level: 'info' }),
    clipboard: {
      readText: () => clipboard.text,
      writeText: (text) => {
        clipboard.text = text;
        clipboard.writes++;
      },
    },
    openExternal: async (url) => {
      opened.push(url);
    },
    notify: (n) => notifications.push(n),
    setStartAtLogin: (enabled) => startAtLogin.push(enabled),
    pythonStorePath: join(dir, 'python', 'refresh-tokens.json'),
    env: opts.env ?? {},
    ...(fetch ? { fetch } : {}),
    ...(opts.agent ? { agent: opts.agent } : {}),
  });
  await core.start();
  return {
    api: core.api,
    core,
    idp,
    backend,
    dir,
    clipboard,
    notifications,
    opened,
    startAtLogin,
    async stop() {
      core.stop();
      // The agent lets go of its sockets and writes what scripts did before its folders go.
      if (opts.agent) await core.idle();
      await backend.stop();
      await idp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
