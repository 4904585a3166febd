/**
 * Two-way sync with the openEO Python client's store, end to end: the built CLI, the real
 * keychain, and a real oidc-provider that ROTATES refresh tokens and revokes the whole login when
 * a spent one is used again. "The Python side" is played by hand: it reads the store, runs a
 * refresh grant with fetch, and writes (or does not write) the rotated token back, exactly as
 * `authenticate_oidc()` (saves) and `authenticate_oidc_refresh_token()` (does not save) do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { secretKey } from '../../src/shared/model.ts';
import { me, signIn, startSharedCliWorld, type SharedCliWorld } from './cli-harness.ts';
import { pythonHome, pythonSideRefresh, pythonSideSave, storedToken } from './python-side.ts';

const secrets = createKeytarSecretStore();
let world: SharedCliWorld;
before(async () => {
  world = await startSharedCliWorld();
});
after(() => world?.stop());

/** `openeo-auth-tray token` that must refresh: the cached access token (300 s) is too short-lived. */
function forcedToken(env: NodeJS.ProcessEnv, id: string) {
  return runCli(['token', id, '--min-valid', '100000'], { env });
}

async function backendMe(accessToken: string): Promise<{ status: number; userId?: string }> {
  const { status, body } = await me(world.backend, `oidc/${world.backend.providerId}/${accessToken}`);
  return { status, ...(typeof body.user_id === 'string' ? { userId: body.user_id } : {}) };
}

const refreshGrants = (): number => world.idp.counters.byGrant['refresh_token'] ?? 0;

