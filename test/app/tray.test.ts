// The tray: icon, tooltip and menu follow the core; confirmations come before risky actions;
// labels survive each platform's menu syntax; left click opens the window where that is usual.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { menuLabel, toMenuTemplate } from '../../src/main/app/menu-template.ts';
import { trayIconPath } from '../../src/main/app/tray.ts';
import { LOOK_SEVERITY } from '../../src/shared/status/look.ts';
import { buildTrayMenu } from '../../src/main/core/tray/menu.ts';
import { PUSH_CHANNELS } from '../../src/shared/channels.ts';
import { NOW, DAY, status, serviceAccount } from '../helpers/identity-status.ts';
import { APP_ROOT, settle, startOnFakes } from './harness.ts';

const ID = 'cdse-3f9a1c';

describe('tray icon', () => {
  test('every look has its icon file on every platform, @2x included', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      for (const look of LOOK_SEVERITY) {
        const path = trayIconPath(APP_ROOT, look, platform);
        assert.ok(existsSync(path), `${platform}/${look}: ${path} is missing`);
        assert.ok(existsSync(path.replace(/\.png$/, '@2x.png')), `${platform}/${look}: no @2x beside ${path}`);
      }
    }
  });

  test('macOS uses the template image while all is well and the coloured icon when something needs attention', () => {
    assert.equal(basename(trayIconPath(APP_ROOT, 'ok', 'darwin')), 'trayTemplate.png');
    assert.equal(basename(trayIconPath(APP_ROOT, 'idle', 'darwin')), 'trayTemplate.png');
    assert.equal(basename(trayIconPath(APP_ROOT, 'error', 'darwin')), 'tray-error.png');
    assert.equal(basename(trayIconPath(APP_ROOT, 'warning', 'win32')), 'tray-warning.png');
    assert.equal(basename(trayIconPath(APP_ROOT, 'warning', 'linux')), 'tray-warning-24.png');
  });

  test('icon and tooltip follow the worst identity, and change when the core reports a change', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    assert.equal(basename(s.tray().image), 'tray-ok-24.png');
    assert.match(s.tray().tooltip, /1 login active/);
    s.core.setRows([status(), serviceAccount({ state: 'expired' })]);
    assert.equal(basename(s.tray().image), 'tray-error-24.png');
    assert.match(s.tray().tooltip, /needs a new sign-in: CDSE batch/);
  });
});

