/**
 * Two-way sync with the openEO Python client's store, end to end: the built CLI, the real
 * keychain, and a real oidc-provider that ROTATES refresh tokens and revokes the whole login when
 * a spent one is used again. "The Python side" is played by hand: it reads the store, runs a
 * refresh grant with fetch, and writes (or does not write) the rotated token back, exactly as
 * `authenticate_oidc()` (saves) and `authenticate_oidc_refresh_token()` (does not save) do.
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
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { secretKey } from '../../src/shared/model.ts';

type StoreJson = Record<string, Record<string, { date?: string; refresh_token: string }>>;

const secrets = createKeytarSecretStore();
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

/** A settings folder of its own; the Python client's store lives in OPENEO_CONFIG_HOME. */
function cliEnv(): { env: NodeJS.ProcessEnv; home: string; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'oat-e2e-home-'));
  const py = mkdtempSync(join(tmpdir(), 'oat-e2e-py-'));
  temps.push(home, py);
  return { env: { ...process.env, OPENEO_AUTH_TRAY_HOME: home, OPENEO_CONFIG_HOME: py }, home, file: join(py, 'refresh-tokens.json') };
}

async function cliLogin(env: NodeJS.ProcessEnv, login = 'alice'): Promise<string> {
  let approval: Promise<void> | undefined;
  const run = await runCli(['login', backend.url, '--json', '--no-browser'], {
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

/** The Python side's token in the store (issuer + the public client). */
function storedToken(file: string): string {
  const store = JSON.parse(readFileSync(file, 'utf8')) as StoreJson;
  const entry = store[idp.issuer]?.[idp.publicClientId];
  assert.ok(entry, `the store holds no entry for ${idp.issuer} / ${idp.publicClientId}`);
  return entry.refresh_token;
}

/** The Python client's refresh: one refresh grant; returns the rotated refresh token. */
async function pythonSideRefresh(refreshToken: string): Promise<{ status: number; refreshToken?: string; error?: string }> {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: idp.publicClientId, refresh_token: refreshToken }),
  });
  const body = await res.json() as { refresh_token?: string; error?: string };
  return { status: res.status, ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}), ...(body.error ? { error: body.error } : {}) };
}

/** What `authenticate_oidc()` does after its refresh: rewrite the file in place with a current date. */
function pythonSideSave(file: string, refreshToken: string, date = new Date()): void {
  const store = JSON.parse(readFileSync(file, 'utf8')) as StoreJson;
  store[idp.issuer] = { ...store[idp.issuer], [idp.publicClientId]: { date: `${date.toISOString().slice(0, 19)}Z`, refresh_token: refreshToken } };
  writeFileSync(file, JSON.stringify(store, null, 2)); // like json.dump(..., indent=2) into the open file: mode kept
}

/** `openeo-auth-tray token` that must refresh: the cached access token (300 s) is too short-lived. */
function forcedToken(env: NodeJS.ProcessEnv, id: string) {
  return runCli(['token', id, '--min-valid', '100000'], { env });
}

async function backendMe(accessToken: string): Promise<{ status: number; userId?: string }> {
  const res = await fetch(`${backend.apiUrl}/me`, { headers: { authorization: `Bearer oidc/${backend.providerId}/${accessToken}` } });
  const body = await res.json() as { user_id?: string };
  return { status: res.status, ...(body.user_id ? { userId: body.user_id } : {}) };
}

const refreshGrants = (): number => idp.counters.byGrant['refresh_token'] ?? 0;

describe('two-way sync with the Python client store', () => {
  test('A: the Python side refreshed and SAVED a rotated token — the app adopts it instead of spending its stale copy', async () => {
    const { env, file } = cliEnv();
    const id = await cliLogin(env);
    const exported = await runCli(['export-python', id, '--sync'], { env });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /Sync is on/);

    for (let round = 1; round <= 2; round++) {
      // The Python side: read, refresh, save the rotated token (a newer date).
      const pythonHad = storedToken(file);
      const python = await pythonSideRefresh(pythonHad);
      assert.equal(python.status, 200, `round ${round}: the Python side's refresh: ${python.error}`);
      pythonSideSave(file, python.refreshToken!);
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
      assert.equal(storedToken(file), ours, `round ${round}: written back to the store`);
    }

    // The Python side's next refresh with what the store holds works (the login is alive).
    const next = await pythonSideRefresh(storedToken(file));
    assert.equal(next.status, 200, `the Python side after sync: ${next.error}`);
  });

  test('B: the Python side refreshed WITHOUT saving — the login is revoked; the app says "sign in again" (exit 3) once, without looping', async (t) => {
    // This is the documented limit of sharing a refresh token on a rotating IdP: the Python side's
    // `authenticate_oidc_refresh_token()` spends the shared token and keeps the rotated one only in
    // memory. Our copy (the same token) is spent; when we use it the IdP sees reuse and revokes
    // the whole grant — the Python side's in-memory token dies too. Nothing can bring it back.
    // What the user sees today: "openeo-auth-tray: This login has expired or was revoked — sign in again."
    const { env, file } = cliEnv();
    const id = await cliLogin(env);
    assert.equal((await runCli(['export-python', id, '--sync'], { env })).code, 0);
    const shared = storedToken(file);
    const python = await pythonSideRefresh(shared);
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
    const pythonAgain = await pythonSideRefresh(python.refreshToken!);
    assert.equal(pythonAgain.status, 400);
    assert.equal(pythonAgain.error, 'invalid_grant');

    const status = await runCli(['status', '--json'], { env });
    const row = (JSON.parse(status.stdout) as Array<{ id: string; state: string }>).find((r) => r.id === id);
    assert.equal(row?.state, 'expired', 'status shows the login as expired');
    const again = await forcedToken(env, id);
    assert.equal(again.code, 3, again.stderr);
  });

  test('invalid_grant while the store holds a different, valid token: the app tries that one before declaring the login expired', async () => {
    const { env, file } = cliEnv();
    const id = await cliLogin(env);
    assert.equal((await runCli(['export-python', id, '--sync'], { env })).code, 0);
    const valid = storedToken(file);
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
    assert.equal(storedToken(file), ours, 'and the store holds it too');
    const python = await pythonSideRefresh(storedToken(file));
    assert.equal(python.status, 200, `the Python side still works: ${python.error}`);
  });

  test('without sync nothing is read from or written to the store when the app refreshes', async () => {
    const { env, file } = cliEnv();
    const id = await cliLogin(env);
    assert.equal((await runCli(['export-python', id, '--no-sync'], { env })).code, 0);
    const before = readFileSync(file);
    const token = await forcedToken(env, id);
    assert.equal(token.code, 0, token.stderr);
    assert.ok(readFileSync(file).equals(before), 'the store is untouched');
  });

  test('a store file that turned unreadable does not stop the app refreshing, and is left untouched', async () => {
    // The Python client cannot read or write such a file either, so it cannot hold a newer token.
    const { env, file, home } = cliEnv();
    const id = await cliLogin(env);
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
    const { env } = cliEnv();
    const id = await cliLogin(env);
    const elsewhere = mkdtempSync(join(tmpdir(), 'oat-e2e-elsewhere-'));
    temps.push(elsewhere);
    const run = await runCli(['export-python', id, '--dir', elsewhere, '--sync'], { env });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /OPENEO_CONFIG_HOME/);
    assert.throws(() => readFileSync(join(elsewhere, 'refresh-tokens.json')), { code: 'ENOENT' });
  });
});
