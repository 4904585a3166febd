/**
 * Served as the 'electron' module to the BUILT main bundle (dist/main/index.js) by
 * ./resolve-electron.ts, so the bundle can start under plain Node. It is the same typed stand-in
 * as in the unit tests. Once the app has started (the core's first change has rebuilt the tray
 * menu, and the token agent listens), it reports what it sees on stdout (one JSON line) and quits the app the way the tray's
 * Quit does; `will-quit` then ends the process, as in Electron.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeElectron } from '../fake-electron.ts';
import type { Dialog } from 'electron';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { electron, world, ipc } = createFakeElectron({ appPath: root, platform: process.platform });

/**
 * What index.ts and electron-store use beyond the app's typed ports: electron-store registers its
 * own listener with `ipcMain.on`, index.ts removes it again, and shows an error box on failure.
 */
const listeners = new Map<string, unknown[]>();
const ipcMainExtras = {
  on(channel: string, listener: (...args: unknown[]) => void) {
    listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    return ipcMain;
  },
  removeAllListeners(channel?: string) {
    if (channel === undefined) listeners.clear();
    else listeners.delete(channel);
    return ipcMain;
  },
};
const dialogExtras = {
  showErrorBox(title: string, content: string): void {
    process.stderr.write(`error box: ${title}: ${content}\n`);
  },
} satisfies Pick<Dialog, 'showErrorBox'>;
export const ipcMain = Object.assign(electron.ipcMain, ipcMainExtras);
export const dialog = Object.assign(electron.dialog, dialogExtras);
export const { app, BrowserWindow, Tray, Menu, Notification, powerMonitor, nativeTheme, shell, clipboard, ClipboardItem, protocol, session } = electron;
export default { ...electron, ipcMain, dialog };

world.app.on('will-quit', () => setImmediate(() => process.exit(0)));
// app.exit() (how a command-line run ends) ends the process at once, as in Electron.
const recordExit = world.app.exit.bind(world.app);
world.app.exit = (code?: number): void => {
  recordExit(code);
  process.exit(code ?? 0);
};

const started = Date.now();
const poll = setInterval(() => {
  const tray = world.trays[0];
  // The menu is built once at setup and again when core.start() reports its first change; the
  // app's code after start() runs in microtasks, so it is done by the time this timer fires.
  // …and the token agent listens (when the test gave it a folder).
  const agentDir = process.env.OPENEO_AUTH_TRAY_AGENT_DIR;
  const agentSocket = agentDir ? join(agentDir, 'agent.sock') : undefined;
  const running = tray !== undefined && tray.menusSet >= 2 && (agentSocket === undefined || existsSync(agentSocket));
  if (!running && Date.now() - started < 20_000) return;
  clearInterval(poll);
  const menu = tray?.menu;
  void (async () => {
    // The window's page as the app's own scheme serves it (what Chromium would load).
    const serve = world.protocolHandlers.get('app');
    const pageUrl = world.windows[0]?.loadedUrl;
    const page = serve && pageUrl ? await serve(new Request(pageUrl)) : null;
    process.stdout.write(`${JSON.stringify({
      trayMenu: menu?.labels() ?? null,
      tooltip: world.trays[0]?.tooltip ?? null,
      windows: world.windows.map((w) => ({ url: w.loadedUrl, webPreferences: w.options.webPreferences })),
      page: page ? { status: page.status, csp: page.headers.get('content-security-policy'), html: (await page.text()).slice(0, 200) } : null,
      schemes: world.schemes,
      channels: ipc.channels(),
      listenerChannels: [...listeners.keys()].sort(),
      userData: world.app.paths.get('userData'),
      agentSocket: agentSocket !== undefined && existsSync(agentSocket) ? agentSocket : null,
    })}\n`);
    world.app.quit();
  })();
}, 20);
