/**
 * A locked or absent keychain: the CLI says which, with what to do (exit 4), never "sign in
 * again", and overwrites nothing; after unlocking, the very same login works on.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { keyringAbsentEnv } from '../helpers/keyring.ts';
import { deviceLogin, me, settingsSnapshot, signIn, startCliWorld, statusRows, theErrorLine, token, type CliWorld } from './cli-harness.ts';

const KEYCHAIN_EXIT = 4;

let world: CliWorld;
beforeEach(async () => {
  world = await startCliWorld();
});
afterEach(async () => {
  await world.stop();
});

test('a locked keychain: token exits 4 naming the keychain, status says so, nothing is spent or overwritten; unlocked, it all works', async () => {
  const id = await signIn(world);
  const refreshBefore = await world.secret(`${id}/refresh_token`);
  const accessBefore = await world.secret(`${id}/access_token`);
  assert.ok(refreshBefore && accessBefore, 'the login stored its tokens');
  const settingsBefore = settingsSnapshot(world.home);
  const refreshesBefore = world.idp.counters.byGrant.refresh_token ?? 0;

  await world.keyring.lock();
  for (const args of [['token'], ['token', id, '--min-valid', '301'], ['token', '--bearer']]) {
    const run = await world.cli(args);
    assert.equal(run.code, KEYCHAIN_EXIT, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    const line = theErrorLine(run);
    assert.match(line, /keychain is locked/i);
    assert.match(line, /unlock/i, 'says what to do');
    assert.doesNotMatch(line, /sign in again|log in again|expired/i, 'a locked keychain is not an expired login');
  }
  const [row] = await statusRows(world);
  assert.equal(row?.state, 'keychain-unavailable');
  assert.equal((row?.problem as { code?: string } | null)?.code, 'KEYCHAIN_LOCKED');
  const human = await world.cli(['status']);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /Keychain locked — unlock it to continue/);
  assert.match(human.stderr, /locked/);

  const logout = await world.cli(['logout', id]);
  assert.equal(logout.code, KEYCHAIN_EXIT, `logout while locked: ${logout.stderr}`);
  assert.match(theErrorLine(logout), /keychain is locked/i);
  assert.deepEqual((await statusRows(world)).map((r) => r.id), [id], 'the identity is kept while its secrets cannot be removed');

  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshesBefore, 'no refresh token was spent while its successor could not be stored');
  assert.deepEqual(settingsSnapshot(world.home), settingsBefore, 'the settings file was not written');

  await world.keyring.unlock();
  assert.equal(await world.secret(`${id}/refresh_token`), refreshBefore, 'the refresh token is still there, unchanged');
  assert.equal(await world.secret(`${id}/access_token`), accessBefore);
  assert.equal(await token(world), accessBefore, 'the cached access token is used again');
  const renewed = await token(world, ['--min-valid', '301']);
  assert.notEqual(renewed, accessBefore);
  assert.equal((await me(world.backend, `oidc/testidp/${renewed}`)).status, 200);
  assert.notEqual(await world.secret(`${id}/refresh_token`), refreshBefore, 'the refresh token rotated and the new one was kept');
  assert.ok(['active', 'expiring-soon'].includes((await statusRows(world))[0]!.state));
});

test('a locked keychain stops a login before the person is asked to sign in', async () => {
  await world.keyring.lock();
  const { run, events } = await deviceLogin(world);
  assert.equal(run.code, KEYCHAIN_EXIT, run.stderr);
  assert.ok(!events.some((e) => e.event === 'device_authorization'), 'no sign-in was offered whose tokens could not be kept');
  assert.equal(world.idp.counters.deviceAuthorization, 0);
  assert.match(theErrorLine(run), /keychain is locked/i);
  assert.equal(existsSync(join(world.home, 'settings.json')), false, 'no settings were written');
});

test('no keychain at all: exit 4 at once with a clear message; the settings file is unchanged', async () => {
  const id = await signIn(world);
  const before = settingsSnapshot(world.home);
  const absent: NodeJS.ProcessEnv = { ...keyringAbsentEnv(), OPENEO_AUTH_TRAY_HOME: world.home };

  for (const args of [['token'], ['token', id, '--min-valid', '301']]) {
    const run = await world.cli(args, { env: absent, timeoutMs: 15_000 });
    assert.equal(run.code, KEYCHAIN_EXIT, run.stderr);
    assert.equal(run.stdout, '');
    const line = theErrorLine(run);
    assert.match(line, /keychain cannot be used/i);
    assert.match(line, /Secret Service|gnome-keyring|KWallet/, 'says what is missing');
    assert.doesNotMatch(line, /sign in again|expired/i);
  }
  const status = await world.cli(['status', '--json'], { env: absent, timeoutMs: 15_000 });
  assert.equal(status.code, 0, status.stderr);
  const [row] = JSON.parse(status.stdout) as Array<{ state: string; problem: { code: string } | null }>;
  assert.equal(row?.state, 'keychain-unavailable');
  assert.equal(row?.problem?.code, 'KEYCHAIN_UNAVAILABLE');
  assert.deepEqual(settingsSnapshot(world.home), before, 'the settings file was not written');
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, 0);

  // The keychain comes back (the same one): the login is intact.
  assert.ok(await token(world, ['--min-valid', '301']));
});
