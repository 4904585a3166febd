/**
 * When a refresh fails: an unreachable IdP is "offline" (exit 5, every token kept, recovery once
 * it is back); a revoked or dead grant is "sign in again" (exit 3, state expired, nothing deleted).
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPIRED_SENTENCE, signInAgainStep, idpNetwork, me, refreshByHand, revokeAtIdp, settingsSnapshot, signIn, startCliWorld, statusRows, theErrorLine, token, type CliWorld } from './cli-harness.ts';

const NEEDS_LOGIN_EXIT = 3;
const OFFLINE_EXIT = 5;

let world: CliWorld;
beforeEach(async () => {
  world = await startCliWorld();
});
afterEach(async () => {
  await world.stop();
});

test('IdP down during a refresh: exit 5, the tokens are kept; when it is back, token works', async () => {
  const id = await signIn(world);
  const network = idpNetwork(world.idp);
  const refreshToken = await world.secret(`${id}/refresh_token`);
  const accessToken = await world.secret(`${id}/access_token`);
  const settingsBefore = settingsSnapshot(world.home);
  const refreshesBefore = world.idp.counters.byGrant.refresh_token ?? 0;

  await network.down();
  try {
    const run = await world.cli(['token', '--min-valid', '301'], { timeoutMs: 20_000 });
    assert.equal(run.code, OFFLINE_EXIT, run.stderr);
    assert.equal(run.stdout, '');
    const line = theErrorLine(run);
    assert.match(line, /Could not reach the identity provider/);
    assert.doesNotMatch(line, /sign in again|expired/i);
    // Offline with a cached token still valid long enough: that token is handed out.
    assert.equal(await token(world), accessToken);
  } finally {
    await network.up();
  }

  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshesBefore, 'the IdP saw no refresh');
  assert.equal(await world.secret(`${id}/refresh_token`), refreshToken, 'the refresh token is kept');
  assert.equal(await world.secret(`${id}/access_token`), accessToken, 'the access token is kept');
  assert.deepEqual(settingsSnapshot(world.home), settingsBefore, 'the identity was not marked expired or changed');
  assert.notEqual((await statusRows(world))[0]?.state, 'expired');

  const renewed = await token(world, ['--min-valid', '301']);
  assert.notEqual(renewed, accessToken);
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshesBefore + 1);
  assert.equal((await me(world.backend, `oidc/testidp/${renewed}`)).status, 200);
});

/** After the grant died: exit 3 with the sentence, state expired, identity and secrets still there. */
async function assertExpiredButKept(id: string): Promise<void> {
  const refreshToken = await world.secret(`${id}/refresh_token`);
  for (const args of [['token', '--min-valid', '301'], ['token']]) {
    const run = await world.cli(args);
    assert.equal(run.code, NEEDS_LOGIN_EXIT, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    assert.equal(theErrorLine(run), `openeo-auth-tray: ${EXPIRED_SENTENCE} ${signInAgainStep(world.backend.url)}`);
  }
  const rows = await statusRows(world);
  assert.deepEqual(rows.map((r) => [r.id, r.state]), [[id, 'expired']], 'still listed, as expired');
  assert.equal(await world.secret(`${id}/refresh_token`), refreshToken, 'nothing was deleted from the keychain');
  assert.ok(await world.secret(`${id}/access_token`));
  const human = await world.cli(['status']);
  assert.match(human.stdout, /Expired — sign in again/);
}

test('a revoked refresh token: exit 3 "sign in again", status expired, the identity stays', async () => {
  const id = await signIn(world);
  const refreshToken = await world.secret(`${id}/refresh_token`);
  assert.ok(refreshToken);
  await revokeAtIdp(world.idp, refreshToken, 'refresh_token');
  await assertExpiredButKept(id);
});

test('a rotated refresh token spent again kills the grant: exit 3, status expired', async () => {
  const id = await signIn(world);
  const old = await world.secret(`${id}/refresh_token`);
  await token(world, ['--min-valid', '301']); // rotates
  assert.notEqual(await world.secret(`${id}/refresh_token`), old);
  const reuse = await refreshByHand(world.idp, old!);
  assert.equal(reuse.body.error, 'invalid_grant', 'the IdP refuses the rotated token');
  await assertExpiredButKept(id);

  // Signing in again renews the same identity.
  const again = await signIn(world);
  assert.equal(again, id, 'same issuer, client and user: the same identity');
  assert.deepEqual((await statusRows(world)).map((r) => r.state).filter((s) => s === 'expired'), []);
  assert.ok(await token(world, ['--min-valid', '301']));
});
