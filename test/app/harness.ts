/**
 * Starts the Electron layer (startTrayApp) on the typed fake Electron, with a fake core (or the
 * real one), a temporary settings folder, a fake clock and a logger that keeps its lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppCore } from '../../src/main/core/tray-app/app-core.ts';
import type { AppCoreDeps } from '../../src/main/core/tray-app/services.ts';
import { createMemorySecretStore } from '../helpers/memory-store.ts';
import { createLogger, type Logger } from '../../src/main/core/log.ts';
import type { IdentityStatus } from '../../src/shared/model.ts';
import type { FetchLike, SecretStore } from '../../src/main/core/ports.ts';
import type { UpdaterPort } from '../../src/main/core/updates/updater-port.ts';
import { startTrayApp, type TrayApp } from '../../src/main/app/start.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { createFakeElectron, type FakeBrowserWindow, type FakeElectron, type FakeMenu, type FakeTray } from './fake-electron.ts';
import { FakeCore, fakeCoreFactory } from './fake-core.ts';

/** The repository root: the app folder (`app.getAppPath()`) in development, holding assets/. */
export const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

/** A logger that keeps its (redacted) lines in memory. */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', echo: (line) => lines.push(line) });
  return Object.assign(log, { lines });
}

export interface Started<C extends AppCore = FakeCore> extends FakeElectron {
  core: C;
  app: TrayApp | null;
  log: RecordingLogger;
  clock: FakeClock;
  home: string;
  env: NodeJS.ProcessEnv;
  /** The one tray icon. */
  tray(): FakeTray;
  /** The tray's current menu. */
  menu(): FakeMenu;
  /** The newest window, if any. */
  window(): FakeBrowserWindow | undefined;
  cleanup(): Promise<void>;
}

export interface StartOptions {
  platform?: NodeJS.Platform;
  argv?: string[];
  rows?: IdentityStatus[];
  hasLock?: boolean;
  /** Use this core factory instead of a FakeCore (e.g. the real createAppCore). */
  createAppCore?: (deps: AppCoreDeps) => AppCore;
  env?: NodeJS.ProcessEnv;
  secrets?: () => SecretStore;
  fetch?: FetchLike;
  /** The updater an installed app would load (start.ts asks only when `app.isPackaged`). */
  loadUpdater?: () => Promise<UpdaterPort | null>;
  /** The home folder (the AppImage's command goes to its ~/.local/bin); default: the test's folder. */
  home?: string;
  /** Runs on the fakes before the app starts (e.g. to set how the app was launched). */
  beforeStart?: (fake: FakeElectron, ctx: { env: NodeJS.ProcessEnv; clock: FakeClock }) => void | Promise<void>;
}

/** Starts the app on fakes. Call `cleanup()` at the end (removes the temporary folder). */
export async function startOnFakes<C extends AppCore = FakeCore>(opts: StartOptions = {}): Promise<Started<C>> {
  const home = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-app-'));
  const platform = opts.platform ?? 'linux';
  const fake = createFakeElectron({ appPath: APP_ROOT, platform });
  fake.world.app.hasLock = opts.hasLock ?? true;
  const fakeCore = new FakeCore();
  fakeCore.rows = opts.rows ?? [];
  const log = recordingLogger();
  const clock = new FakeClock();
  // Each app its own token agent folder: test files run in parallel and must never share a socket.
  const env: NodeJS.ProcessEnv = {
    OPENEO_AUTH_TRAY_HOME: join(home, 'settings'), XDG_CONFIG_HOME: join(home, 'config'), OPENEO_AUTH_TRAY_AGENT_DIR: join(home, 'agent'), ...opts.env,
  };
  await opts.beforeStart?.(fake, { env, clock });
  let core: AppCore = fakeCore;
  const createAppCore = opts.createAppCore
    ? (deps: AppCoreDeps) => (core = opts.createAppCore!(deps))
    : fakeCoreFactory(fakeCore);
  const app = await startTrayApp(fake.electron, {
    createAppCore,
    secrets: opts.secrets ?? (() => createMemorySecretStore()),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    log,
    env,
    platform,
    argv: opts.argv ?? ['/usr/lib/electron', APP_ROOT],
    execPath: '/usr/lib/electron/electron',
    clock,
    timers: clock,
    home: opts.home ?? join(home, 'home'),
    ...(opts.loadUpdater ? { loadUpdater: opts.loadUpdater } : {}),
  });
  const tray = (): FakeTray => {
    const only = fake.world.trays[0];
    if (!only || fake.world.trays.length !== 1) throw new Error(`expected one tray icon, found ${fake.world.trays.length}`);
    return only;
  };
  return {
    ...fake,
    core: core as C,
    app,
    log,
    clock,
    home,
    env,
    tray,
    menu() {
      const menu = tray().menu;
      if (!menu) throw new Error('the tray has no menu');
      return menu;
    },
    window: () => fake.world.windows.at(-1),
    // The core stops (its agent too) and its work under way (a settings write) finishes before the folder goes.
    cleanup: async () => {
      core.stop();
      await core.idle();
      rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}

/** Lets queued promise continuations run. */
export const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
