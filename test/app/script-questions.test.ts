// The token agent in the Electron layer: the app serves it in its own folder (not on Windows), and
// a new script's request for a login that asks first becomes a native question, with the script's
// name marked as unverified, Deny as the default, and an answer mapped back to the agent. A
// question the agent stopped waiting for is closed, and a late click counts for nothing.
import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessQuestion, AskFn } from '../../src/main/core/agent/script-access.ts';
import { askAgent } from '../../src/main/core/agent/agent-client.ts';
import { createAppCore, type AppCore } from '../../src/main/core/tray-app/app-core.ts';
import { openSettingsStore } from '../../src/main/core/settings/store.ts';
import { secretKey } from '../../src/shared/model.ts';
import { sampleIdentity } from '../helpers/sample-identity.ts';
import { createMemorySecretStore } from '../helpers/memory-store.ts';
import { APP_ROOT, settle, startOnFakes, type Started } from './harness.ts';

const question = (over: Partial<AccessQuestion> = {}): AccessQuestion => ({ identity: sampleIdentity({ label: 'CDSE' }), hint: 'python (my_job.py)', ...over });

/** The app on fakes (a FakeCore) and the agent's way to ask the person, as the app wired it. */
async function asker(t: TestContext, platform: NodeJS.Platform = 'linux'): Promise<{ s: Started; ask: AskFn }> {
  const s = await startOnFakes({ platform });
  t.after(() => s.cleanup());
  const ask = s.core.deps?.agent?.ask;
  assert.ok(ask, 'the app gave the core a way to ask');
  return { s, ask };
}

describe('the token agent in the app', () => {
  test('served in the agent folder of this user; not on Windows', async (t) => {
    const linux = await startOnFakes();
    const win = await startOnFakes({ platform: 'win32' });
    t.after(async () => {
      await linux.cleanup();
      await win.cleanup();
    });
    assert.equal(linux.core.deps?.agent?.dir, linux.env.OPENEO_AUTH_TRAY_AGENT_DIR);
    assert.equal(typeof linux.core.deps?.agent?.ask, 'function');
    assert.equal(win.core.deps?.agent, undefined, 'Windows has no agent');
  });

  test('the question: which login, the script\'s name marked unverified, Allow for 1 hour or Deny (the default)', async (t) => {
    const { s, ask } = await asker(t);
    s.world.dialogAnswers.push(1);
    const signal = new AbortController().signal;
    assert.equal(await ask(question(), signal), 'deny');
    const [box] = s.world.dialogs;
    assert.ok(box);
    assert.equal(box.message, 'A script wants to use CDSE (openeo.example.org)');
    assert.match(box.detail ?? '', /^It calls itself “python \(my_job\.py\)” — this name is not verified/);
    assert.match(box.detail ?? '', /It runs on this computer/);
    assert.match(box.detail ?? '', /access tokens for 1 hour/);
    assert.deepEqual(box.buttons, ['Allow for 1 hour', 'Deny']);
    assert.deepEqual([box.defaultId, box.cancelId, box.type, box.noLink], [1, 1, 'question', true], 'Deny is the default and what Escape means');
    assert.equal(box.signal, signal, 'the agent can close it');
    assert.equal(box.icon, join(APP_ROOT, 'assets', 'icon.png'));
    assert.ok(existsSync(box.icon), 'the app\'s icon is there');
  });

  test('a script without a name, and one through a forward from a remote machine, are said so', async (t) => {
    const { s, ask } = await asker(t);
    await ask(question({ hint: '' }), new AbortController().signal);
    await ask(question({ forward: { id: '0a1b2c3d', until: s.clock.now() + 3_600_000 } }), new AbortController().signal);
    assert.match(s.world.dialogs[0]?.detail ?? '', /^It gives no name\./);
    assert.match(s.world.dialogs[1]?.detail ?? '', /It comes from a remote machine, through a forward you opened \(until [^)]+\)\./);
    assert.doesNotMatch(s.world.dialogs[1]?.detail ?? '', /runs on this computer/);
  });

  test('the answer: Allow for 1 hour lets it in, Deny or closing the box does not', async (t) => {
    const { s, ask } = await asker(t);
    s.world.dialogAnswers.push(0, 1);
    assert.equal(await ask(question(), new AbortController().signal), 'allow');
    assert.equal(await ask(question(), new AbortController().signal), 'deny');
    assert.equal(await ask(question(), new AbortController().signal), 'deny', 'closed without a click (Escape): cancel, so Deny');
  });

  test('the agent stops waiting: the box closes and the answer is no; an aborted question is not shown at all', async (t) => {
    const { s, ask } = await asker(t);
    s.world.holdDialogs = true;
    const waiting = new AbortController();
    const answer = ask(question(), waiting.signal);
    await settle();
    assert.equal(s.world.openDialogs.length, 1, 'the question is on screen');
    waiting.abort(new Error('no answer in time'));
    assert.equal(await answer, 'deny');
    assert.deepEqual(s.world.openDialogs, [], 'and closed');

    const gone = new AbortController();
    gone.abort();
    assert.equal(await ask(question(), gone.signal), 'deny');
    assert.equal(s.world.dialogs.length, 1, 'never shown');
  });

  test('macOS cannot close a box without a parent window: a click that comes after the agent stopped waiting counts for nothing', async (t) => {
    const { s, ask } = await asker(t, 'darwin');
    s.world.holdDialogs = true;
    const waiting = new AbortController();
    const answer = ask(question(), waiting.signal);
    await settle();
    waiting.abort(new Error('no answer in time'));
    assert.equal(await answer, 'deny');
    const [box] = s.world.openDialogs;
    assert.ok(box, 'still on screen');
    assert.equal(box.options.icon, undefined, 'macOS shows the app\'s own icon');
    box.answer(0);
    await settle();
    assert.equal(box.closedBy, 'person');
    assert.equal(await answer, 'deny');
  });
});

