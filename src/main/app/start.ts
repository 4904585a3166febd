/**
 * Starts the tray app in order: folders and the single-instance lock before Electron is ready;
 * then the core (with the token agent, whose questions are native message boxes), the window,
 * IPC, the tray, notifications and power events; and a quit that stops every timer. Takes the
 * Electron parts as an argument (index.ts passes the real ones, tests the typed stand-in), so
 * this file never imports 'electron'.
 */
import { execFile } from 'node:child_process';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, Dock, Protocol, Shell } from 'electron';
import type { AppCore, createAppCore } from '../core/tray-app/app-core.ts';
import type { AppCoreDeps } from '../core/tray-app/services.ts';
import { AuthTrayError, toAuthTrayError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { systemClock, systemTimers, type Clock, type FetchLike, type SecretStore, type TimerHandle, type Timers } from '../core/ports.ts';
import { logDir, settingsDir } from '../core/settings/paths.ts';
import { agentDir } from '../core/agent/agent-folder.ts';
import type { Navigation } from '../../shared/api.ts';
import { PUSH_CHANNELS } from '../../shared/channels.ts';
import { electronClipboard, type ClipboardElectron } from './clipboard.ts';
import { setupIpc, type IpcElectron } from './ipc.ts';
import { setupNotifications, type NotificationsElectron } from './notifications.ts';
import { setupPower, type PowerElectron } from './power.ts';
import { claimSingleInstance } from './single-instance.ts';
import { launchedAtLogin, setupStartAtLogin } from './start-at-login.ts';
import { setupTray, type TrayController, type TrayElectron } from './tray.ts';
import { denyAllPermissions, guardWebContents, isSafeExternalUrl, type PermissionSession } from './web-guards.ts';
import { PAGE_URL, registerAppScheme, serveAppFiles } from './app-protocol.ts';
import { APP_FILES, setupWindows, type WindowController, type WindowsElectron } from './windows.ts';
import { dialogAsk, type ScriptQuestionsElectron } from './script-questions.ts';
import type { UpdaterPort } from '../core/updates/updater-port.ts';
import { confirmUpdate } from './update-dialog.ts';

/** Windows groups notifications and taskbar entries by this id; it is electron-builder's appId. */
export const APP_USER_MODEL_ID = 'eu.openeo.authtray';
/** Chromium's own files (caches, the single-instance lock) live here, inside our settings folder. */
export const ELECTRON_DATA_FOLDER = 'electron';
/** Longest wait at quit for the clipboard to be cleared. */
export const QUIT_GRACE_MS = 1_000;

export type AppPort = Pick<
  App,
  | 'requestSingleInstanceLock' | 'on' | 'quit' | 'whenReady' | 'setPath' | 'setAppLogsPath' | 'enableSandbox'
  | 'setAppUserModelId' | 'getAppPath' | 'isPackaged' | 'setLoginItemSettings' | 'getLoginItemSettings' | 'focus'
> & { readonly dock: Pick<Dock, 'hide'> | undefined };

/** Every Electron part the app uses: index.ts passes Electron's own modules, tests the typed stand-in. */
export interface TrayAppElectron
  extends TrayElectron, WindowsElectron, NotificationsElectron, IpcElectron, PowerElectron, ClipboardElectron, ScriptQuestionsElectron {
  app: AppPort;
  shell: Pick<Shell, 'openExternal' | 'openPath'>;
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
  session: { readonly defaultSession: PermissionSession };
}

export interface TrayAppDeps {
  createAppCore: typeof createAppCore;
  /** The keychain (createKeytarSecretStore), created once Electron is ready. */
  secrets(): SecretStore;
  log: Logger;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  argv: readonly string[];
  execPath: string;
  clock?: Clock;
  timers?: Timers;
  fetch?: FetchLike;
  /** The settings store class: electron-store in the app (conf's engine with Electron's defaults). */
  Store?: AppCoreDeps['Store'];
  /** The updater (updater.ts over electron-updater), asked for only in an installed app; null when the build has none. */
  loadUpdater?(): Promise<UpdaterPort | null>;
  /** The user's home folder (the AppImage's command goes to its ~/.local/bin). */
  home?: string;
}

/** Runs a program to its end (the administrator prompt of macOS's osascript waits for the person). */
function runProgram(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10 * 60_000 }, (e: Error | null) => (e ? reject(e) : resolve()));
  });
}

