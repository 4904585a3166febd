// Updates and the installed app's command line, in the Electron layer on the REAL core and the
// typed stand-in: an installed app looks five minutes after its start, a found update downloads,
// the tray offers "Restart to update…", and the restart comes only after the release notes were
// shown in a native dialog and the person chose it; `npm start` never loads an updater; the
// person's setting stops the daily look but not "Check for updates". The window's About gets the
// version (package.json's), the updates and the command line through the window API. A scripted
// updater stands in for electron-updater.
import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAppCore, type AppCore } from '../../src/main/core/tray-app/app-core.ts';
import type { FoundUpdate, UpdaterPort } from '../../src/main/core/updates/updater-port.ts';
import { CHECK_EVERY_MS, FIRST_CHECK_AFTER_MS } from '../../src/main/core/updates/update-state.ts';
import { CHANNELS } from '../../src/shared/channels.ts';
import type { AboutView, Result, UpdateView } from '../../src/shared/api.ts';
import { APP_ROOT, settle, startOnFakes, type Started } from './harness.ts';

const VERSION = (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const offline = () => Promise.reject(new TypeError('fetch failed (the test has no network)'));

class ScriptedUpdater implements UpdaterPort {
  checks = 0;
  installs = 0;
  next: FoundUpdate | null = null;
  check(): Promise<FoundUpdate | null> {
    this.checks += 1;
    return Promise.resolve(this.next);
  }
  quitAndInstall(): void {
    this.installs += 1;
  }
}

async function start(t: TestContext, opts: { packaged: boolean; updater?: ScriptedUpdater; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform }) {
  let loads = 0;
  const s = await startOnFakes<AppCore>({
    createAppCore,
    fetch: offline,
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    loadUpdater: async () => {
      loads += 1;
      return opts.updater ?? null;
    },
    beforeStart: (fake) => {
      fake.world.app.isPackaged = opts.packaged;
    },
  });
  t.after(async () => {
    if (!s.world.app.quitted) s.world.app.quit();
    await s.cleanup();
  });
  return { s, loads: () => loads };
}

/** Waits (bounded) for work on the file system that a click started. */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), `${what} did not happen within 5 s`);
}