describe('a script asks the real core, the person answers in the native question', () => {
  /** The real core on fakes with one login that asks first, its access token in the keychain. */
  async function startReal(t: TestContext): Promise<Started<AppCore> & { socket: string; id: string }> {
    const id = 'cdse-3f9a1c';
    const s = await startOnFakes<AppCore>({
      createAppCore,
      fetch: () => Promise.reject(new TypeError('fetch failed (the test has no network)')),
      secrets: () => createMemorySecretStore({ [secretKey(id, 'access_token')]: 'at-0123456789abcdef' }),
      beforeStart: async (_fake, { env, clock }) => {
        const now = clock.now();
        await openSettingsStore({ dir: env.OPENEO_AUTH_TRAY_HOME! }).upsertIdentity(sampleIdentity({
          id, label: 'CDSE', createdAt: now - 3_600_000, accessTokenObtainedAt: now - 60_000, accessTokenExpiresAt: now + 30 * 60_000,
          refreshTokenObtainedAt: now - 3_600_000, refreshTokenExpiry: { kind: 'at', at: now + 30 * 86_400_000 }, scripts: { allowed: true, ask: true },
        }));
      },
    });
    t.after(async () => {
      if (!s.world.app.quitted) s.world.app.quit();
      await s.cleanup();
    });
    const socket = join(s.env.OPENEO_AUTH_TRAY_AGENT_DIR!, 'agent.sock');
    for (const deadline = Date.now() + 10_000; !existsSync(socket);) {
      if (Date.now() > deadline) assert.fail(`the agent did not listen at ${socket}: ${s.log.lines.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return Object.assign(s, { socket, id });
  }

  test('Deny: the script is refused, in the agent\'s words', async (t) => {
    const s = await startReal(t);
    s.world.dialogAnswers.push(1);
    const answer = await askAgent(s.socket, { request: 'access_token', application_hint: 'python (job.py)' });
    assert.equal(answer.status, 'failure');
    assert.equal(answer.code, 'SCRIPT_ACCESS_DENIED');
    assert.equal(s.world.dialogs.length, 1);
    assert.equal(s.world.dialogs[0]?.message, 'A script wants to use CDSE (openeo.example.org)');
    assert.match(s.world.dialogs[0]?.detail ?? '', /“python \(job\.py\)” — this name is not verified/);
    assert.equal(s.core.statuses()[0]?.scripts?.lastUseAt, null, 'a refused script did not use the login');
  });

  test('Allow for 1 hour: the script gets the token, is not asked about again, and its use shows in the tray\'s row', async (t) => {
    const s = await startReal(t);
    s.world.dialogAnswers.push(0);
    const first = await askAgent(s.socket, { request: 'access_token', application_hint: 'python (job.py)' });
    assert.equal(first.status, 'success', JSON.stringify(first));
    assert.equal(first.access_token, 'at-0123456789abcdef');
    const again = await askAgent(s.socket, { request: 'access_token', application_hint: 'python (job.py)' });
    assert.equal(again.status, 'success');
    assert.equal(s.world.dialogs.length, 1, 'asked once');
    assert.deepEqual(s.core.statuses()[0]?.scripts, { access: 'ask', lastUseAt: s.clock.now(), lastHint: 'python (job.py)', lastHour: 2 });
  });
});