export interface TrayApp {
  core: AppCore;
  windows: WindowController;
  tray: TrayController;
}

/** Shows the log folder in the file manager; `openPath` answers with an error message, empty when it worked. */
async function openLogFolder(shell: Pick<Shell, 'openPath'>, folder: string): Promise<void> {
  const problem = await shell.openPath(folder);
  if (problem) {
    throw new AuthTrayError('INTERNAL', `The file manager did not open the log folder (${problem}).`, { nextStep: `Open ${folder} yourself.` });
  }
}

/** Sets Electron's folders. Must run before the single-instance lock and before `ready`. */
function placeFolders(app: AppPort, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): void {
  // One folder for everything of ours (overridable with OPENEO_AUTH_TRAY_HOME): a dev build and
  // an installed one then share one lock, and a test home never meets the user's running tray.
  app.setPath('userData', join(settingsDir(env, platform), ELECTRON_DATA_FOLDER));
  app.setAppLogsPath(logDir(env, platform));
}

/**
 * Starts the app. Resolves to null when another instance is running (this one then quits).
 */
export async function startTrayApp(electron: TrayAppElectron, deps: TrayAppDeps): Promise<TrayApp | null> {
  const { app } = electron;
  const { log, platform, env } = deps;

  placeFolders(app, env, platform);
  let windows: WindowController | undefined;
  let showWhenReady: Navigation | undefined;
  const show = (to?: Navigation): void => {
    if (windows) windows.show(to);
    else showWhenReady = to ?? { page: 'accounts' };
  };
  if (!claimSingleInstance(electron, () => show())) {
    log('info', 'openEO Auth Tray is already running; handing over to it.');
    app.quit();
    return null;
  }
  app.enableSandbox();
  // The window's page comes from the app's own scheme, never file:// (app-protocol.ts).
  registerAppScheme(electron.protocol);
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  // A tray app: closing its window does not quit it.
  app.on('window-all-closed', () => {});

  let core: AppCore | undefined;
  const openFromPage = (url: string): void => {
    if (!core) return;
    core.api.openExternal(url).then((r) => {
      if (!r.ok) log('warn', `A link was not opened: ${r.message}`);
    }, (e: unknown) => log('error', 'Opening a link failed.', e));
  };
  const appPath = app.getAppPath();
  const pageUrl = PAGE_URL;
  // Every webContents, ours included, gets the guards the moment it exists.
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents, { pageUrl, openExternal: openFromPage, log: (m) => log('warn', m) });
  });

  await app.whenReady();
  serveAppFiles(electron.protocol, join(appPath, APP_FILES.rendererDir), log);
  if (platform === 'darwin') app.dock?.hide();
  denyAllPermissions(electron.session.defaultSession, (m) => log('warn', m));

  const timers = deps.timers ?? systemTimers;
  const clock = deps.clock ?? systemClock;
  const clipboard = electronClipboard(electron, log, platform);
  const notifier = setupNotifications(electron, { appPath, platform, log, showWindow: (to) => show(to) });
  // The app serves the token agent while it runs (not on Windows, which has no private socket).
  const agentFolder = agentDir(env, platform);
  // Updates only for an installed app: `npm start` never loads the updater (core/updates says why).
  const updater = app.isPackaged && deps.loadUpdater ? await deps.loadUpdater() : null;
  core = deps.createAppCore({
    dir: settingsDir(env, platform),
    secrets: deps.secrets(),
    clock,
    timers,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.Store ? { Store: deps.Store } : {}),
    log,
    env,
    clipboard,
    openExternal: async (url) => {
      // The core checked it already; checked again right before the OS gets it.
      if (!isSafeExternalUrl(url)) throw new AuthTrayError('INSECURE_URL', 'Only https: addresses are opened in the browser.');
      await electron.shell.openExternal(url);
    },
    notify: (n) => notifier.notify(n),
    setStartAtLogin: setupStartAtLogin(electron, { platform, env, execPath: deps.execPath, log }),
    openLogFolder: () => openLogFolder(electron.shell, logDir(env, platform)),
    ...(agentFolder === null ? {} : { agent: { dir: agentFolder, ask: dialogAsk(electron, { appPath, platform, clock, log }) } }),
    commandLine: {
      context: { platform, env, execPath: deps.execPath, isPackaged: app.isPackaged, home: deps.home ?? homedir() },
      install: { run: runProgram, tmpdir: tmpdir() },
    },
    updates: { updater, isPackaged: app.isPackaged, confirm: (update) => confirmUpdate(electron, update) },
  });
  const appCore = core;

  windows = setupWindows(electron, {
    appPath,
    platform,
    devTools: !app.isPackaged,
    log,
    ...(platform === 'darwin' ? { focusApp: () => app.focus({ steal: true }) } : {}),
    // Countdowns on screen: access tokens kept fresh while the window shows them.
    onVisibleChange: (visible) => appCore.setWindowVisible(visible),
  });
  const stopIpc = setupIpc(electron, { api: appCore.api, isOurSender: (event) => windows.isOurSender(event), log });
  const tray = setupTray(electron, {
    core: appCore, appPath, platform, log, showWindow: () => show(), quit: () => app.quit(),
  });
  const stopNavigate = appCore.onNavigate((to) => show(to));
  const stopPush = appCore.onChange(() => windows?.push(PUSH_CHANNELS.identitiesChanged, appCore.statuses()));
  const stopPower = setupPower(electron, appCore, log);

  const stopAll = (): void => {
    log('info', 'Quitting: stopping every timer.');
    stopPower();
    stopPush();
    stopNavigate();
    stopIpc();
    tray.destroy();
    notifier.closeAll();
    appCore.stop(); // also clears the clipboard if it still holds a secret we copied
  };
  let quitting: 'no' | 'stopping' | 'done' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'done') return;
    event.preventDefault();
    if (quitting === 'stopping') return;
    quitting = 'stopping';
    stopAll();
    // Let the last clipboard clear reach the OS, but never hold the quit up for long.
    let grace: TimerHandle | undefined;
    const waited = new Promise<void>((resolve) => {
      grace = timers.setTimeout(resolve, QUIT_GRACE_MS);
    });
    // …and let a settings write or refresh already under way finish, within the same grace.
    void Promise.race([Promise.all([clipboard.settled(), appCore.idle()]), waited]).then(() => {
      if (grace) timers.clearTimeout(grace);
      quitting = 'done';
      app.quit();
    });
  });

  try {
    await appCore.start();
  } catch (e) {
    log('error', 'The app could not start its logins.', e);
    const problem = toAuthTrayError(e);
    // Said out loud, not only logged: a damaged settings file was kept aside, and the person
    // should know where before the app starts afresh.
    notifier.notify({ title: 'openEO Auth Tray: settings problem', body: problem.sentence, onClick: { page: 'settings' }, urgency: 'critical' });
    if (problem.code === 'SETTINGS_CORRUPT') {
      await appCore.start().catch((again: unknown) => log('error', 'The app could not start with fresh settings either.', again));
    }
  }
  log('info', 'openEO Auth Tray is running.');

  if (showWhenReady) show(showWhenReady);
  else if (!launchedAtLogin(deps.argv, electron, platform) && appCore.statuses().length === 0) {
    // Nothing to keep alive yet, and some desktops hide tray icons: show where to begin.
    show({ page: 'add' });
  }
  return { core: appCore, windows, tray };
}
