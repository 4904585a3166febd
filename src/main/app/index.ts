/**
 * The Electron main process: the only file that imports 'electron'. First it decides from the
 * arguments alone whether this start is the tray app or one run of the command line (launch.ts):
 * the command line runs in cli-mode.ts and exits, before anything else exists. Otherwise it hands
 * Electron's modules and the real core to startTrayApp (start.ts), which sets everything up in order.
 *
 * Settings go through electron-store (conf with Electron's defaults). The CLI writes the same file
 * directly, with the same checks, lock and atomic rename, to stay fast. electron-store's constructor registers `ipcMain.on('electron-store-get-data')`, which
 * would answer outside our one IPC wrapper; we need no renderer-side store, so that listener is
 * removed as soon as the store exists, and main listens only on our own channels.
 */
import {
  app, BrowserWindow, clipboard, ClipboardItem, dialog, ipcMain, Menu, nativeTheme, Notification, powerMonitor, protocol, session, shell, Tray,
} from 'electron';
import ElectronStore from 'electron-store';
import { createAppCore } from '../core/tray-app/app-core.ts';
import { createKeytarSecretStore } from '../core/keychain/keytar-store.ts';
import { spawnSync } from 'node:child_process';
import { logProcessFailures, setupLogging } from './logging.ts';
import { startTrayApp, type TrayAppElectron } from './start.ts';
import { headlessRelaunchArgs, launchMode, userArgs } from './launch.ts';
import { runCliMode } from './cli-mode.ts';
import { electronUpdaterPort, loadElectronUpdater } from './updater.ts';

// Compile-time proof that the parts the app is written against are Electron's own.
const electron = {
  app, BrowserWindow, clipboard, ClipboardItem, dialog, ipcMain, Menu, nativeTheme, Notification, powerMonitor, protocol, session, shell, Tray,
} satisfies TrayAppElectron;

/** electron-store's own renderer channel; we do not use it (see above). */
const ELECTRON_STORE_CHANNEL = 'electron-store-get-data';

const args = userArgs(process.argv, app.isPackaged);
const launch = launchMode(args);
const relaunch = headlessRelaunchArgs(launch, args, process.env, process.platform);
if (relaunch) {
  // Synchronously, before Chromium looks for a display it would not find (see launch.ts).
  // (In development the app's folder comes first, as `electron <folder>` was given it.)
  const again = spawnSync(process.execPath, [...process.argv.slice(1, app.isPackaged ? 1 : 2), ...relaunch], { stdio: 'inherit' });
  process.exit(again.status ?? 1);
} else if (launch.mode === 'cli') {
  void runCliMode(app, {
    args: launch.args,
    env: process.env,
    platform: process.platform,
    runCli: async (cliArgs, io) => (await import('../cli/run-cli.ts')).runCli(cliArgs, io),
  });
} else {
  startApp();
}

function startApp(): void {
  const log = setupLogging({ env: process.env, echo: !app.isPackaged });
  logProcessFailures(log);
  // Ctrl+C on `npm start`, or a session ending: quit the same way as from the menu.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  startTrayApp(electron, {
    createAppCore,
    secrets: () => createKeytarSecretStore(),
    log,
    env: process.env,
    platform: process.platform,
    argv: process.argv,
    execPath: process.execPath,
    Store: ElectronStore,
    loadUpdater: async () => {
      const updater = await loadElectronUpdater(log);
      return updater ? electronUpdaterPort(updater) : null;
    },
  }).then(() => {
    ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL);
  }).catch((e: unknown) => {
    log('error', 'openEO Auth Tray could not start.', e);
    dialog.showErrorBox('openEO Auth Tray could not start', `${e instanceof Error ? e.message : String(e)}\n\nThe log is in ${log.file ?? 'the log folder'}.`);
    app.exit(1);
  });
}
