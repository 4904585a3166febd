// The window and the guards on every webContents: hardened preferences written out, no
// navigation away, no new windows, no webviews, no permissions, links to the system browser only
// when they are https (or loopback http).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_FILES, WINDOW_BACKGROUND } from '../../src/main/app/windows.ts';
import { PAGE_URL } from '../../src/main/app/app-protocol.ts';
import { isAllowedNavigation, isOurPage, isSafeExternalUrl } from '../../src/main/app/web-guards.ts';
import { PUSH_CHANNELS } from '../../src/shared/channels.ts';
import { status } from '../helpers/identity-status.ts';
import { fakeEvent } from './fake-electron.ts';
import { APP_ROOT, settle, startOnFakes } from './harness.ts';

const PAGE = PAGE_URL;

describe('guards (pure)', () => {
  test('only https, or http on a loopback host, goes to the system browser', () => {
    const yes = ['https://openeo.example/jobs', 'http://127.0.0.1:8080/cb', 'http://localhost/x', 'http://[::1]/'];
    const no = [
      'http://openeo.example/', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,hi', 'ftp://x.example/',
      'https://user:pw@openeo.example/', 'smb://share/x', 'not a url', '', 42, null,
    ];
    for (const url of yes) assert.equal(isSafeExternalUrl(url), true, String(url));
    for (const url of no) assert.equal(isSafeExternalUrl(url), false, String(url));
  });

  test('our page is our app:// URL, with any fragment, and nothing else', () => {
    assert.equal(isOurPage(PAGE, PAGE), true);
    assert.equal(isOurPage(`${PAGE}#settings`, PAGE), true);
    const fileCopy = pathToFileURL(join(APP_ROOT, APP_FILES.page)).href;
    for (const url of [`${PAGE}?a=1`, PAGE.replace('index.html', 'other.html'), 'app://other-host/index.html', 'app://u:p@openeo-auth-tray/index.html',
      fileCopy, 'https://evil.example/', 'file:///etc/passwd', 'about:blank', 7]) {
      assert.equal(isOurPage(url, PAGE), false, String(url));
    }
    assert.equal(isAllowedNavigation('https://openeo.example/', PAGE), false);
  });
});

describe('the window', () => {
  test('is hardened, every security preference written out', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.electron.nativeTheme.shouldUseDarkColors = true;
    s.app!.windows.show();
    const o = s.window()!.options;
    assert.deepEqual(o.webPreferences, {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: true, // development: app.isPackaged is false
      preload: join(APP_ROOT, APP_FILES.preload),
    });
    assert.equal(o.show, false, 'hidden until painted');
    assert.equal(o.backgroundColor, WINDOW_BACKGROUND.dark);
    assert.deepEqual([o.width, o.height], [760, 560]);
  });

  test('tells the core when it is on screen (access-token countdowns are kept fresh only then)', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    s.window()!.finishLoad();
    s.window()!.minimize();
    s.app!.windows.show();
    s.window()!.close();
    assert.deepEqual(s.core.visibility, [true, false, true, false]);
  });

  test('has no DevTools when packaged', async (t) => {
    const s = await startOnFakes({ rows: [status()], beforeStart: (f) => { f.world.app.isPackaged = true; } });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    assert.equal(s.window()!.options.webPreferences?.devTools, false);
  });

  test('opens hidden with the built page and preload, and shows once painted', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    assert.equal(s.world.windows.length, 0, 'no window at start when there are identities');
    s.app!.windows.show();
    const win = s.window()!;
    assert.equal(win.options.webPreferences?.preload, join(APP_ROOT, APP_FILES.preload));
    assert.equal(win.options.webPreferences?.sandbox, true);
    assert.equal(win.loadedUrl, PAGE_URL, 'from the app\'s own scheme, never file://');
    assert.equal(win.visible, false);
    assert.equal(win.menuRemoved, true, 'no menu bar on Linux');
    win.finishLoad();
    assert.equal(win.visible, true);
  });

  test('is one window: shown again, restored when minimised, navigated once loaded', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show({ page: 'jobs', identityId: 'cdse-3f9a1c' });
    const win = s.window()!;
    assert.equal(win.webContents.sent.length, 0, 'navigation waits for the page');
    win.finishLoad();
    win.minimized = true;
    s.app!.windows.show({ page: 'settings' });
    assert.equal(s.world.windows.length, 1);
    assert.equal(win.minimized, false);
    assert.deepEqual(win.webContents.sent.filter((m) => m.channel === PUSH_CHANNELS.navigate).map((m) => m.args[0]),
      [{ page: 'jobs', identityId: 'cdse-3f9a1c' }, { page: 'settings' }]);
  });

  test('closing it keeps the app running; the next show makes a new one', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    s.window()!.close();
    s.world.app.emit('window-all-closed');
    assert.equal(s.world.app.quitCalls, 0);
    assert.equal(s.core.stops, 0);
    s.app!.windows.show();
    assert.equal(s.world.windows.length, 2);
  });

  test('keeps the menu bar on macOS (copy and paste keys live there)', async (t) => {
    const s = await startOnFakes({ platform: 'darwin', rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    assert.equal(s.window()!.menuRemoved, false);
    assert.ok(s.world.app.focused > 0, 'a Dock-less app takes focus to bring its window forward');
  });
});

