/**
 * A login is never lost and never outlives its sign-out, whatever is killed, whenever the clock
 * jumps, whichever process refreshes (docs/faults.md, "Never lose a login"). Real processes of
 * the built CLI, a real oidc-provider behind the fault proxy (which holds the IdP's answer after
 * the IdP acted on it, to widen each race window), a real gnome-keyring, real signals and
 * `faketime` for the wall clock. Each case failed before its fix.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, assertCliBuilt, type CliRun } from '../helpers/cli.ts';
import { signIn, startCliWorld, type CliWorld } from '../e2e/cli-harness.ts';
import type { FaultProxy } from '../fixtures/fault-proxy.ts';

type World = CliWorld & { idpProxy: FaultProxy };

async function world(t: TestContext): Promise<{ w: World; id: string }> {
  assertCliBuilt();
  const w = (await startCliWorld({ idpProxy: true })) as World;
  t.after(() => w.stop());
  const id = await signIn(w);
  return { w, id };
}

/** A CLI process left running (to be signalled); `done` is how it ended. */
function start(w: World, args: string[], prefix: string[] = [], env: NodeJS.ProcessEnv = w.env): { child: ChildProcess; done: Promise<CliRun> } {
  const [cmd, ...pre] = prefix.length ? prefix : [process.execPath];
  const child = spawn(cmd!, [...pre, ...(prefix.length ? [process.execPath] : []), CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Bounded wait for a condition. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The IdP acts on refreshes at once (the old token is spent) but its answers are held back. */
function holdIdp(w: World): void {
  w.idpProxy.inject({ path: '/token', fault: { kind: 'delay', ms: Infinity, forward: 'before' } });
}

const refreshing = (w: World, n = 1) => until(`${n} refresh(es) at the IdP`, () => w.idpProxy.inFlight >= n);

test('sign-out during a refresh waits for it, then removes everything: no refresh token comes back', async (t) => {
  const { w, id } = await world(t);
  const python = join(w.home, 'python-store');
  w.env.OPENEO_CONFIG_HOME = python; // the Python client's store, for every process of this test
  const exported = await w.cli(['export-python', id, '--sync']);
  assert.equal(exported.code, 0, exported.stderr);
  holdIdp(w);
  const token = start(w, ['token', id, '--min-valid', '99999']);
  await refreshing(w);
  const logout = start(w, ['logout', id]);
  // The sign-out waits for the refresh's lock; meanwhile the IdP's answer arrives.
  await new Promise((r) => setTimeout(r, 300));
  w.idpProxy.clear();
  const [tok, out] = await Promise.all([token.done, logout.done]);
  assert.equal(tok.code, 0, tok.stderr);
  assert.equal(out.code, 0, out.stderr);
  for (const kind of ['refresh_token', 'access_token', 'client_secret']) assert.equal(await w.secret(`${id}/${kind}`), null, `no ${kind} left in the keychain`);
  assert.equal((await w.cli(['status', '--json'])).stdout.includes(id), false, 'no identity left');
  const store = join(python, 'refresh-tokens.json');
  assert.ok(!existsSync(store) || !readFileSync(store, 'utf8').includes('refresh_token'), 'no refresh token left in the Python store');
  assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0);
});

test('a second process started after a wall-clock jump of 90 s waits for the live lock instead of taking it', { skip: spawnSync('faketime', ['-f', '+0s', 'true']).status === 0 ? false : 'faketime is not installed (Debian package faketime)' }, async (t) => {
  const { w, id } = await world(t);
  holdIdp(w);
  const first = start(w, ['token', id, '--min-valid', '99999']);
  await refreshing(w);
  const second = start(w, ['token', id, '--min-valid', '99999'], ['faketime', '-f', '+90s']);
  // Before the fix the second judged the lock stale by its file's age and sent the same refresh
  // token: a second request at the IdP. Now it waits; its own refresh comes only after the first.
  const sentTwice = await until('a second refresh at the IdP while the first holds the lock', () => w.idpProxy.inFlight >= 2, 4_000).then(() => true, () => false);
  w.idpProxy.clear();
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(sentTwice, false, 'the second process sent a refresh while the first held the lock');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0, 'no refresh token spent twice');
  const again = await w.cli(['token', id, '--min-valid', '99999']);
  assert.equal(again.code, 0, again.stderr);
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`${signal} during a refresh: the CLI saves the rotated token first, then ends as asked; the login lives on`, async (t) => {
    const { w, id } = await world(t);
    holdIdp(w);
    const run = start(w, ['token', id, '--min-valid', '99999']);
    await refreshing(w);
    run.child.kill(signal);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(run.child.exitCode, null, 'still running: the signal waits for the save');
    w.idpProxy.clear();
    const ended = await run.done;
    assert.equal(ended.signal, signal, `ended by ${signal} once saved (${ended.stderr})`);
    assert.match(ended.stderr, /stopping as soon as the renewed login is saved/);
    const next = await w.cli(['token', id]);
    assert.equal(next.code, 0, `the login survived: ${next.stderr}`);
    assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0);
  });
}

