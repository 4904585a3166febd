/**
 * The settings folder refusing writes. The tests run as root, for whom mode bits (chmod 0500)
 * change nothing, so the folder is made immutable with `chattr +i` (ext2/3/4, xfs, btrfs):
 * even root then cannot create, rename or delete a file in it (EPERM), while files in it stay
 * readable. Where the file system has no such flag the test says so and skips.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { HOUR, MINUTE, startSignedInStand, stopOwnKeyring, type FaultStand } from './harness.ts';

const TOKEN = '/token';

after(stopOwnKeyring);

/** Why `chattr +i` cannot make a folder read-only for root here, or null when it can. */
function immutableUnsupported(): string | null {
  const probe = mkdtempSync(join(tmpdir(), 'oat-chattr-'));
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'pipe' });
    try {
      writeFileSync(join(probe, 'x'), 'x');
      return 'chattr +i did not stop a write';
    } catch {
      return null;
    } finally {
      execFileSync('chattr', ['-i', probe], { stdio: 'pipe' });
    }
  } catch (e) {
    return `chattr +i is not available here: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const setImmutable = (dir: string, on: boolean) => execFileSync('chattr', [on ? '+i' : '-i', dir], { stdio: 'pipe' });

/** Keychain accounts of the app (`secret-tool search --all`), to see what a failed save leaves behind. */
function keychainAccounts(env: NodeJS.ProcessEnv): string[] {
  let out: string;
  try {
    out = execFileSync('secret-tool', ['search', '--all', 'service', 'openeo-auth-tray'], { env, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch {
    return [];
  }
  return [...out.matchAll(/^attribute\.account = (.+)$/gm)].map((m) => m[1]!).filter((a) => a !== '__health__').sort();
}

describe('settings folder refusing writes', { skip: immutableUnsupported() ?? false }, () => {
  let s: FaultStand;
  let id: string;
  let locked = false;
  const readOnly = (on: boolean) => {
    setImmutable(s.dir, on);
    locked = on;
  };

  before(async () => ({ s, id } = await startSignedInStand({ cli: true })));
  after(async () => {
    if (locked) setImmutable(s.dir, false);
    await s?.stop();
  });

  test('a refresh whose settings cannot be saved: error shown, the rotated token kept, bounded retries, recovery', async (t) => {
    // One good refresh first, as in any run that has been up for a few minutes (it creates locks/).
    await s.runFor(1_000);
    assert.ok((await s.api.refreshNow(id)).ok);
    await s.runFor(1_000);
    const rtBefore = await s.keychainRefreshToken(id);
    assert.ok(rtBefore);
    const settingsBefore = readFileSync(join(s.dir, 'settings.json'), 'utf8');
    readOnly(true);
    try {
      assert.throws(() => writeFileSync(join(s.dir, 'probe'), 'x'), /EPERM/, 'root cannot write in the folder now');

      const result = await s.api.refreshNow(id);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.code, 'SETTINGS_WRITE_FAILED', result.message);
      assert.equal(result.message, `Could not save the settings in ${s.dir} (EPERM); the previous settings are unchanged.`);
      assert.equal((await s.status(id)).state, 'error');
      // The IdP rotated the token; the keychain got the new one before the settings were tried.
      const rtNow = await s.keychainRefreshToken(id);
      assert.ok(rtNow && rtNow !== rtBefore && (await s.isActiveAtIdp(rtNow)), 'the keychain holds the working refresh token');

      const cli = await runCli(['token', id, '--min-valid', '3600'], { env: s.cliEnv(), timeoutMs: 30_000 });
      t.diagnostic(`CLI: exit ${cli.code}: ${cli.stderr.trim()}`);
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stderr, /Could not save the settings in .* \(EPERM\)/);

      const requests = s.idpProxy.count(TOKEN);
      await s.runFor(HOUR);
      const perHour = s.idpProxy.count(TOKEN) - requests;
      t.diagnostic(`token requests in the read-only hour: ${perHour}`);
      assert.ok(perHour >= 2 && perHour <= 20, `${perHour} refreshes in an hour`);
      const rtLater = await s.keychainRefreshToken(id);
      assert.ok(rtLater && (await s.isActiveAtIdp(rtLater)), 'after an hour of failed saves the keychain still holds the working token');
      assert.equal(readFileSync(join(s.dir, 'settings.json'), 'utf8'), settingsBefore, 'the settings file is intact');
      assert.equal((await s.status(id)).state, 'error');
    } finally {
      readOnly(false);
    }

    await s.runFor(5 * MINUTE + 1_000);
    assert.equal((await s.status(id)).state, 'active');
    const rtAfter = await s.keychainRefreshToken(id);
    assert.ok(rtAfter && (await s.isActiveAtIdp(rtAfter)));
    assert.notEqual(readFileSync(join(s.dir, 'settings.json'), 'utf8'), settingsBefore, 'saved again');
  });

  test('a sign-in whose identity cannot be saved: the error is shown, no half-made identity', async (t) => {
    const identitiesBefore = (await s.api.listIdentities());
    const accountsBefore = keychainAccounts(s.keyring.env);
    readOnly(true);
    let result;
    try {
      const started = await s.api.startDeviceLogin({ backendUrl: s.backendProxy.url });
      assert.ok(started.ok, started.ok ? '' : started.message);
      if (!started.ok) return;
      const { approveDevice } = await import('../fixtures/device-user.ts');
      await approveDevice(started.value.verificationUriComplete!);
      result = await s.api.awaitLogin(started.value.loginId);
    } finally {
      readOnly(false);
    }
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.code, 'SETTINGS_WRITE_FAILED', result.message);
    assert.deepEqual(await s.api.listIdentities(), identitiesBefore, 'no identity was added');
    const orphans = keychainAccounts(s.keyring.env).filter((a) => !accountsBefore.includes(a));
    t.diagnostic(`keychain entries left by the failed sign-in: ${orphans.length ? orphans.join(', ') : 'none'}`);
    assert.deepEqual(orphans, [], 'no orphaned secrets in the keychain');
  });
});

describe('settings folder read-only before the first refresh of the run', { skip: immutableUnsupported() ?? false }, () => {
  let s: FaultStand;
  let id: string;
  let locked = false;

  before(async () => ({ s, id } = await startSignedInStand()));
  after(async () => {
    if (locked) setImmutable(s.dir, false);
    await s?.stop();
  });

  test('the refresh fails with a sentence and works again once the folder is writable', async (t) => {
    await s.runFor(1_000);
    const rtBefore = await s.keychainRefreshToken(id);
    setImmutable(s.dir, true);
    locked = true;
    let result;
    try {
      result = await s.api.refreshNow(id);
    } finally {
      setImmutable(s.dir, false);
      locked = false;
    }
    assert.equal(result.ok, false);
    if (result.ok) return;
    t.diagnostic(`${result.code}: ${result.message}`);
    // The sign-in made the lock folder (it runs under the refresh lock), so the refresh itself went
    // through; only the settings file could not take the new facts. Nothing is lost: the keychain
    // holds a refresh token the IdP honours, the rotated one or the untouched one.
    const rtNow = await s.keychainRefreshToken(id);
    assert.ok(rtNow && (rtNow === rtBefore || (await s.isActiveAtIdp(rtNow))), 'the keychain holds a live refresh token');
    await s.runFor(10 * 60_000);
    const row = await s.status(id);
    t.diagnostic(`10 min after the folder is writable again: ${row.state} ${row.problem?.message ?? ''}`);
    assert.equal(result.code, 'SETTINGS_WRITE_FAILED', result.message);
    assert.equal(row.state, 'active', row.problem?.message);
  });
});