describe('guards on every webContents', () => {
  test('navigation away is prevented; https links go to the system browser through the core', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    const contents = s.window()!.webContents;
    assert.equal(contents.navigate('will-navigate', 'https://openeo.example/docs'), true);
    assert.equal(contents.navigate('will-navigate', 'file:///etc/passwd'), true);
    assert.equal(contents.navigate('will-navigate', 'http://evil.example/'), true);
    assert.equal(contents.navigate('will-redirect', 'https://openeo.example/elsewhere'), true);
    assert.equal(contents.navigate('will-frame-navigate', 'https://evil.example/', false), true);
    assert.equal(contents.navigate('will-navigate', PAGE), false, 'reloading our own page is allowed');
    await settle();
    assert.deepEqual(s.core.apiCalls, [{ method: 'openExternal', args: ['https://openeo.example/docs'] }]);
  });

  test('window.open is always denied; an https URL opens in the system browser instead', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    const contents = s.window()!.webContents;
    for (const url of ['https://openeo.example/', 'javascript:alert(1)', 'http://evil.example/', 'file:///etc/passwd']) {
      assert.deepEqual(contents.windowOpen(url), { action: 'deny' }, url);
    }
    await settle();
    assert.deepEqual(s.core.apiCalls.map((c) => c.args[0]), ['https://openeo.example/']);
  });

  test('a webview cannot be attached, and any other webContents gets the same guards', async (t) => {
    const s = await startOnFakes();
    t.after(() => s.cleanup());
    const other = new s.electron.BrowserWindow({});
    const attach = fakeEvent();
    other.webContents.emit('will-attach-webview', attach, {}, {});
    assert.equal(attach.defaultPrevented, true);
    assert.equal(other.webContents.navigate('will-navigate', 'https://evil.example/'), true);
    assert.deepEqual(other.webContents.windowOpen('https://evil.example/'), { action: 'deny' });
  });

  test('no web permission is ever granted', async (t) => {
    const s = await startOnFakes();
    t.after(() => s.cleanup());
    const granted: boolean[] = [];
    const contents = new s.electron.BrowserWindow({}).webContents;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal'] as const) {
      // The handler ignores the webContents and details; Electron passes full objects there.
      (s.permissions.request as unknown as (w: unknown, p: string, cb: (g: boolean) => void, d: unknown) => void)(contents, permission, (g) => granted.push(g), {});
    }
    assert.deepEqual(granted, [false, false, false, false, false]);
    assert.equal((s.permissions.check as unknown as (w: null, p: string, o: string, d: object) => boolean)(null, 'clipboard-read', 'file://', {}), false);
  });

  test('the core decides what openExternal may open; the app checks again before the OS sees it', async (t) => {
    const s = await startOnFakes();
    t.after(() => s.cleanup());
    const deps = s.core.deps!;
    await deps.openExternal('https://openeo.example/');
    await assert.rejects(deps.openExternal('http://evil.example/'), { code: 'INSECURE_URL' });
    await assert.rejects(deps.openExternal('javascript:alert(1)'), { code: 'INSECURE_URL' });
    assert.deepEqual(s.world.opened, ['https://openeo.example/']);
  });
});
