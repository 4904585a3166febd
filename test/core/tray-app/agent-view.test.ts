/**
 * What the window and the tray see of the token agent, on the real core (real oidc-provider,
 * fixture backend, real keychain) with the agent serving a private folder: scripts' use of a login
 * in its row, the per-login script setting, forwards and their Stop, and an agent that could not
 * start. Scripts are plain-JSON clients on the agent's real socket.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveDevice } from '../../fixtures/device-user.ts';
import { startAppCore, type AppCoreHarness } from '../../helpers/app-core.ts';
import { askAgent } from '../../../src/main/core/agent/agent-client.ts';
import type { AccessQuestion } from '../../../src/main/core/agent/script-access.ts';
import { openSettingsStore } from '../../../src/main/core/settings/store.ts';
import type { TrayMenuItem } from '../../../src/main/core/tray/menu-item.ts';

/** Waits (bounded) until the core's agent has started or given up. */
async function agentSettled(h: AppCoreHarness): Promise<void> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    const list = await h.api.listForwards();
    if (list.ok && (list.value.running || list.value.problem)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('the agent neither started nor failed within 15 s');
}

async function signIn(h: AppCoreHarness): Promise<string> {
  const started = await h.api.startDeviceLogin({ backendUrl: h.backend.url });
  assert.ok(started.ok, JSON.stringify(started));
  await approveDevice(started.value.verificationUriComplete!);
  const done = await h.api.awaitLogin(started.value.loginId);
  assert.ok(done.ok, JSON.stringify(done));
  return done.value.identityId;
}

function flat(items: readonly TrayMenuItem[]): TrayMenuItem[] {
  return items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);
}

describe('the token agent in the window API and the tray, on the real core', () => {
  let h: AppCoreHarness;
  let dir: string;
  let id: string;
  const asked: AccessQuestion[] = [];
  let answer: 'allow' | 'deny' = 'allow';
  const script = (hint: string, socket = join(dir, 'agent.sock')) =>
    askAgent(socket, { request: 'access_token', account: id, application_hint: hint });
  const row = () => h.core.statuses().find((r) => r.id === id)!;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oat-agent-'));
    h = await startAppCore({
      agent: {
        dir,
        ask: (q) => {
          asked.push(q);
          return Promise.resolve(answer);
        },
      },
    });
    await agentSettled(h);
    id = await signIn(h);
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a login\'s row says scripts may use it and, once one did, how often, who and when', async () => {
    assert.deepEqual(row().scripts, { access: 'allow', lastUseAt: null, lastHint: '', lastHour: 0 });
    const before = Date.now();
    const answered = await script('python (job.py)');
    assert.equal(answered.status, 'success', JSON.stringify(answered));
    const scripts = row().scripts!;
    assert.equal(scripts.lastHour, 1);
    assert.equal(scripts.lastHint, 'python (job.py)');
    assert.ok(scripts.lastUseAt !== null && scripts.lastUseAt >= before && scripts.lastUseAt <= Date.now());
    const listed = await h.api.listIdentities();
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.find((r) => r.id === id)?.scripts, scripts, 'the window gets the same row');
    assert.equal(JSON.stringify(listed.value).includes(String(answered.access_token)), false, 'no token in the rows');
  });

  test('setScriptAccess saves the setting, keeps what scripts did, and forgets earlier answers', async () => {
    const changes: number[] = [];
    const off = h.core.onChange(() => changes.push(1));
    const set = await h.api.setScriptAccess(id, 'ask');
    off();
    assert.ok(set.ok, JSON.stringify(set));
    assert.equal(set.value.scripts?.access, 'ask');
    assert.equal(set.value.scripts?.lastHour, 1, 'the use stays recorded');
    assert.ok(changes.length > 0, 'the tray and the window are told');
    assert.deepEqual(openSettingsStore({ dir: h.dir }).getIdentity(id)?.scripts, { allowed: true, ask: true });

    // A new script is asked about once; its "Allow for 1 hour" holds…
    assert.equal((await script('python (other.py)')).status, 'success');
    assert.equal((await script('python (other.py)')).status, 'success');
    assert.deepEqual(asked.map((q) => [q.identity.id, q.hint, q.forward]), [[id, 'python (other.py)', undefined]]);
    // …until the setting is saved again: then it is asked again.
    assert.ok((await h.api.setScriptAccess(id, 'ask')).ok);
    assert.equal((await script('python (other.py)')).status, 'success');
    assert.equal(asked.length, 2);

    answer = 'deny';
    const denied = await script('python (third.py)');
    assert.equal(denied.code, 'SCRIPT_ACCESS_DENIED');
    answer = 'allow';

    assert.ok((await h.api.setScriptAccess(id, 'deny')).ok);
    const off2 = await script('python (other.py)');
    assert.equal(off2.code, 'SCRIPT_ACCESS_DENIED', 'switched off: no earlier "allow" lets it through');
    assert.equal(asked.length, 3, 'and nobody is asked');
    assert.deepEqual(openSettingsStore({ dir: h.dir }).getIdentity(id)?.scripts, { allowed: false, ask: false });

    const back = await h.api.setScriptAccess(id, 'allow');
    assert.ok(back.ok);
    assert.equal(back.value.scripts?.access, 'allow');
    assert.equal((await script('python (other.py)')).status, 'success');
  });

  test('thirty scripts asking within a second redraw the tray and the window at most twice', async () => {
    let changes = 0;
    const stop = h.core.onChange(() => changes++);
    try {
      const started = Date.now();
      for (let i = 0; i < 30; i++) assert.equal((await script('busy loop')).status, 'success');
      assert.ok(Date.now() - started < 1_000, 'thirty answers within a second (else the count says nothing)');
      assert.ok(changes <= 2, `${changes} redraws`);
    } finally {
      stop();
    }
  });

  test('setScriptAccess on a login that is not there says so with a next step', async () => {
    const gone = await h.api.setScriptAccess('gone-000000', 'deny');
    assert.ok(!gone.ok);
    assert.equal(gone.code, 'IDENTITY_NOT_FOUND');
    assert.ok(gone.nextStep);
  });

  test('a forward: listed with its ssh line, shown in the tray, served, and stopped from the tray', async () => {
    const started = Date.now();
    const created = await h.api.createForward([id], 3600);
    assert.ok(created.ok, JSON.stringify(created));
    const f = created.value;
    assert.match(f.id, /^[0-9a-f]{8}$/);
    assert.deepEqual(f.identities, [{ id, label: row().label }]);
    assert.ok(f.until >= started + 3_600_000 && f.until <= Date.now() + 3_600_000);
    assert.equal(f.ssh, `ssh -R /tmp/openeo-auth-tray-forward-${f.id}.sock:${join(dir, `forward-${f.id}.sock`)} HOST`, 'ready to paste: HOST is what to replace');

    const listed = await h.api.listForwards();
    assert.deepEqual(listed, { ok: true, value: { running: true, problem: null, forwards: [f] } });
    const item = flat(h.core.trayMenu()).find((i) => i.id === `forward:${f.id}`);
    assert.match(item?.label ?? '', /^Forwarded: testidp \(Fixture openEO backend\) until /);
    assert.equal(flat(h.core.trayMenu()).some((i) => i.id === 'agent-problem'), false);

    const remote = await script('python (remote.py)', join(dir, `forward-${f.id}.sock`));
    assert.equal(remote.status, 'success', 'the forward serves its login');

    await h.core.runTrayAction({ type: 'stop-forward', forwardId: f.id });
    assert.deepEqual((await h.api.listForwards()).ok && (await h.api.listForwards() as { value: { forwards: unknown[] } }).value.forwards, []);
    assert.equal(existsSync(join(dir, `forward-${f.id}.sock`)), false, 'its socket is gone');
    assert.equal(flat(h.core.trayMenu()).some((i) => i.id.startsWith('forward:')), false);
    assert.deepEqual(await h.api.stopForward(f.id), { ok: true, value: { stopped: false } }, 'stopping it again is no failure');
  });

  test('a forward of a login that is not there is refused with the agent\'s words', async () => {
    const refused = await h.api.createForward(['gone-000000'], 3600);
    assert.ok(!refused.ok);
    assert.equal(refused.code, 'IDENTITY_NOT_FOUND');
  });
});