test('a keychain locked for a moment while the rotated token is saved: the CLI asks again and the login lives on', async (t) => {
  const { w, id } = await world(t);
  holdIdp(w);
  const run = start(w, ['token', id, '--min-valid', '99999']);
  await refreshing(w);
  await w.keyring.lock();
  w.idpProxy.clear();
  await new Promise((r) => setTimeout(r, 600));
  await w.keyring.unlock();
  const ended = await run.done;
  assert.equal(ended.code, 0, ended.stderr);
  const next = await w.cli(['token', id, '--min-valid', '99999']);
  assert.equal(next.code, 0, `the rotated token was saved: ${next.stderr}`);
  assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0);
});

test('OPENEO_AUTH_TRAY_TIMEOUT out of range is clamped with a sentence, not a failure at once', async (t) => {
  const { w, id } = await world(t);
  for (const value of ['2147484', '1e9']) {
    const run = await w.cli(['token', id, '--min-valid', '99999'], { env: { ...w.env, OPENEO_AUTH_TRAY_TIMEOUT: value } });
    assert.equal(run.code, 0, `${value}: ${run.stderr}`);
    assert.match(run.stderr, /longer than the longest wait there can be/);
  }
  const bad = await w.cli(['token', id], { env: { ...w.env, OPENEO_AUTH_TRAY_TIMEOUT: 'soon' } });
  assert.equal(bad.code, 0);
  assert.match(bad.stderr, /not a number of seconds/);
});

test('a backend that refuses a token renewed seconds ago: no second refresh, TOKEN_REFUSED_AFTER_RENEWAL with exit 5', { skip: spawnSync('faketime', ['-f', '+0s', 'true']).status === 0 ? false : 'faketime is not installed (Debian package faketime)' }, async (t) => {
  const { w, id } = await world(t);
  const { createHash } = await import('node:crypto');
  const fp = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);
  const first = await w.cli(['token', id]);
  const refreshesBefore = w.idp.counters.byGrant.refresh_token ?? 0;
  // The scripts' clock is 30 s ahead: the token from the sign-in is "30 s old" for them.
  const later = (args: string[]) => start(w, args, ['faketime', '-f', '+30s']).done;
  // Refused although it is not new: renewed once.
  const renewed = await later(['token', id, '--json', '--refused', fp(first.stdout.trim())]);
  assert.equal(renewed.code, 0, renewed.stderr);
  const fresh = (JSON.parse(renewed.stdout) as { access_token: string }).access_token;
  assert.notEqual(fresh, first.stdout.trim());
  assert.equal((w.idp.counters.byGrant.refresh_token ?? 0) - refreshesBefore, 1);
  // Refused again at once: the backend refuses fresh tokens; renewing would not help.
  const again = await later(['token', id, '--json', '--refused', fp(fresh)]);
  assert.equal(again.code, 5, again.stderr);
  assert.match(again.stderr, /refuses the access token .* although it was renewed \d+ s ago/);
  assert.equal((w.idp.counters.byGrant.refresh_token ?? 0) - refreshesBefore, 1, 'no refresh for the second refusal');
  // A refusal of a token that was already replaced costs nothing: the newer one comes back.
  const older = await later(['token', id, '--refused', fp(first.stdout.trim())]);
  assert.equal(older.stdout.trim(), fresh);
});