describe('two-way sync with the Python client store', () => {
  test('A: the Python side refreshed and SAVED a rotated token — the app adopts it instead of spending its stale copy', async () => {
    const { env, file } = pythonHome(world);
    const id = await signIn(world.on(env));
    const exported = await runCli(['export-python', id, '--sync'], { env });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /Sync is on/);

    for (let round = 1; round <= 2; round++) {
      // The Python side: read, refresh, save the rotated token (a newer date).
      const pythonHad = storedToken(world.idp, file);
      const python = await pythonSideRefresh(world.idp, pythonHad);
      assert.equal(python.status, 200, `round ${round}: the Python side's refresh: ${python.error}`);
      pythonSideSave(world.idp, file, python.refreshToken!);
      const ourStale = await secrets.get(secretKey(id, 'refresh_token'));
      assert.equal(ourStale, pythonHad, `round ${round}: the app still holds the token the Python side just spent`);

      // Our refresh: must adopt the store's token (spending ours would revoke the whole login).
      const grantsBefore = refreshGrants();
      const token = await forcedToken(env, id);
      assert.equal(token.code, 0, `round ${round}: ${token.stderr}`);
      assert.equal(refreshGrants() - grantsBefore, 1, 'exactly one refresh, with the adopted token');
      assert.deepEqual(await backendMe(token.stdout.trim()), { status: 200, userId: 'alice' });

      // The store now holds our newest rotated token, the same as the keychain.
      const ours = await secrets.get(secretKey(id, 'refresh_token'));
      assert.ok(ours && ours !== python.refreshToken && ours !== pythonHad, `round ${round}: a newly rotated token`);
      assert.equal(storedToken(world.idp, file), ours, `round ${round}: written back to the store`);
    }

    // The Python side's next refresh with what the store holds works (the login is alive).
    const next = await pythonSideRefresh(world.idp, storedToken(world.idp, file));
    assert.equal(next.status, 200, `the Python side after sync: ${next.error}`);
  });

  test('B: the Python side refreshed WITHOUT saving — the login is revoked; the app says "sign in again" (exit 3) once, without looping', async (t) => {
    // This is the documented limit of sharing a refresh token on a rotating IdP: the Python side's
    // `authenticate_oidc_refresh_token()` spends the shared token and keeps the rotated one only in
    // memory. Our copy (the same token) is spent; when we use it the IdP sees reuse and revokes
    // the whole grant — the Python side's in-memory token dies too. Nothing can bring it back.
    // What the user sees today: "openeo-auth-tray: This login has expired or was revoked — sign in again."
    const { env, file } = pythonHome(world);
    const id = await signIn(world.on(env));
    assert.equal((await runCli(['export-python', id, '--sync'], { env })).code, 0);
    const shared = storedToken(world.idp, file);
    const python = await pythonSideRefresh(world.idp, shared);
    assert.equal(python.status, 200);
    // ... and the Python side does not write python.refreshToken anywhere.

    const grantsBefore = refreshGrants();
    const token = await forcedToken(env, id);
    assert.equal(token.code, 3, `exit 3 = a new login is needed; stderr: ${token.stderr}`);
    assert.equal(token.stdout, '', 'no token on stdout');
    // What the user sees (one line on stderr), shown in the test report:
    t.diagnostic(`what the user sees: ${token.stderr.trim()}`);
    assert.match(token.stderr, /^openeo-auth-tray: .*(expired|no longer valid|revoked|sign in again).*\n$/is);
    assert.match(token.stderr, /sign in again|login/i);
    assert.equal(token.stderr.trim().split('\n').length, 1, `one clear line: ${token.stderr}`);
    assert.equal(refreshGrants() - grantsBefore, 1, 'one refresh attempt; no retry loop with the same spent token');

    // The IdP revoked the whole login: the Python side's rotated token is dead too.
    const pythonAgain = await pythonSideRefresh(world.idp, python.refreshToken!);
    assert.equal(pythonAgain.status, 400);
    assert.equal(pythonAgain.error, 'invalid_grant');

    const status = await runCli(['status', '--json'], { env });
    const row = (JSON.parse(status.stdout) as Array<{ id: string; state: string }>).find((r) => r.id === id);
    assert.equal(row?.state, 'expired', 'status shows the login as expired');
    const again = await forcedToken(env, id);
    assert.equal(again.code, 3, again.stderr);
  });

  test('invalid_grant while the store holds a different, valid token: the app tries that one before declaring the login expired', async () => {
    const { env, file } = pythonHome(world);
    const id = await signIn(world.on(env));
    assert.equal((await runCli(['export-python', id, '--sync'], { env })).code, 0);
    const valid = storedToken(world.idp, file);
    // Our keychain copy becomes unusable (e.g. a keychain restored from an old backup); the store
    // still holds the valid token that we wrote there ourselves (so nothing tells us to adopt it).
    await secrets.set(secretKey(id, 'refresh_token'), 'an-old-refresh-token-the-idp-does-not-know');

    const grantsBefore = refreshGrants();
    const token = await forcedToken(env, id);
    assert.equal(token.code, 0, token.stderr);
    assert.equal(refreshGrants() - grantsBefore, 2, 'ours (refused), then the store\'s');
    assert.deepEqual(await backendMe(token.stdout.trim()), { status: 200, userId: 'alice' });
    const ours = await secrets.get(secretKey(id, 'refresh_token'));
    assert.ok(ours && ours !== valid, 'the keychain holds the token rotated from the store\'s');
    assert.equal(storedToken(world.idp, file), ours, 'and the store holds it too');
    const python = await pythonSideRefresh(world.idp, storedToken(world.idp, file));
    assert.equal(python.status, 200, `the Python side still works: ${python.error}`);
  });

  test('without sync nothing is read from or written to the store when the app refreshes', async () => {
    const { env, file } = pythonHome(world);
    const id = await signIn(world.on(env));
    assert.equal((await runCli(['export-python', id, '--no-sync'], { env })).code, 0);
    const before = readFileSync(file);
    const token = await forcedToken(env, id);
    assert.equal(token.code, 0, token.stderr);
    assert.ok(readFileSync(file).equals(before), 'the store is untouched');
  });

  test('a store file that turned unreadable does not stop the app refreshing, and is left untouched', async () => {
    // The Python client cannot read or write such a file either, so it cannot hold a newer token.
    const { env, file, home } = pythonHome(world);
    const id = await signIn(world.on(env));
    assert.equal((await runCli(['export-python', id, '--sync'], { env })).code, 0);
    const broken = `${readFileSync(file, 'utf8').slice(0, 40)} <- cut off`;
    writeFileSync(file, broken);
    const token = await forcedToken(env, id);
    assert.equal(token.code, 0, token.stderr);
    assert.deepEqual(await backendMe(token.stdout.trim()), { status: 200, userId: 'alice' });
    assert.equal(readFileSync(file, 'utf8'), broken, 'the file is left as it was');
    assert.match(readFileSync(join(home, 'logs', 'cli.log'), 'utf8'), /could not write the rotated refresh token to the Python client's store/, 'the skipped write-back is logged');
  });

  test('--sync with --dir other than the store the app follows is refused, and nothing is written', async () => {
    const { env } = pythonHome(world);
    const id = await signIn(world.on(env));
    const elsewhere = world.tempDir('oat-e2e-elsewhere-');
    const run = await runCli(['export-python', id, '--dir', elsewhere, '--sync'], { env });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /OPENEO_CONFIG_HOME/);
    assert.throws(() => readFileSync(join(elsewhere, 'refresh-tokens.json')), { code: 'ENOENT' });
  });
});
