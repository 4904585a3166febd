// Desktop notifications: what the core says is shown as it is; a click opens the window where the
// notification points; nothing is shown where the desktop has no notifications.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TrayNotification } from '../../src/main/core/notifications/notification.ts';
import { PUSH_CHANNELS } from '../../src/shared/channels.ts';
import { status } from '../helpers/identity-status.ts';
import { startOnFakes } from './harness.ts';

const EXPIRING: TrayNotification = {
  title: 'CDSE login expires in 1 hour',
  body: 'The refresh token on openeo.dataspace.copernicus.eu expires today at 10:00. Click to sign in.',
  onClick: { page: 'add', identityId: 'cdse-3f9a1c' },
  urgency: 'critical',
};

describe('notifications', () => {
  test('are shown with the core\'s words and urgency', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.core.deps!.notify(EXPIRING);
    assert.equal(s.world.notifications.length, 1);
    const shown = s.world.notifications[0]!;
    assert.equal(shown.shown, true);
    assert.equal(shown.options?.title, EXPIRING.title);
    assert.equal(shown.options?.body, EXPIRING.body);
    assert.equal(shown.options?.urgency, 'critical');
    assert.equal(shown.options?.timeoutType, 'never', 'a critical warning stays until read');
  });

  test('a click opens the window at the page the notification points to', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.core.deps!.notify(EXPIRING);
    assert.equal(s.world.windows.length, 0);
    s.world.notifications[0]!.emit('click', {});
    const win = s.window()!;
    win.finishLoad();
    assert.equal(win.visible, true);
    assert.deepEqual(win.webContents.sent.filter((m) => m.channel === PUSH_CHANNELS.navigate).map((m) => m.args[0]),
      [{ page: 'add', identityId: 'cdse-3f9a1c' }]);
  });

  test('with the window already open, a click navigates it', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.app!.windows.show();
    s.window()!.finishLoad();
    s.core.deps!.notify({ ...EXPIRING, onClick: { page: 'jobs', identityId: 'cdse-3f9a1c' } });
    s.world.notifications[0]!.emit('click', {});
    assert.equal(s.world.windows.length, 1);
    assert.deepEqual(s.window()!.webContents.sent.at(-1), { channel: PUSH_CHANNELS.navigate, args: [{ page: 'jobs', identityId: 'cdse-3f9a1c' }] });
  });

  test('where the desktop has none, nothing is shown and the log says so once', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.world.notificationsSupported = false;
    s.core.deps!.notify(EXPIRING);
    s.core.deps!.notify(EXPIRING);
    assert.equal(s.world.notifications.length, 0);
    assert.equal(s.log.lines.filter((l) => /does not support notifications/.test(l)).length, 1);
  });

  test('notifications still on screen are closed at quit', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.core.deps!.notify(EXPIRING);
    s.core.deps!.notify({ ...EXPIRING, title: 'Second' });
    s.world.notifications[1]!.emit('close', {});
    s.world.app.quit();
    assert.deepEqual(s.world.notifications.map((n) => n.closed), [true, false], 'only the one still on screen');
  });
});