test('one login damaged by a hand edit: only it is set aside, its secrets are found and it is taken back; nothing is orphaned', async (t) => {
  const { w, id } = await world(t);
  const other = await signIn(w, ['--label', 'second'], { login: 'bob' });
  assert.notEqual(other, id);
  const file = join(w.home, 'settings.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { identities: Array<{ id: string; label: string }> };
  doc.identities.find((i) => i.id === id)!.label = 'alice\tat work';
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
  const refreshBefore = await w.secret(`${id}/refresh_token`);

  const refused = await w.cli(['token', other]);
  assert.equal(refused.code, 1, 'the file is left alone by a read-only command');
  assert.match(refused.stderr, /a login that cannot be read .* doctor --set-aside/);
  const aside = await w.cli(['doctor', '--set-aside']);
  assert.equal(aside.code, 0, aside.stderr);
  assert.match(aside.stderr, /Set aside .*its secrets stay in the keychain/);
  const works = await w.cli(['token', other]);
  assert.equal(works.code, 0, `the other login works: ${works.stderr}`);

  const listed = await w.cli(['doctor', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const report = JSON.parse(listed.stdout) as { orphans: Array<{ id: string; adoptable: boolean; secrets: string[]; label: string | null }> };
  assert.deepEqual(report.orphans.map((o) => [o.id, o.adoptable, o.label]), [[id, true, 'alice at work']]);
  assert.ok(!listed.stdout.includes(String(refreshBefore)), 'no secret in what doctor prints');
  const adopted = await w.cli(['doctor', '--adopt', id]);
  assert.equal(adopted.code, 0, adopted.stderr);
  const back = await w.cli(['token', id, '--min-valid', '99999']);
  assert.equal(back.code, 0, `the login lives on without a new sign-in: ${back.stderr}`);
  assert.deepEqual((JSON.parse((await w.cli(['doctor', '--json'])).stdout) as { orphans: unknown[] }).orphans, []);

  // A login whose entry was lost without a trace (an older version, a file replaced by hand):
  // nothing rebuilds it, so its secrets are deleted on request, never silently.
  const carol = await signIn(w, ['--label', 'carol'], { login: 'carol' });
  const now = JSON.parse(readFileSync(file, 'utf8')) as { identities: Array<{ id: string }> };
  now.identities = now.identities.filter((i) => i.id !== carol);
  writeFileSync(file, JSON.stringify(now), { mode: 0o600 });
  const lost = JSON.parse((await w.cli(['doctor', '--json'])).stdout) as { orphans: Array<{ id: string; adoptable: boolean; secrets: string[] }> };
  assert.deepEqual(lost.orphans.map((o) => [o.id, o.adoptable, o.secrets.sort()]), [[carol, false, ['access_token', 'refresh_token']]]);
  assert.equal((await w.cli(['doctor', '--delete', carol])).code, 2, '--delete wants --yes');
  assert.equal((await w.cli(['doctor', '--delete', carol, '--yes'])).code, 0);
  assert.equal(await w.secret(`${carol}/refresh_token`), null);
  assert.equal(await w.secret(`${carol}/access_token`), null);
});

test('with an agent running, `token` leaves the refresh to it: even kill -9 of the CLI in the middle loses nothing', async (t) => {
  const { w, id } = await world(t);
  const agent = start(w, ['agent', '--foreground']);
  t.after(async () => { agent.child.kill('SIGTERM'); await agent.done; });
  const socket = join(String(w.env.XDG_RUNTIME_DIR), 'openeo-auth-tray', 'agent.sock');
  await until('the agent listens', () => existsSync(socket));
  holdIdp(w);
  const run = start(w, ['token', id, '--min-valid', '99999']);
  await refreshing(w);
  run.child.kill('SIGKILL');
  assert.equal((await run.done).signal, 'SIGKILL');
  w.idpProxy.clear();
  const next = await w.cli(['token', id]);
  assert.equal(next.code, 0, `the agent finished and saved the refresh: ${next.stderr}`);
  assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0);
  // And without the agent the CLI refreshes by itself.
  agent.child.kill('SIGTERM');
  await agent.done;
  const alone = await w.cli(['token', id, '--min-valid', '99999']);
  assert.equal(alone.code, 0, alone.stderr);
});