describe('tray menu', () => {
  test('is the core menu, with headers and state lines disabled', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    const menu = s.menu();
    const labels = menu.labels();
    assert.ok(labels.includes('Add account…'), labels.join(' | '));
    assert.ok(labels.includes('Open window'));
    assert.equal(labels.at(-1), 'Quit openEO Auth Tray');
    assert.equal(menu.find(`${ID}:header`)?.enabled, false);
    assert.equal(menu.find(`${ID}:state`)?.enabled, false);
    assert.equal(menu.find(`${ID}:header`)?.click, undefined);
    assert.equal(menu.find(`${ID}:copy:bearer`)?.enabled, true);
  });

  test('is rebuilt when the core reports a change', async (t) => {
    const s = await startOnFakes({ rows: [] });
    t.after(() => s.cleanup());
    assert.ok(s.menu().labels().includes('No accounts yet'));
    const before = s.tray().menusSet;
    s.core.setRows([status({ label: 'Terrascope' })]);
    assert.equal(s.tray().menusSet, before + 1);
    assert.ok(!s.menu().labels().includes('No accounts yet'));
    assert.match(s.menu().labels()[0] ?? '', /^Terrascope — /);
  });

  test("'&' is doubled on Windows and Linux (else it marks an access key) and kept on macOS", async () => {
    assert.equal(menuLabel('R&D & Co', 'win32'), 'R&&D && Co');
    assert.equal(menuLabel('R&D & Co', 'linux'), 'R&&D && Co');
    assert.equal(menuLabel('R&D & Co', 'darwin'), 'R&D & Co');
    for (const [platform, expected] of [['linux', 'R&&D — '], ['darwin', 'R&D — ']] as const) {
      const s = await startOnFakes({ platform, rows: [status({ label: 'R&D' })] });
      try {
        assert.ok(String(s.menu().find(`${ID}:header`)?.label).startsWith(expected), `${platform}: ${s.menu().find(`${ID}:header`)?.label}`);
      } finally {
        await s.cleanup();
      }
    }
  });

  test('submenus are mapped all the way down, with their actions', () => {
    const clicked: string[] = [];
    const template = toMenuTemplate(buildTrayMenu([status()], NOW), (item) => clicked.push(item.id), 'linux');
    const jobs = template.find((i) => i.id === `${ID}:jobs`);
    assert.equal(jobs?.type, 'submenu');
    const all = (jobs?.submenu as Array<{ id?: string; click?: () => void }>).find((i) => i.id === `${ID}:jobs:all`);
    (all?.click as () => void)();
    assert.deepEqual(clicked, [`${ID}:jobs:all`]);
  });

  test('an action without confirmation runs at once', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.menu().click(`${ID}:refresh`);
    await settle();
    assert.deepEqual(s.core.trayActions, [{ type: 'refresh', identityId: ID }]);
    assert.equal(s.world.dialogs.length, 0);
  });

  test('copying the refresh token asks first; Cancel copies nothing, the confirm button copies', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.menu().click(`${ID}:copy:refresh-token`);
    await settle();
    assert.equal(s.world.dialogs.length, 1);
    const asked = s.world.dialogs[0]!;
    assert.match(asked.message, /Copy the refresh token of CDSE\?/);
    assert.match(asked.detail ?? '', /30 seconds/);
    assert.deepEqual(asked.buttons, ['Copy refresh token', 'Cancel']);
    assert.equal(asked.cancelId, 1);
    assert.equal(asked.defaultId, 1, 'Enter must not copy a secret by accident');
    assert.deepEqual(s.core.trayActions, []);

    s.world.dialogAnswers.push(0);
    s.menu().click(`${ID}:copy:refresh-token`);
    await settle();
    assert.deepEqual(s.core.trayActions, [{ type: 'copy', identityId: ID, what: 'refresh-token' }]);
  });

  test('signing out asks first', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.world.dialogAnswers.push(0);
    s.menu().click(`${ID}:sign-out`);
    await settle();
    assert.match(s.world.dialogs[0]?.message ?? '', /Sign out of CDSE\?/);
    assert.deepEqual(s.core.trayActions, [{ type: 'sign-out', identityId: ID }]);
  });

  test('disabled items cannot be clicked', async (t) => {
    const s = await startOnFakes({ rows: [status({ state: 'expired', refreshTokenExpiry: { kind: 'at', at: NOW - DAY } })] });
    t.after(() => s.cleanup());
    assert.equal(s.menu().find(`${ID}:copy:bearer`)?.enabled, false);
    assert.equal(s.menu().find(`${ID}:copy:bearer`)?.click, undefined);
    s.menu().click(`${ID}:copy:bearer`);
    await settle();
    assert.deepEqual(s.core.trayActions, []);
  });

  test('"Add account…" opens the window at the add page (via the core\'s navigation)', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    assert.equal(s.world.windows.length, 0);
    s.menu().click('add-account');
    await settle();
    const win = s.window();
    assert.ok(win, 'a window opened');
    win.finishLoad();
    assert.deepEqual(win.webContents.sent.filter((m) => m.channel === PUSH_CHANNELS.navigate).map((m) => m.args[0]), [{ page: 'add' }]);
    assert.equal(win.visible, true);
  });

  test('Quit quits the app, which stops the core', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    s.menu().click('quit');
    await settle();
    await settle();
    assert.equal(s.core.stops, 1);
    assert.equal(s.world.app.quitted, true);
    assert.deepEqual(s.core.trayActions, [], 'the core is not asked to quit');
  });
});

describe('left click', () => {
  for (const platform of ['win32', 'linux'] as const) {
    test(`opens the window on ${platform}`, async (t) => {
      const s = await startOnFakes({ platform, rows: [status()] });
      t.after(() => s.cleanup());
      s.tray().emit('click');
      assert.equal(s.world.windows.length, 1);
    });
  }

  test('is left to the menu on macOS', async (t) => {
    const s = await startOnFakes({ platform: 'darwin', rows: [status()] });
    t.after(() => s.cleanup());
    assert.equal(s.tray().listenerCount('click'), 0);
  });
});