describe('where the agent does not run', () => {
  test('an agent folder others could reach: the agent does not start, and the tray and the window say why', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'oat-agent-'));
    chmodSync(dir, 0o755);
    const h = await startAppCore({ agent: { dir } });
    t.after(async () => {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    await agentSettled(h);
    const listed = await h.api.listForwards();
    assert.ok(listed.ok);
    assert.equal(listed.value.running, false);
    assert.equal(listed.value.problem?.code, 'AGENT_FOLDER_UNSAFE');
    assert.match(listed.value.problem?.message ?? '', /has mode 0755/);
    const line = h.core.trayMenu().find((i) => i.id === 'agent-problem');
    assert.equal(line?.enabled, false);
    assert.match(line?.label ?? '', /^Token agent not running: /);
    const forward = await h.api.createForward(['cdse-3f9a1c'], 3600);
    assert.equal(!forward.ok && forward.code, 'AGENT_UNAVAILABLE');
    assert.equal(existsSync(join(dir, 'agent.sock')), false);
  });

  test('no agent at all (Windows): no script facts in the rows, no forwards, and a forward is refused', async (t) => {
    const h = await startAppCore();
    t.after(() => h.stop());
    const added = await h.api.addServiceAccount({ backendUrl: h.backend.url, clientId: h.idp.serviceClient.id, clientSecret: h.idp.serviceClient.secret });
    assert.ok(added.ok, JSON.stringify(added));
    assert.equal(h.core.statuses()[0]?.scripts, undefined);
    assert.deepEqual(await h.api.listForwards(), { ok: true, value: { running: false, problem: null, forwards: [] } });
    const forward = await h.api.createForward([added.value.identityId], 3600);
    assert.ok(!forward.ok);
    assert.equal(forward.code, 'AGENT_UNAVAILABLE');
    assert.ok(forward.nextStep);
    assert.equal(h.core.trayMenu().some((i) => i.id === 'agent-problem' || i.id === 'sep-agent'), false);
  });
});
