/**
 * The keychain failing: locked in the middle of a run (this file's own gnome-keyring, locked and
 * unlocked over D-Bus), absent altogether (no Secret Service on the bus), and locked at the worst
 * moment, between the IdP's rotation of the refresh token and the app saving the new one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { keyringAbsentEnv } from '../helpers/keyring.ts';
import { HOUR, startSignedInStand, stopOwnKeyring, until, type FaultStand } from './harness.ts';

const TOKEN = '/token';

after(stopOwnKeyring);

describe('keychain faults', () => {
  let s: FaultStand;
  let id: string;
  before(async () => ({ s, id } = await startSignedInStand({ cli: true })));
  after(() => s?.stop());

  test('locked mid-run: shown as keychain-unavailable, nothing asked of the IdP, recovers on unlock', async (t) => {
    await s.runFor(1_000);
    const rtBefore = await s.keychainRefreshToken(id);
    assert.ok(rtBefore);
    const notes = s.notifications.length;
    const tokenRequests = s.idpProxy.count(TOKEN);

    await s.keyring.lock();
    let unlocked = false;
    t.after(async () => {
      if (!unlocked) await s.keyring.unlock();
    });
    const result = await s.api.refreshNow(id);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.code, 'KEYCHAIN_LOCKED');
    t.diagnostic(`shown: ${result.message} ${result.nextStep ?? ''}`);
    assert.match(result.message, /^The system keychain is locked \(it says: ".+"\)\.$/);
    assert.match(result.nextStep ?? '', /Unlock your keyring/);
    const row = await s.status(id);
    assert.equal(row.state, 'keychain-unavailable');
    assert.equal(row.problem?.code, 'KEYCHAIN_LOCKED');

    // The CLI says the same, with its own exit code.
    const cli = await runCli(['token', id, '--min-valid', '3600'], { env: s.cliEnv(), timeoutMs: 30_000 });
    assert.equal(cli.code, 4, cli.stderr);
    assert.match(cli.stderr, /keychain is locked/);

    // An hour locked: bounded keychain attempts, no IdP request at all (nothing to send).
    const calls = s.secrets.calls;
    await s.runFor(HOUR);
    const keychainCalls = s.secrets.calls - calls;
    t.diagnostic(`keychain calls in the locked hour: ${keychainCalls}; IdP token requests: ${s.idpProxy.count(TOKEN) - tokenRequests}`);
    assert.ok(keychainCalls <= 40, `${keychainCalls} keychain calls in an hour`);
    assert.equal(s.idpProxy.count(TOKEN), tokenRequests, 'no token request while the keychain is locked');
    assert.equal((await s.status(id)).state, 'keychain-unavailable');
    assert.ok(s.notifications.length - notes <= 1, 'at most one notification');

    await s.keyring.unlock();
    unlocked = true;
    assert.equal(await s.keychainRefreshToken(id), rtBefore, 'the refresh token survived the lock');
    s.core.resume(); // the Electron layer calls this on unlock-screen and resume
    await s.quiet();
    assert.equal((await s.status(id)).state, 'active');
    assert.equal(s.idpProxy.count(TOKEN) - tokenRequests, 1, 'one refresh after unlocking');
    const rtAfter = await s.keychainRefreshToken(id);
    assert.ok(rtAfter && rtAfter !== rtBefore && (await s.isActiveAtIdp(rtAfter)));
  });

  test('absent (no Secret Service): the CLI says so with exit 4 and leaves everything as it was', async (t) => {
    const rtBefore = await s.keychainRefreshToken(id);
    assert.ok(rtBefore);
    const settingsBefore = readFileSync(join(s.dir, 'settings.json'), 'utf8');
    const absent = { ...keyringAbsentEnv(), OPENEO_AUTH_TRAY_HOME: s.dir };

    const status = await runCli(['status', '--json'], { env: absent, timeoutMs: 30_000 });
    assert.equal(status.code, 0, status.stderr);
    const rows = JSON.parse(status.stdout) as Array<{ id: string; state: string; problem: { code: string } | null }>;
    assert.equal(rows.find((r) => r.id === id)?.state, 'keychain-unavailable');
    assert.equal(rows.find((r) => r.id === id)?.problem?.code, 'KEYCHAIN_UNAVAILABLE');

    const plain = await runCli(['status'], { env: absent, timeoutMs: 30_000 });
    assert.match(plain.stderr, /^Keychain: The system keychain cannot be used \(it says: ".+"\)/);

    const token = await runCli(['token', id], { env: absent, timeoutMs: 30_000 });
    assert.equal(token.code, 4, token.stderr);
    t.diagnostic(`token: ${token.stderr.trim()}`);
    assert.equal(token.stdout, '');
    assert.match(token.stderr, /The system keychain cannot be used .* install and start gnome-keyring or KWallet/);

    assert.equal(readFileSync(join(s.dir, 'settings.json'), 'utf8'), settingsBefore, 'settings untouched');
    assert.equal(await s.keychainRefreshToken(id), rtBefore, 'refresh token untouched');
    // The keychain is back (a new session): the same command works.
    const back = await runCli(['token', id], { env: s.cliEnv(), timeoutMs: 30_000 });
    assert.equal(back.code, 0, back.stderr);
  });

  test('absent at sign-in: the CLI login stops before asking the person anything, exit 4, nothing saved', async () => {
    const absent = { ...keyringAbsentEnv(), OPENEO_AUTH_TRAY_HOME: s.dir };
    const settingsBefore = readFileSync(join(s.dir, 'settings.json'), 'utf8');
    const approvals: Promise<void>[] = [];
    const { approveDevice } = await import('../fixtures/device-user.ts');
    const deviceRequests = s.idpProxy.count('/device/auth');
    const run = await runCli(['login', s.backendProxy.url, '--json', '--no-browser'], {
      env: absent,
      timeoutMs: 30_000,
      onStdoutLine: (line) => {
        const event = JSON.parse(line) as { event: string; verification_uri_complete?: string };
        if (event.event === 'device_authorization' && event.verification_uri_complete) approvals.push(approveDevice(event.verification_uri_complete));
      },
    });
    await Promise.all(approvals);
    assert.equal(run.code, 4, run.stderr);
    assert.equal(approvals.length, 0, 'no user code was shown');
    assert.equal(s.idpProxy.count('/device/auth'), deviceRequests, 'no device authorization was started');
    assert.match(run.stderr, /The system keychain cannot be used/);
    assert.equal(readFileSync(join(s.dir, 'settings.json'), 'utf8'), settingsBefore, 'no identity was added');
    // No plain-text fallback: the refresh token of the existing login is in no file either.
    const rt = await s.keychainRefreshToken(id);
    assert.ok(rt);
    for (const file of filesUnder(s.dir)) assert.ok(!readFileSync(file, 'utf8').includes(rt), `${file} holds no token`);
  });

  test('locked between the IdP rotating the refresh token and the app saving it: the login survives', async () => {
    await s.runFor(1_000);
    const rtBefore = await s.keychainRefreshToken(id);
    assert.ok(rtBefore);
    s.idpProxy.inject({ path: TOKEN, method: 'POST', fault: { kind: 'delay', ms: Infinity, forward: 'before' }, times: 1 });
    const refresh = s.api.refreshNow(id);
    await until(async () => !(await s.isActiveAtIdp(rtBefore)), 'the IdP rotated the refresh token');
    await s.keyring.lock();
    let result;
    try {
      s.idpProxy.release();
      result = await refresh;
    } finally {
      await s.keyring.unlock();
    }
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, 'KEYCHAIN_LOCKED');

    s.core.resume();
    await s.quiet();
    await s.runFor(HOUR);
    const row = await s.status(id);
    const rtNow = await s.keychainRefreshToken(id);
    assert.equal(row.state, 'active', `state ${row.state}: ${row.problem?.message ?? ''}`);
    assert.ok(rtNow && (await s.isActiveAtIdp(rtNow)), 'the keychain holds a refresh token the IdP honours');
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}
