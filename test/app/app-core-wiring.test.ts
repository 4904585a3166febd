// The Electron layer on the REAL core (settings on disk in a temporary folder, an in-memory
// keychain, a fake clock, no network): what the window, the tray and the OS see end to end.
import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createAppCore, type AppCore } from '../../src/main/core/tray-app/app-core.ts';
import { openSettingsStore } from '../../src/main/core/settings/store.ts';
import { CHANNELS, PUSH_CHANNELS } from '../../src/shared/channels.ts';
import { sampleIdentity } from '../helpers/sample-identity.ts';
import { settle, startOnFakes, type Started } from './harness.ts';

const HOUR = 3_600_000;
const offline = () => Promise.reject(new TypeError('fetch failed (the test has no network)'));

/** The app on the real core; when the test ends it quits (unless the test did) and its folder goes. */
async function startReal(t: TestContext, opts: { notificationsEnabled?: boolean; withIdentity?: boolean } = {}): Promise<Started<AppCore>> {
  const s = await startOnFakes<AppCore>({
    createAppCore,
    fetch: offline,
    beforeStart: async (_fake, { env, clock }) => {
      if (!opts.withIdentity) return;
      const store = openSettingsStore({ dir: env.OPENEO_AUTH_TRAY_HOME! });
      const now = clock.now();
      // A login whose refresh token ends within the hour: the lifecycle warns at once.
      await store.upsertIdentity(sampleIdentity({
        createdAt: now - 24 * HOUR,
        accessTokenObtainedAt: now - 60_000,
        accessTokenExpiresAt: now + 20 * 60_000,
        refreshTokenObtainedAt: now - 24 * HOUR,
        refreshTokenExpiry: { kind: 'at', at: now + 30 * 60_000 },
      }));
      await store.updateSettings({ notificationsEnabled: opts.notificationsEnabled ?? true });
    },
  });
  t.after(async () => {
    if (!s.world.app.quitted) s.world.app.quit();
    await s.cleanup();
  });
  return s;
}

describe('the app on the real core', () => {
  test('first start: the tray offers "Add account…" and the window opens at the add page', async (t) => {
    const s = await startReal(t);
    assert.ok(s.menu().labels().includes('Add account…'), s.menu().labels().join(' | '));
    assert.equal(s.tray().tooltip, 'No openEO accounts yet');
    const win = s.window()!;
    win.finishLoad();
    assert.deepEqual(win.webContents.sent.find((m) => m.channel === PUSH_CHANNELS.navigate)?.args, [{ page: 'add' }]);
  });

  test('"Open logs folder" in the window reaches shell.openPath with the app\'s log folder; a refusal is said with the folder', async (t) => {
    const s = await startReal(t);
    const win = s.window()!;
    win.finishLoad();
    const opened = await s.ipc.invoke(CHANNELS.openLogFolder, win.webContents.ipcEvent());
    assert.deepEqual(opened, { ok: true, value: null });
    assert.deepEqual(s.world.openedPaths, [s.world.app.logsPath], 'the folder the app logs to');
    assert.equal(basename(s.world.app.logsPath ?? ''), 'logs');
    s.world.openPathProblem = 'Failed to open path';
    const refused = await s.ipc.invoke(CHANNELS.openLogFolder, win.webContents.ipcEvent()) as { ok: false; message: string; nextStep: string };
    assert.equal(refused.ok, false);
    assert.match(refused.message, /did not open the log folder \(Failed to open path\)/);
    assert.equal(refused.nextStep, `Open ${s.world.app.logsPath} yourself.`);
    const other = await s.ipc.invoke(CHANNELS.openLogFolder, win.webContents.ipcEvent(null));
    assert.equal((other as { code: string }).code, 'FORBIDDEN', 'only our window may ask');
    assert.equal(s.world.openedPaths.length, 2);
  });

  test('the window\'s requests reach the real core; switching on start at login writes the autostart entry', async (t) => {
    const s = await startReal(t);
    const win = s.window()!;
    win.finishLoad();
    const settings = await s.ipc.invoke(CHANNELS.getSettings, win.webContents.ipcEvent()) as { ok: boolean; value: { startAtLogin: boolean } };
    assert.equal(settings.ok, true);
    assert.equal(settings.value.startAtLogin, false);
    const updated = await s.ipc.invoke(CHANNELS.updateSettings, win.webContents.ipcEvent(), { startAtLogin: true }) as { ok: boolean };
    assert.equal(updated.ok, true, JSON.stringify(updated));
    assert.ok(existsSync(join(s.env.XDG_CONFIG_HOME!, 'autostart', 'openeo-auth-tray.desktop')));
    const refused = await s.ipc.invoke(CHANNELS.updateSettings, win.webContents.ipcEvent(), { startAtLogin: 'yes' }) as { code: string };
    assert.equal(refused.code, 'INVALID_ARGUMENT');
  });

  test('a login about to expire is announced; a click opens its re-login', async (t) => {
    const s = await startReal(t, { withIdentity: true });
    await settle();
    const shown = s.world.notifications;
    assert.equal(shown.length, 1, s.log.lines.join(''));
    assert.match(String(shown[0]!.options?.title), /login expires/);
    shown[0]!.emit('click', {});
    const win = s.window()!;
    win.finishLoad();
    assert.deepEqual(win.webContents.sent.find((m) => m.channel === PUSH_CHANNELS.navigate)?.args, [{ page: 'add', identityId: 'cdse-3f9a1c' }]);
    assert.equal(basename(s.tray().image), 'tray-warning-24.png');
  });

  test('muted notifications are not shown', async (t) => {
    const s = await startReal(t, { withIdentity: true, notificationsEnabled: false });
    await settle();
    assert.equal(s.world.notifications.length, 0);
    assert.match(s.tray().tooltip, /CDSE|Copernicus/);
  });

  test('quitting leaves no timer behind', async (t) => {
    const s = await startReal(t, { withIdentity: true });
    await settle();
    assert.ok(s.clock.pendingTimers > 0, 'the lifecycle had timers armed');
    s.world.app.quit();
    // Quitting waits for work already under way (the job listing's token lookup at start takes
    // the refresh lock in the settings folder): bounded, real time.
    for (const deadline = Date.now() + 5_000; !s.world.app.quitted && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(s.world.app.quitted, true);
    assert.equal(s.clock.pendingTimers, 0);
  });
});
