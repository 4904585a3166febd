// Smoke test of the real app in the real Electron (Playwright `_electron.launch`): first start
// opens the window; the window has its security settings; the page has no Node and one bridge;
// the tray menu offers "Add account…"; a second launch hands over to the first.
//
// Run with `npm run test:electron` (scripts/test-electron.mjs: builds, gives the app a private
// keyring, keeps the display). Where the Electron binary is missing (machines that cannot
// download it), or there is no display, or no private keyring, the test reports itself SKIPPED
// with the reason — it never passes without running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const EXECUTABLE: Partial<Record<NodeJS.Platform, string>> = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe', linux: 'electron' };

/** Where the Electron executable is, or why there is none (node_modules/electron/index.js's rules). */
function electronExecutable(): { path: string } | { missing: string } {
  const pkgDir = join(root, 'node_modules', 'electron');
  const pathFile = join(pkgDir, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : override ? EXECUTABLE[process.platform] : undefined;
  const path = relative ? join(override || join(pkgDir, 'dist'), relative) : undefined;
  if (path && existsSync(path)) return { path };
  return { missing: `${path ?? join(pkgDir, 'dist')} does not exist; the npm package brings only electron.d.ts and the binary download from GitHub failed or never ran (\`npx install-electron\` fetches it)` };
}

const display = process.env.OPENEO_AUTH_TRAY_E2E_DISPLAY || process.env.DISPLAY;
const wayland = process.env.OPENEO_AUTH_TRAY_E2E_WAYLAND_DISPLAY || process.env.WAYLAND_DISPLAY;

function whySkip(): string | false {
  const electron = electronExecutable();
  if ('missing' in electron) return `skipped: Electron binary not available (${electron.missing})`;
  if (process.platform !== 'linux') return 'skipped: the smoke test needs the private test keyring, which scripts/with-private-keyring.sh makes on Linux only';
  if (process.env.OPENEO_AUTH_TRAY_TEST_KEYRING !== '1') return 'skipped: run it with `npm run test:electron`, which gives the app a private keyring';
  if (!display && !wayland) return 'skipped: no display (set DISPLAY, or run under `xvfb-run -a npm run test:electron`)';
  return false;
}

const skip = whySkip();

test('the tray app starts in Electron, hardened, with its window and tray menu', { skip, timeout: 120_000 }, async () => {
  const executablePath = (electronExecutable() as { path: string }).path;
  assert.ok(existsSync(join(root, 'dist/main/index.js')), 'dist/ is not built: run `npm run build` (npm run test:electron does)');
  const home = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-e2e-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    OPENEO_AUTH_TRAY_HOME: join(home, 'settings'),
    XDG_CONFIG_HOME: join(home, 'config'),
    OPENEO_AUTH_TRAY_AGENT_DIR: join(home, 'agent'),
    ...(display ? { DISPLAY: display } : {}),
    ...(wayland ? { WAYLAND_DISPLAY: wayland } : {}),
  };
  delete env.ELECTRON_RUN_AS_NODE;
  // Chromium refuses to run as root with its sandbox (CI containers); the renderer sandbox
  // preferences under test are unaffected.
  const args = [root, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
  let app: ElectronApplication | undefined;
  try {
    app = await _electron.launch({ executablePath, args, env, timeout: 60_000 });

    // First start, no accounts: the window opens by itself at "Add account".
    const page = await app.firstWindow({ timeout: 30_000 });
    await page.waitForLoadState('load');

    const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => {
      // Undocumented and absent from electron.d.ts, but Electron's own tests read it; null if gone.
      const contents = w.webContents as typeof w.webContents & { getLastWebPreferences?: () => Record<string, unknown> | null };
      return { url: w.webContents.getURL(), prefs: contents.getLastWebPreferences?.() ?? null };
    }));
    assert.equal(windows.length, 1);
    const [win] = windows;
    assert.equal(win!.url, 'app://openeo-auth-tray/index.html', 'served from the app\'s own scheme, not file://');
    if (win!.prefs) {
      const p = win!.prefs;
      assert.deepEqual(
        [p.contextIsolation, p.sandbox, p.nodeIntegration, p.nodeIntegrationInWorker, p.webSecurity, p.webviewTag],
        [true, true, false, false, true, false],
      );
      assert.match(String(p.preload), /dist[\\/]preload[\\/]preload\.cjs$/);
    }

    // The page itself (a string: this project's type check has no DOM library): no Node; the
    // bridge exists, which contextBridge allows only with contextIsolation on, is frozen, and is
    // not ipcRenderer; a strict CSP; no new windows.
    const seen = await page.evaluate<{ require: string; process: string; bridge: string[]; frozen: boolean; csp: string; popup: boolean }>(`(() => ({
      require: typeof globalThis.require,
      process: typeof globalThis.process,
      bridge: Object.keys(globalThis.openeoAuth ?? {}).sort(),
      frozen: Object.isFrozen(globalThis.openeoAuth),
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
      popup: window.open('https://example.org/') === null,
    }))()`);
    assert.equal(seen.require, 'undefined');
    assert.equal(seen.process, 'undefined');
    assert.ok(seen.bridge.includes('listIdentities') && seen.bridge.includes('onNavigate'), seen.bridge.join(','));
    assert.ok(!seen.bridge.includes('invoke') && !seen.bridge.includes('send'), 'ipcRenderer is never exposed');
    assert.equal(seen.frozen, true);
    assert.match(seen.csp, /default-src 'none'/);
    assert.equal(seen.popup, true, 'window.open is denied');

    // The tray menu: watch the next rebuild, then cause one through the window's bridge.
    await app.evaluate(({ Menu }) => {
      const g = globalThis as { __trayLabels?: string[][] };
      g.__trayLabels = [];
      const build = Menu.buildFromTemplate.bind(Menu);
      Menu.buildFromTemplate = (template) => {
        g.__trayLabels!.push(template.map((i) => String(('label' in i && i.label) || i.type)));
        return build(template);
      };
    });
    const saved = await page.evaluate<{ ok: boolean }>("globalThis.openeoAuth.updateSettings({ theme: 'dark' })");
    assert.equal(saved.ok, true, 'a request through the bridge reaches the core');
    const labels = await app.evaluate(() => (globalThis as { __trayLabels?: string[][] }).__trayLabels?.at(-1) ?? []);
    assert.ok(labels.includes('Add account…'), `tray menu: ${labels.join(' | ')}`);
    assert.ok(labels.includes('No accounts yet'));

    // A second launch hands over to this one and exits; still one window.
    const second = spawn(executablePath, args, { env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the second instance did not exit within 30 s')), 30_000);
      second.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0);
    assert.equal(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length), 1);
  } finally {
    await app?.close();
    rmSync(home, { recursive: true, force: true });
  }
});
