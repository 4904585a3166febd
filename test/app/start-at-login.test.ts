// Start at login: Electron's login items on macOS and Windows, an XDG autostart entry on Linux
// (where Electron's API does nothing); a start at login passes --hidden.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  autostartEntry, autostartPath, execArgument, HIDDEN_ARG, launchedAtLogin, loginCommand, setupStartAtLogin,
} from '../../src/main/app/start-at-login.ts';
import { createFakeElectron } from './fake-electron.ts';
import { APP_ROOT, recordingLogger } from './harness.ts';

describe('desktop entry Exec quoting', () => {
  test('plain arguments stay as they are; others are quoted and escaped as the spec says', () => {
    assert.equal(execArgument('/usr/bin/electron'), '/usr/bin/electron');
    assert.equal(execArgument('--hidden'), '--hidden');
    assert.equal(execArgument('/home/me/My Apps/tray'), '"/home/me/My Apps/tray"');
    // Inside quotes " ` $ \ get a backslash; then the key file doubles every backslash.
    assert.equal(execArgument('a"b'), '"a\\\\"b"');
    assert.equal(execArgument('$HOME'), '"\\\\$HOME"');
    assert.equal(execArgument('100%'), '100%%');
    assert.equal(execArgument(''), '""');
    assert.throws(() => execArgument('a\nb'), /line break/);
  });

  test('the entry runs the app hidden', () => {
    const entry = autostartEntry(['/opt/openEO Auth Tray/openeo-auth-tray', HIDDEN_ARG]);
    assert.match(entry, /^\[Desktop Entry\]\n/);
    assert.match(entry, /\nType=Application\n/);
    assert.match(entry, /\nExec="\/opt\/openEO Auth Tray\/openeo-auth-tray" --hidden\n/);
  });

  test('lives in $XDG_CONFIG_HOME/autostart, or ~/.config/autostart when that is unset or relative', () => {
    assert.equal(autostartPath({ XDG_CONFIG_HOME: '/x/config' }, '/home/me'), '/x/config/autostart/openeo-auth-tray.desktop');
    assert.equal(autostartPath({}, '/home/me'), '/home/me/.config/autostart/openeo-auth-tray.desktop');
    assert.equal(autostartPath({ XDG_CONFIG_HOME: 'relative' }, '/home/me'), '/home/me/.config/autostart/openeo-auth-tray.desktop');
  });

  test('the command: Electron plus the app folder in development, the AppImage file when packaged as one', () => {
    const base = { execPath: '/usr/lib/electron/electron', appPath: '/src/app', env: {} };
    assert.deepEqual(loginCommand({ ...base, isPackaged: false }), ['/usr/lib/electron/electron', '/src/app', HIDDEN_ARG]);
    assert.deepEqual(loginCommand({ ...base, isPackaged: true }), ['/usr/lib/electron/electron', HIDDEN_ARG]);
    assert.deepEqual(loginCommand({ ...base, isPackaged: true, env: { APPIMAGE: '/home/me/Tray.AppImage' } }), ['/home/me/Tray.AppImage', HIDDEN_ARG]);
  });
});

describe('switching it', () => {
  test('Linux: writes and removes the autostart entry (Electron\'s login items do nothing there)', () => {
    const home = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-autostart-'));
    try {
      const { electron, world } = createFakeElectron({ appPath: APP_ROOT });
      const set = setupStartAtLogin(electron, { platform: 'linux', env: { XDG_CONFIG_HOME: join(home, 'cfg') }, execPath: '/usr/lib/electron/electron', log: recordingLogger() });
      const file = join(home, 'cfg', 'autostart', 'openeo-auth-tray.desktop');
      set(true);
      assert.ok(existsSync(file));
      assert.match(readFileSync(file, 'utf8'), new RegExp(`\\nExec=/usr/lib/electron/electron ${APP_ROOT.replace(/\/$/, '')}/? --hidden\\n`));
      assert.equal(statSync(file).mode & 0o777, 0o644);
      set(false);
      assert.equal(existsSync(file), false);
      set(false); // already off: not an error
      assert.deepEqual(world.app.loginItems, []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('Linux: a failure is an AuthTrayError that says where', () => {
    const { electron } = createFakeElectron({ appPath: APP_ROOT });
    const home = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-autostart-'));
    try {
      const cfg = join(home, 'cfg'); // a file where the config folder should be
      writeFileSync(cfg, 'not a folder');
      const set = setupStartAtLogin(electron, { platform: 'linux', env: { XDG_CONFIG_HOME: cfg }, execPath: '/e', log: recordingLogger() });
      assert.throws(() => set(true), (e: { code?: string; message?: string }) => e.code === 'SETTINGS_WRITE_FAILED' && /autostart/.test(e.message ?? ''));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('Windows: a login item that runs the app hidden', () => {
    const { electron, world } = createFakeElectron({ appPath: APP_ROOT, platform: 'win32' });
    setupStartAtLogin(electron, { platform: 'win32', env: {}, execPath: 'C:\\e\\electron.exe', log: recordingLogger() })(true);
    assert.deepEqual(world.app.loginItems, [{ openAtLogin: true, path: 'C:\\e\\electron.exe', args: [APP_ROOT, HIDDEN_ARG] }]);
  });

  test('macOS: a plain login item', () => {
    const { electron, world } = createFakeElectron({ appPath: APP_ROOT, platform: 'darwin' });
    setupStartAtLogin(electron, { platform: 'darwin', env: {}, execPath: '/e', log: recordingLogger() })(false);
    assert.deepEqual(world.app.loginItems, [{ openAtLogin: false }]);
  });

  test('a start at login is recognised by --hidden, or on macOS by the login item', () => {
    const { electron, world } = createFakeElectron({ appPath: APP_ROOT, platform: 'darwin' });
    assert.equal(launchedAtLogin(['e', '.', HIDDEN_ARG], electron, 'linux'), true);
    assert.equal(launchedAtLogin(['e', '.'], electron, 'linux'), false);
    assert.equal(launchedAtLogin(['e'], electron, 'darwin'), false);
    world.app.wasOpenedAtLogin = true;
    assert.equal(launchedAtLogin(['e'], electron, 'darwin'), true);
    assert.equal(launchedAtLogin(['e'], electron, 'win32'), false);
  });
});
