// The one IPC wrapper: only the shared channels are served; only our window's main frame showing
// our page is answered; arguments are guarded before the core sees them; nothing is logged that
// the renderer sent.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNELS, INVOKE_CHANNELS, PUSH_CHANNELS } from '../../src/shared/channels.ts';
import { FORBIDDEN } from '../../src/main/app/ipc.ts';
import { status } from '../helpers/identity-status.ts';
import { FakeFrame } from './fake-electron.ts';
import { startOnFakes, type Started } from './harness.ts';

/** Starts the app with an identity and opens (and loads) the window. */
async function withWindow(): Promise<Started & { win: NonNullable<ReturnType<Started['window']>> }> {
  const s = await startOnFakes({ rows: [status()] });
  s.app!.windows.show();
  const win = s.window()!;
  win.finishLoad();
  return Object.assign(s, { win });
}

describe('IPC', () => {
  test('registers exactly the shared request channels, and removes them on quit', async (t) => {
    const s = await startOnFakes();
    t.after(() => s.cleanup());
    assert.deepEqual(s.ipc.channels(), [...INVOKE_CHANNELS].sort());
    s.world.app.quit();
    assert.deepEqual(s.ipc.channels(), []);
  });

  test('a request from our window reaches the core with the guarded arguments', async (t) => {
    const s = await withWindow();
    t.after(() => s.cleanup());
    const answer = await s.ipc.invoke(CHANNELS.signOut, s.win.webContents.ipcEvent(), 'cdse-3f9a1c', true);
    assert.deepEqual(answer, { ok: true, value: null });
    assert.deepEqual(s.core.apiCalls, [{ method: 'signOut', args: ['cdse-3f9a1c', true] }]);
  });

  test('a request from another webContents is dropped and logged', async (t) => {
    const s = await withWindow();
    t.after(() => s.cleanup());
    // Another webContents (e.g. one a compromised page managed to create), even on our page's URL.
    const other = new s.electron.BrowserWindow({});
    await other.loadURL(s.win.loadedUrl!);
    const answer = await s.ipc.invoke(CHANNELS.getSettings, other.webContents.ipcEvent());
    assert.deepEqual(answer, FORBIDDEN);
    assert.deepEqual(s.core.apiCalls, []);
    assert.ok(s.log.lines.some((l) => /WARN IPC: refused settings:get from a sender that is not the app window/.test(l)), s.log.lines.join(''));
  });

  test('a request from a sub-frame of our window, or from our frame on another page, is dropped', async (t) => {
    const s = await withWindow();
    t.after(() => s.cleanup());
    const main = s.win.webContents.mainFrame;
    const cases = {
      'a sub-frame': new FakeFrame(main.url, main.processId, main.routingId + 1),
      'another process': new FakeFrame(main.url, main.processId + 1, main.routingId),
      'an https page': new FakeFrame('https://evil.example/', main.processId, main.routingId),
      'another local file': new FakeFrame(main.url.replace('index.html', 'other.html'), main.processId, main.routingId),
      'our page with a query': new FakeFrame(`${main.url}?x=1`, main.processId, main.routingId),
      'a frame that is gone': null,
    };
    for (const [name, frame] of Object.entries(cases)) {
      const answer = await s.ipc.invoke(CHANNELS.listIdentities, s.win.webContents.ipcEvent(frame));
      assert.deepEqual(answer, FORBIDDEN, name);
    }
    assert.deepEqual(s.core.apiCalls, []);
    // …while our page with a fragment is still ours.
    const ok = await s.ipc.invoke(CHANNELS.listIdentities, s.win.webContents.ipcEvent(new FakeFrame(`${main.url}#accounts`, main.processId, main.routingId)));
    assert.equal((ok as { ok: boolean }).ok, true);
  });

  test('requests are refused while there is no window, and after it closed', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    const stray = new s.electron.BrowserWindow({});
    assert.deepEqual(await s.ipc.invoke(CHANNELS.listIdentities, stray.webContents.ipcEvent()), FORBIDDEN);
    s.app!.windows.show();
    const win = s.window()!;
    win.finishLoad();
    const event = win.webContents.ipcEvent();
    win.close();
    assert.deepEqual(await s.ipc.invoke(CHANNELS.listIdentities, event), FORBIDDEN);
    assert.deepEqual(s.core.apiCalls, []);
  });

  test('bad arguments are refused with INVALID_ARGUMENT before the core sees them, and never logged', async (t) => {
    const s = await withWindow();
    t.after(() => s.cleanup());
    const event = s.win.webContents.ipcEvent();
    const secret = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl-SECRET-VALUE';
    const bad: Array<[string, unknown[]]> = [
      [CHANNELS.signOut, ['cdse-3f9a1c']], // missing argument
      [CHANNELS.signOut, ['cdse-3f9a1c', true, 'extra']], // one too many
      [CHANNELS.refreshNow, [{ toString: () => 'cdse' }]], // not a string
      [CHANNELS.copy, ['cdse-3f9a1c', 'everything']], // not one of the allowed values
      [CHANNELS.openExternal, ['javascript:alert(1)']],
      [CHANNELS.openExternal, ['http://evil.example/']],
      [CHANNELS.addServiceAccount, [{ backendUrl: 'https://b.example', clientId: 'id', clientSecret: secret, admin: true }]],
    ];
    for (const [channel, args] of bad) {
      const answer = await s.ipc.invoke(channel, event, ...args) as { ok: boolean; code?: string; message?: string };
      assert.equal(answer.ok, false, `${channel} ${JSON.stringify(args)}`);
      assert.equal(answer.code, 'INVALID_ARGUMENT', channel);
      assert.ok(!answer.message?.includes(secret));
    }
    assert.deepEqual(s.core.apiCalls, []);
    assert.ok(!s.log.lines.join('').includes('SECRET-VALUE'), 'arguments never reach the log');
  });

  test('a core that throws still gives the window a Result', async (t) => {
    const s = await withWindow();
    t.after(() => s.cleanup());
    s.core.api.getSettings = () => Promise.reject(new Error('boom'));
    const answer = await s.ipc.invoke(CHANNELS.getSettings, s.win.webContents.ipcEvent()) as { ok: boolean; code?: string };
    assert.deepEqual([answer.ok, answer.code], [false, 'INTERNAL']);
  });

  test('identity changes are pushed to our window only, once its page has loaded', async (t) => {
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    const stray = new s.electron.BrowserWindow({});
    s.app!.windows.show();
    const win = s.window()!;
    s.core.setRows([status({ label: 'Before load' })]);
    assert.equal(win.webContents.sent.length, 0, 'nothing is sent before the page can listen');
    win.finishLoad();
    s.core.setRows([status({ label: 'After load' })]);
    const pushed = win.webContents.sent.filter((m) => m.channel === PUSH_CHANNELS.identitiesChanged);
    assert.equal(pushed.length, 1);
    assert.equal((pushed[0]?.args[0] as Array<{ label: string }>)[0]?.label, 'After load');
    assert.deepEqual(stray.webContents.sent, []);
  });
});
