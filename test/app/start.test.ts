// App behaviour: one instance, folders, the first window, wake-ups, and a quit that stops
// everything (the tray app never quits because its window closed).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { APP_USER_MODEL_ID, ELECTRON_DATA_FOLDER } from '../../src/main/app/start.ts';
import { HIDDEN_ARG } from '../../src/main/app/start-at-login.ts';
import { PUSH_CHANNELS } from '../../src/shared/channels.ts';
import { status } from '../helpers/identity-status.ts';
import { settle, startOnFakes } from './harness.ts';

describe('single instance', () => {
  test('without the lock the app quits at once and starts nothing', async (t) => {
    const s = await startOnFakes({ hasLock: false });
    t.after(() => s.cleanup());
    assert.equal(s.app, null);
    assert.equal(s.world.app.quitCalls, 1);
    assert.equal(s.core.deps, undefined, 'no core was created');
    assert.equal(s.core.starts, 0);
    assert.deepEqual([s.world.trays.length, s.ipc.channels().length], [0, 0]);
  });

  test('a second launch brings the first one\'s window forward', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    assert.equal(s.world.windows.length, 0);
    s.world.app.emit('second-instance', {}, ['/usr/lib/electron', '.'], '/home/me', {});
    const win = s.window()!;
    win.finishLoad();
    assert.equal(win.visible, true);
    win.minimized = true;
    s.world.app.emit('second-instance', {}, [], '/', {});
    assert.equal(s.world.windows.length, 1, 'the same window');
    assert.equal(win.minimized, false);
    assert.ok(win.focusCount >= 2);
  });
});

describe('start', () => {
  test('Chromium\'s data and the lock live in our settings folder; logs in our log folder', async (t) => {
    const s = await startOnFakes();
    t.after(() => s.cleanup());
    assert.equal(s.world.app.paths.get('userData'), join(s.env.OPENEO_AUTH_TRAY_HOME!, ELECTRON_DATA_FOLDER));
    assert.equal(s.world.app.logsPath, join(s.env.OPENEO_AUTH_TRAY_HOME!, 'logs'));
    assert.equal(s.core.deps?.dir, s.env.OPENEO_AUTH_TRAY_HOME);
    assert.equal(s.world.app.sandboxed, true, 'every renderer sandboxed');
    assert.equal(s.core.starts, 1);
  });

  test('Windows gets the app user model id; macOS hides the Dock icon', async () => {
    const win = await startOnFakes({ platform: 'win32' });
    const mac = await startOnFakes({ platform: 'darwin' });
    try {
      assert.equal(win.world.app.appUserModelId, APP_USER_MODEL_ID);
      assert.equal(mac.world.app.dockHidden, 1);
    } finally {
      await win.cleanup();
      await mac.cleanup();
    }
  });

  test('with no accounts yet, the window opens at "Add account" — unless started at login', async () => {
    const first = await startOnFakes({ rows: [] });
    const atLogin = await startOnFakes({ rows: [], argv: ['/usr/lib/electron', '.', HIDDEN_ARG] });
    const known = await startOnFakes({ rows: [status()] });
    try {
      const win = first.window()!;
      win.finishLoad();
      assert.deepEqual(win.webContents.sent.filter((m) => m.channel === PUSH_CHANNELS.navigate).map((m) => m.args[0]), [{ page: 'add' }]);
      assert.equal(atLogin.world.windows.length, 0);
      assert.equal(known.world.windows.length, 0);
    } finally {
      await first.cleanup();
      await atLogin.cleanup();
      await known.cleanup();
    }
  });

  test('on macOS a start at login is told apart by the login item', async () => {
    const byHand = await startOnFakes({ platform: 'darwin', rows: [] });
    const atLogin = await startOnFakes({ platform: 'darwin', rows: [], beforeStart: (f) => { f.world.app.wasOpenedAtLogin = true; } });
    try {
      assert.equal(byHand.world.windows.length, 1);
      assert.equal(atLogin.world.windows.length, 0);
    } finally {
      await byHand.cleanup();
      await atLogin.cleanup();
    }
  });
});

describe('power', () => {
  test('resume and unlock-screen make the core re-evaluate at once; not after quit', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    const power = s.electron.powerMonitor;
    power.emit('resume');
    power.emit('unlock-screen');
    power.emit('lock-screen');
    power.emit('suspend');
    assert.equal(s.core.resumes, 2);
    s.world.app.quit();
    power.emit('resume');
    assert.equal(s.core.resumes, 2);
    assert.equal(power.listenerCount('resume') + power.listenerCount('unlock-screen'), 0);
  });
});

describe('quit', () => {
  test('closing every window does not quit the tray app', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    s.window()!.close();
    s.world.app.emit('window-all-closed');
    assert.equal(s.world.app.quitCalls, 0);
    assert.ok(s.world.app.listenerCount('window-all-closed') > 0, 'a listener is what keeps Electron from quitting');
  });

  test('stops the core, tray, IPC and listeners once, and lets the clipboard settle first', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.world.app.quit();
    assert.equal(s.world.app.quitted, false, 'held until the clipboard has settled');
    assert.equal(s.core.stops, 1);
    assert.equal(s.tray().destroyed, true);
    assert.equal(s.ipc.channels().length, 0);
    assert.equal(s.core.listenerCount, 0, 'no listener left on the core');
    await settle();
    await settle();
    assert.equal(s.world.app.quitted, true);
    assert.equal(s.core.stops, 1, 'stopped once, though before-quit ran twice');
    assert.equal(s.clock.pendingTimers, 0, 'no timer of the app is left');
  });
});
