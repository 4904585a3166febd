/**
 * Sync with the openEO Python client's store never hands one person's login to another
 * (issue 10, items 2 and 6), end to end: the built CLI, the real keychain and a real
 * oidc-provider that rotates refresh tokens.
 *
 * The store has one slot per issuer + client. Before the fix, with sync on, an identity took
 * whatever token the store held there: after alice and bob had both exported, a refresh of
 * alice's identity produced a token whose subject was bob, while `status` still said alice. And
 * `logout` of a synced login left its live refresh token in refresh-tokens.json.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { me, signIn, startSharedCliWorld, type SharedCliWorld } from './cli-harness.ts';
import { pythonHome, pythonSideLogin, pythonSideRefresh, pythonSideSave, readStore, storedToken } from './python-side.ts';

let world: SharedCliWorld;
before(async () => {
  world = await startSharedCliWorld();
});
after(() => world?.stop());

/** `login` as this person, labelled with the name. */
const cliLogin = (env: NodeJS.ProcessEnv, login: string): Promise<string> => signIn(world.on(env), ['--label', login], { login });

/** The Python client logging in by itself (device flow) as `login`, then saving its token in the store. */
async function pythonSignsIn(file: string, login: string): Promise<string> {
  const token = await pythonSideLogin(world.idp, login);
  pythonSideSave(world.idp, file, token, new Date(Date.now() + 1000));
  return token;
}

/** Whose access token this is, as the openEO backend sees it. */
async function whose(accessToken: string): Promise<string | undefined> {
  const { body } = await me(world.backend, `oidc/${world.backend.providerId}/${accessToken}`);
  return typeof body.user_id === 'string' ? body.user_id : undefined;
}

/** A refresh (the cached 300 s access token is too short-lived for --min-valid 100000). */
async function forcedToken(env: NodeJS.ProcessEnv, id: string): Promise<string> {
  const run = await runCli(['token', id, '--min-valid', '100000'], { env });
  assert.equal(run.code, 0, `token ${id}: ${run.stderr}`);
  return run.stdout.trim();
}

function syncOf(home: string, id: string): { enabled: boolean } | undefined {
  const settings = JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')) as { identities: Array<{ id: string; pythonSync?: { enabled: boolean } }> };
  return settings.identities.find((i) => i.id === id)?.pythonSync;
}

/** What switching the app's "sync with Python" setting on does: every shared identity's sync is on again. */
function enableSync(home: string, id: string): void {
  const path = join(home, 'settings.json');
  const settings = JSON.parse(readFileSync(path, 'utf8')) as { identities: Array<{ id: string; pythonSync?: { enabled: boolean } }> };
  const identity = settings.identities.find((i) => i.id === id);
  assert.ok(identity?.pythonSync);
  identity.pythonSync.enabled = true;
  writeFileSync(path, JSON.stringify(settings, null, 2), { mode: 0o600 });
}

describe('Python sync: one person per login (item 2)', () => {
  test('alice and bob both exported with --sync: a refresh of alice gives alice\'s token, never bob\'s', async () => {
    const { env, home, file } = pythonHome(world);
    const alice = await cliLogin(env, 'alice');
    const bob = await cliLogin(env, 'bob');
    for (const id of [alice, bob]) {
      const exported = await runCli(['export-python', id, '--sync'], { env });
      assert.equal(exported.code, 0, exported.stderr);
    }
    assert.equal(await whose(await forcedToken(env, alice)), 'alice');
    assert.equal(syncOf(home, alice)?.enabled, false, 'bob took the store\'s one slot: alice\'s sync is off');

    // Even with alice's sync switched on again (the app's global setting), bob's token in the
    // store is recognised as bob's without being spent.
    enableSync(home, alice);
    const bobsInStore = storedToken(world.idp, file);
    assert.equal(await whose(await forcedToken(env, alice)), 'alice');
    assert.equal(storedToken(world.idp, file), bobsInStore, 'the store still holds bob\'s login, untouched');
    const python = await pythonSideRefresh(world.idp, bobsInStore);
    assert.equal(python.status, 200, 'bob\'s Python login still works');
    assert.equal(await whose(python.accessToken!), 'bob');

    const status = await runCli(['status', '--json'], { env });
    const rows = JSON.parse(status.stdout) as Array<{ id: string; user_id: string }>;
    assert.equal(rows.find((r) => r.id === alice)?.user_id, 'alice');
  });

  test('the Python client signed in as bob by itself: alice\'s refresh proves the token is not hers, gives it back and goes on with her own', async () => {
    const { env, home, file } = pythonHome(world);
    const alice = await cliLogin(env, 'alice');
    assert.equal((await runCli(['export-python', alice, '--sync'], { env })).code, 0);
    await pythonSignsIn(file, 'bob');

    const token = await forcedToken(env, alice);
    assert.equal(await whose(token), 'alice', 'alice\'s identity still hands out alice\'s tokens');
    assert.equal(syncOf(home, alice)?.enabled, false, 'sync is off: the store follows another person now');

    // Bob's Python login survived: the store holds the token his was rotated into, and it works.
    const python = await pythonSideRefresh(world.idp, storedToken(world.idp, file));
    assert.equal(python.status, 200, 'bob\'s Python login still works');
    assert.equal(await whose(python.accessToken!), 'bob');
    // And alice's own login goes on.
    assert.equal(await whose(await forcedToken(env, alice)), 'alice');
  });
});

describe('logout of a synced login (item 6)', () => {
  test('the refresh token is removed from refresh-tokens.json too; other entries stay', async () => {
    const { env, file } = pythonHome(world);
    const alice = await cliLogin(env, 'alice');
    assert.equal((await runCli(['export-python', alice, '--sync'], { env })).code, 0);
    const store = readStore(file);
    store['https://other-idp.example/realms/x'] = { 'other-client': { date: '2026-01-01T00:00:00Z', refresh_token: 'another-login-of-the-python-client' } };
    writeFileSync(file, JSON.stringify(store, null, 2));
    const shared = storedToken(world.idp, file);

    const out = await runCli(['logout', alice], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /removed from the openEO Python client's store/);
    const after = readStore(file);
    assert.equal(after[world.idp.issuer], undefined, 'no entry for this issuer is left');
    assert.deepEqual(after['https://other-idp.example/realms/x'], store['https://other-idp.example/realms/x'], 'the other login is kept');
    assert.ok(!readFileSync(file, 'utf8').includes(shared), 'the shared refresh token is gone from the file');
  });

  test('a login the Python client made by itself in that slot is left alone', async () => {
    const { env, file } = pythonHome(world);
    const alice = await cliLogin(env, 'alice');
    assert.equal((await runCli(['export-python', alice, '--no-sync'], { env })).code, 0);
    const bobs = await pythonSignsIn(file, 'bob');
    const out = await runCli(['logout', alice], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /holds a login of its own/);
    assert.equal(storedToken(world.idp, file), bobs, 'bob\'s Python login is untouched');
  });
});
