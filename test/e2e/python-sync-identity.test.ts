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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveDevice } from '../fixtures/device-user.ts';
import { startTestIdp, type TestIdp } from '../fixtures/oidc-provider.ts';
import { startFixtureBackend, type FixtureBackend } from '../fixtures/openeo-backend.ts';
import { runCli } from '../helpers/cli.ts';

type StoreJson = Record<string, Record<string, { date?: string; refresh_token: string }>>;

const temps: string[] = [];
let idp: TestIdp;
let backend: FixtureBackend;

before(async () => {
  idp = await startTestIdp();
  backend = await startFixtureBackend({ idp });
});

after(async () => {
  await backend.stop();
  await idp.stop();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function cliEnv(): { env: NodeJS.ProcessEnv; home: string; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'oat-e2e-home-'));
  const py = mkdtempSync(join(tmpdir(), 'oat-e2e-py-'));
  temps.push(home, py);
  return { env: { ...process.env, OPENEO_AUTH_TRAY_HOME: home, OPENEO_CONFIG_HOME: py }, home, file: join(py, 'refresh-tokens.json') };
}

async function cliLogin(env: NodeJS.ProcessEnv, login: string): Promise<string> {
  let approval: Promise<void> | undefined;
  const run = await runCli(['login', backend.url, '--json', '--no-browser', '--label', login], {
    env,
    onStdoutLine: (line) => {
      const event = JSON.parse(line) as { event: string; verification_uri_complete?: string };
      if (event.event === 'device_authorization') approval = approveDevice(event.verification_uri_complete!, { login });
    },
  });
  await approval;
  assert.equal(run.code, 0, `login failed: ${run.stderr}`);
  return (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { identity: string }).identity;
}

function storedToken(file: string): string | undefined {
  const store = JSON.parse(readFileSync(file, 'utf8')) as StoreJson;
  return store[idp.issuer]?.[idp.publicClientId]?.refresh_token;
}

/** The Python client logging in by itself (device flow) as `login`, then saving its token in the store. */
async function pythonSideLogin(file: string, login: string): Promise<string> {
  const started = await fetch(`${idp.issuer}/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: idp.publicClientId, scope: 'openid offline_access' }) });
  const device = await started.json() as { device_code: string; verification_uri_complete: string };
  await approveDevice(device.verification_uri_complete, { login });
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: idp.publicClientId }),
  });
  const body = await res.json() as { refresh_token?: string };
  assert.ok(body.refresh_token, 'the Python side got a refresh token');
  const store = JSON.parse(readFileSync(file, 'utf8')) as StoreJson;
  store[idp.issuer] = { ...store[idp.issuer], [idp.publicClientId]: { date: `${new Date(Date.now() + 1000).toISOString().slice(0, 19)}Z`, refresh_token: body.refresh_token } };
  writeFileSync(file, JSON.stringify(store, null, 2));
  return body.refresh_token;
}

/** The Python client's refresh with the store's token; the subject it belongs to (via the backend). */
async function pythonSideRefresh(refreshToken: string): Promise<{ status: number; refreshToken?: string; accessToken?: string }> {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: idp.publicClientId, refresh_token: refreshToken }),
  });
  const body = await res.json() as { refresh_token?: string; access_token?: string };
  return { status: res.status, ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}), ...(body.access_token ? { accessToken: body.access_token } : {}) };
}

/** Whose access token this is, as the openEO backend sees it. */
async function whose(accessToken: string): Promise<string | undefined> {
  const res = await fetch(`${backend.apiUrl}/me`, { headers: { authorization: `Bearer oidc/${backend.providerId}/${accessToken}` } });
  return (await res.json() as { user_id?: string }).user_id;
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
    const { env, home, file } = cliEnv();
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
    const bobsInStore = storedToken(file);
    assert.equal(await whose(await forcedToken(env, alice)), 'alice');
    assert.equal(storedToken(file), bobsInStore, 'the store still holds bob\'s login, untouched');
    const python = await pythonSideRefresh(bobsInStore!);
    assert.equal(python.status, 200, 'bob\'s Python login still works');
    assert.equal(await whose(python.accessToken!), 'bob');

    const status = await runCli(['status', '--json'], { env });
    const rows = JSON.parse(status.stdout) as Array<{ id: string; user_id: string }>;
    assert.equal(rows.find((r) => r.id === alice)?.user_id, 'alice');
  });

  test('the Python client signed in as bob by itself: alice\'s refresh proves the token is not hers, gives it back and goes on with her own', async () => {
    const { env, home, file } = cliEnv();
    const alice = await cliLogin(env, 'alice');
    assert.equal((await runCli(['export-python', alice, '--sync'], { env })).code, 0);
    await pythonSideLogin(file, 'bob');

    const token = await forcedToken(env, alice);
    assert.equal(await whose(token), 'alice', 'alice\'s identity still hands out alice\'s tokens');
    assert.equal(syncOf(home, alice)?.enabled, false, 'sync is off: the store follows another person now');

    // Bob's Python login survived: the store holds the token his was rotated into, and it works.
    const python = await pythonSideRefresh(storedToken(file)!);
    assert.equal(python.status, 200, 'bob\'s Python login still works');
    assert.equal(await whose(python.accessToken!), 'bob');
    // And alice's own login goes on.
    assert.equal(await whose(await forcedToken(env, alice)), 'alice');
  });
});

describe('logout of a synced login (item 6)', () => {
  test('the refresh token is removed from refresh-tokens.json too; other entries stay', async () => {
    const { env, file } = cliEnv();
    const alice = await cliLogin(env, 'alice');
    assert.equal((await runCli(['export-python', alice, '--sync'], { env })).code, 0);
    const store = JSON.parse(readFileSync(file, 'utf8')) as StoreJson;
    store['https://other-idp.example/realms/x'] = { 'other-client': { date: '2026-01-01T00:00:00Z', refresh_token: 'another-login-of-the-python-client' } };
    writeFileSync(file, JSON.stringify(store, null, 2));
    const shared = storedToken(file)!;

    const out = await runCli(['logout', alice], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /removed from the openEO Python client's store/);
    const after = JSON.parse(readFileSync(file, 'utf8')) as StoreJson;
    assert.equal(after[idp.issuer], undefined, 'no entry for this issuer is left');
    assert.deepEqual(after['https://other-idp.example/realms/x'], store['https://other-idp.example/realms/x'], 'the other login is kept');
    assert.ok(!readFileSync(file, 'utf8').includes(shared), 'the shared refresh token is gone from the file');
  });

  test('a login the Python client made by itself in that slot is left alone', async () => {
    const { env, file } = cliEnv();
    const alice = await cliLogin(env, 'alice');
    assert.equal((await runCli(['export-python', alice, '--no-sync'], { env })).code, 0);
    const bobs = await pythonSideLogin(file, 'bob');
    const out = await runCli(['logout', alice], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /holds a login of its own/);
    assert.equal(storedToken(file), bobs, 'bob\'s Python login is untouched');
  });
});