async function ask<T>(s: Started<AppCore>, channel: string, ...args: unknown[]): Promise<T> {
  const win = s.window()!;
  const r = await s.ipc.invoke(channel, win.webContents.ipcEvent(), ...args) as Result<T>;
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

describe('updates in an installed app', () => {
  test('found and downloaded: a notification, "Restart to update…" in the tray, the notes in a dialog first; Later keeps it, Restart installs', async (t) => {
    const updater = new ScriptedUpdater();
    updater.next = { version: '9.9.9', notes: 'Fixed: a security issue in the token agent.', downloaded: Promise.resolve() };
    const { s } = await start(t, { packaged: true, updater });
    assert.ok(!s.menu().find('install-update'));
    await s.clock.advance(FIRST_CHECK_AFTER_MS);
    await settle();
    assert.equal(updater.checks, 1);
    const item = s.menu().find('install-update');
    assert.equal(item?.label, 'Restart to update to 9.9.9…');
    const note = s.world.notifications.at(-1);
    assert.equal(note?.options?.title, 'openEO Auth Tray 9.9.9 is ready');

    s.world.dialogAnswers.push(1); // Later
    s.menu().click('install-update');
    await settle();
    const dialog = s.world.dialogs.at(-1)!;
    assert.equal(dialog.message, 'openEO Auth Tray 9.9.9 is ready to install');
    assert.match(dialog.detail ?? '', /Fixed: a security issue in the token agent\./);
    assert.deepEqual(dialog.buttons, ['Restart and update', 'Later']);
    assert.equal(dialog.defaultId, 1, 'Later is the default');
    assert.equal(updater.installs, 0);

    s.world.dialogAnswers.push(0);
    const answer = await ask<{ restarting: boolean }>(s, CHANNELS.installUpdate);
    assert.deepEqual(answer, { restarting: true });
    assert.equal(updater.installs, 1, 'restarted only after the notes were shown and agreed to');
    assert.equal(s.world.dialogs.length, 2);
  });

  test('About: package.json\'s version, and the updates\' state; "Check for updates" looks even with the daily look off', async (t) => {
    const updater = new ScriptedUpdater();
    const { s } = await start(t, { packaged: true, updater });
    const about = await ask<AboutView>(s, CHANNELS.getAbout);
    assert.equal(about.version, VERSION);
    assert.deepEqual(about.updates, { kind: 'idle', automatic: true, lastCheckedAt: null });
    await ask(s, CHANNELS.updateSettings, { checkForUpdates: false });
    await s.clock.advance(3 * CHECK_EVERY_MS);
    assert.equal(updater.checks, 0, 'no look by itself while the setting is off');
    const checked = await ask<UpdateView>(s, CHANNELS.checkForUpdates);
    assert.equal(checked.kind, 'up-to-date');
    assert.equal(checked.kind === 'up-to-date' && checked.automatic, false);
    assert.equal(updater.checks, 1);
  });

  test('npm start: the updater is never loaded, About says why, and "Check for updates" does nothing', async (t) => {
    const updater = new ScriptedUpdater();
    const { s, loads } = await start(t, { packaged: false, updater });
    assert.equal(loads(), 0);
    await s.clock.advance(3 * CHECK_EVERY_MS);
    assert.equal(updater.checks, 0);
    const about = await ask<AboutView>(s, CHANNELS.getAbout);
    assert.equal(about.updates.kind, 'off');
    assert.match(about.updates.kind === 'off' ? about.updates.message : '', /npm start/);
    assert.equal((await ask<UpdateView>(s, CHANNELS.checkForUpdates)).kind, 'off');
    assert.deepEqual(await ask(s, CHANNELS.installUpdate), { restarting: false });
    assert.ok(!s.menu().find('install-update'));
    assert.deepEqual(about.commandLine.offered, false);
  });

  test('an installed app without electron-updater: updates off, "unavailable"', async (t) => {
    const { s, loads } = await start(t, { packaged: true });
    assert.equal(loads(), 1);
    const about = await ask<AboutView>(s, CHANNELS.getAbout);
    assert.equal(about.updates.kind === 'off' && about.updates.reason, 'unavailable');
  });
});

describe('"Install command line tool…" from the tray', () => {
  test('the AppImage: offered, confirmed, ~/.local/bin/openeo-auth-tray runs $APPIMAGE; the menu and About say it is installed', async (t) => {
    const appImage = join(APP_ROOT, 'test-output-never-made.AppImage');
    const { s } = await start(t, { packaged: true, env: { APPIMAGE: appImage, PATH: '/usr/bin' } });
    await settle();
    const item = s.menu().find('install-command-line');
    assert.equal(item?.label, 'Install command line tool…');
    s.world.dialogAnswers.push(1); // Cancel at the confirmation
    s.menu().click('install-command-line');
    await settle();
    const destination = join(s.home, 'home', '.local', 'bin', 'openeo-auth-tray');
    assert.equal(existsSync(destination), false, 'nothing without the person\'s yes');
    assert.match(s.world.dialogs.at(-1)?.detail ?? '', /It runs this AppImage/);

    s.world.dialogAnswers.push(0);
    s.menu().click('install-command-line');
    await until('the notification', () => s.world.notifications.some((n) => /command line tool/i.test(String(n.options?.title))));
    assert.equal(s.world.notifications.at(-1)?.options?.body && s.world.notifications.at(-1)?.options?.title, 'Command line tool installed', String(s.world.notifications.at(-1)?.options?.body));
    assert.match(readFileSync(destination, 'utf8'), new RegExp(`app='${appImage.replaceAll('.', '\\.')}'`));
    assert.equal(s.menu().find('install-command-line')?.label, 'Reinstall command line tool…');
    const note = s.world.notifications.at(-1);
    assert.equal(note?.options?.title, 'Command line tool installed');
    assert.match(String(note?.options?.body), /not on your PATH yet/);
    const about = await ask<AboutView>(s, CHANNELS.getAbout);
    assert.deepEqual(about.commandLine, { offered: true, state: 'installed', path: destination, onPath: false });
  });

  test('a failure is said in a notification; the .deb is not offered the entry, About says where its command is', async (t) => {
    const { s } = await start(t, { packaged: true, env: { APPIMAGE: '/opt/app.AppImage', PATH: '/usr/bin' } });
    await settle();
    // ~/.local/bin cannot be made: a file stands where the folder would be.
    const local = join(s.home, 'home', '.local');
    writeFileSync(join(s.home, 'home-placeholder'), '');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(local, { recursive: true });
    writeFileSync(join(local, 'bin'), 'not a folder');
    chmodSync(join(local, 'bin'), 0o444);
    s.world.dialogAnswers.push(0);
    s.menu().click('install-command-line');
    await until('the notification', () => s.world.notifications.some((n) => /command line tool/i.test(String(n.options?.title))));
    assert.equal(s.world.notifications.at(-1)?.options?.title, 'The command line tool was not installed');

    const deb = await start(t, { packaged: true, env: { PATH: '/usr/bin' } });
    await settle();
    assert.ok(!deb.s.menu().find('install-command-line'));
    const about = await ask<AboutView>(deb.s, CHANNELS.getAbout);
    assert.equal(about.commandLine.offered, false);
    assert.match(about.commandLine.offered ? '' : about.commandLine.how, /\/usr\/bin\/openeo-auth-tray/);
  });
});
