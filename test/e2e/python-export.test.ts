/**
 * `export-python` end to end: the built CLI, the real keychain, a real oidc-provider that rotates
 * refresh tokens, and the openEO Python client's store read back by the client's own rules
 * (mode 0600, `{issuer: {client_id: {date, refresh_token}}}`, issuer without trailing `/`,
 * every other entry kept). Also: concurrent exports and store files we must refuse to touch.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestIdp } from '../fixtures/oidc-provider.ts';
import { startFixtureBackend } from '../fixtures/openeo-backend.ts';
import { runCli } from '../helpers/cli.ts';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { secretKey } from '../../src/shared/model.ts';
import { SHARING_NOTICE } from '../../src/main/core/python/sync-policy.ts';
import { signIn, signInService, startSharedCliWorld, type SharedCliWorld } from './cli-harness.ts';
import { pythonHome, pythonSideRefresh, readStore } from './python-side.ts';

const secrets = createKeytarSecretStore();
const mode = (p: string): number => statSync(p).mode & 0o777;

let world: SharedCliWorld;
before(async () => {
  world = await startSharedCliWorld();
  const { idp, backend } = world;
  // List the issuer WITH a trailing slash, as some backends do: the Python client looks the
  // issuer up without it, so a key with the slash would never be found.
  backend.override('GET', '/openeo/1.2/credentials/oidc', {
    body: {
      providers: [{
        id: backend.providerId,
        issuer: `${idp.issuer}/`,
        title: 'Test IdP',
        scopes: ['openid', 'email'],
        default_clients: [{ id: idp.publicClientId, grant_types: ['urn:ietf:params:oauth:grant-type:device_code+pkce', 'refresh_token'] }],
      }],
    },
  });
});
after(() => world?.stop());

describe('export-python', () => {
  test('writes a private store the Python client reads, keeps every other entry, and the token works by hand', async () => {
    const { env, py, home } = pythonHome(world);
    const id = await signIn(world.on(env));
    const file = join(py, 'refresh-tokens.json');
    // What the Python client already holds: another issuer, and another client of this issuer.
    const otherIssuer = 'https://identity.example.org/auth/realms/other';
    const before = {
      [otherIssuer]: { 'some-client': { date: '2024-02-03T04:05:06Z', refresh_token: 'other-issuer-token', note: 'Zürich ✓' } },
      [world.idp.issuer]: { 'another-client': { date: '2023-01-01T00:00:00Z', refresh_token: 'another-client-token' } },
    };
    writeFileSync(file, JSON.stringify(before, null, 2), { mode: 0o600 });

    const run = await runCli(['export-python', id], { env });
    assert.equal(run.code, 0, run.stderr);

    assert.equal(mode(file), 0o600, 'the Python client refuses a store with any group/other bit');
    const store = readStore(file);
    assert.deepEqual(Object.keys(store).sort(), [world.idp.issuer, otherIssuer].sort(), 'issuer key without trailing slash, nothing else added');
    assert.ok(!Object.hasOwn(store, `${world.idp.issuer}/`));
    assert.deepEqual(store[otherIssuer], before[otherIssuer], 'another issuer is kept as it was');
    assert.deepEqual(store[world.idp.issuer]!['another-client'], before[world.idp.issuer]!['another-client'], 'another client is kept as it was');
    const entry = store[world.idp.issuer]![world.idp.publicClientId]!;
    assert.deepEqual(Object.keys(entry).sort(), ['date', 'refresh_token']);
    assert.match(entry.date!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'RFC 3339 UTC, whole seconds, as the client writes it');
    assert.ok(Math.abs(Date.parse(entry.date!) - Date.now()) < 120_000, `date ${entry.date} is now`);
    assert.equal(entry.refresh_token, await secrets.get(secretKey(id, 'refresh_token')), 'the token in the keychain');
    assert.deepEqual(readdirSync(py).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');

    // The one-sentence notice about sharing on a rotating IdP, on stderr; no token anywhere in the output.
    assert.ok(run.stderr.includes(SHARING_NOTICE), run.stderr);
    assert.equal(SHARING_NOTICE.split(/[.!?](\s|$)/).filter((s) => s.trim()).length, 1, 'one sentence');
    assert.ok(!`${run.stdout}${run.stderr}`.includes(entry.refresh_token), 'the token is not printed');
    assert.ok(!JSON.stringify(readdirSync(home, { recursive: true }).map((f) => {
      try {
        return readFileSync(join(home, String(f)), 'utf8');
      } catch {
        return '';
      }
    })).includes(entry.refresh_token), 'the token is in no file of the settings folder');

    // "The Python side" uses the exported token by hand: a refresh grant that the IdP accepts.
    const refreshed = await pythonSideRefresh(world.idp, entry.refresh_token);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal(typeof refreshed.body['access_token'], 'string');
    assert.notEqual(refreshed.body['refresh_token'], entry.refresh_token, 'the IdP rotates refresh tokens');
  });

  test('creates a missing folder and file privately (0700 folder, 0600 file)', async () => {
    const { env, py } = pythonHome(world);
    const id = await signIn(world.on(env));
    const dir = join(py, 'nested', 'openeo-python-client');
    const run = await runCli(['export-python', id, '--dir', dir], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'refresh-tokens.json')), 0o600);
    assert.equal(readStore(join(dir, 'refresh-tokens.json'))[world.idp.issuer]![world.idp.publicClientId]!.refresh_token, await secrets.get(secretKey(id, 'refresh_token')));
  });

  test('bad store files are refused with a clear message and stay byte-identical', async () => {
    const { env, py } = pythonHome(world);
    const id = await signIn(world.on(env));
    const file = join(py, 'refresh-tokens.json');
    const cases: Array<{ name: string; bytes: string; mode: number; says: RegExp }> = [
      { name: 'invalid JSON', bytes: '{"https://x": {"c": {"refresh_token": "tok-1"', mode: 0o600, says: /is not valid JSON/ },
      { name: 'a list at the top', bytes: '[{"refresh_token": "tok-2"}]', mode: 0o600, says: /layout.*top level is not an object/ },
      { name: 'an entry without refresh_token', bytes: '{"https://x": {"c": {"token": "tok-3"}}}', mode: 0o600, says: /"https:\/\/x" → "c" has no refresh_token/ },
      { name: 'a client that is not an object', bytes: '{"https://x": {"c": "tok-4"}}', mode: 0o600, says: /"https:\/\/x" → "c" is not an object/ },
      { name: 'mode 0644', bytes: JSON.stringify({ 'https://x': { c: { date: '2024-01-01T00:00:00Z', refresh_token: 'tok-5' } } }), mode: 0o644, says: /mode 644.*chmod 600/ },
    ];
    for (const c of cases) {
      writeFileSync(file, c.bytes);
      chmodSync(file, c.mode);
      const settingsBefore = readFileSync(join(env.OPENEO_AUTH_TRAY_HOME!, 'settings.json'));
      const run = await runCli(['export-python', id], { env });
      assert.equal(run.code, 1, `${c.name}: exit code; stderr: ${run.stderr}`);
      assert.match(run.stderr, c.says, `${c.name}: the message says what is wrong`);
      assert.ok(run.stderr.includes(file), `${c.name}: the message names the file`);
      assert.match(run.stderr, /unchanged/, `${c.name}: the message says the file was left alone`);
      assert.ok(!/tok-\d/.test(run.stderr), `${c.name}: no token value quoted`);
      assert.equal(readFileSync(file, 'utf8'), c.bytes, `${c.name}: file unchanged`);
      assert.equal(mode(file), c.mode, `${c.name}: mode unchanged`);
      assert.deepEqual(readdirSync(py).filter((n) => n.endsWith('.tmp')), [], `${c.name}: no temporary file left`);
      assert.ok(readFileSync(join(env.OPENEO_AUTH_TRAY_HOME!, 'settings.json')).equals(settingsBefore), `${c.name}: nothing recorded as exported`);
    }
  });

  test('two processes exporting two identities into one file, over and over, keep every entry', async (t) => {
    // Two IdPs (two issuers), so the two logins have entries of their own in the one file.
    const idp2 = await startTestIdp();
    const backend2 = await startFixtureBackend({ idp: idp2 });
    t.after(async () => {
      await backend2.stop();
      await idp2.stop();
    });
    const { env, py } = pythonHome(world);
    const first = await signIn(world.on(env));
    const second = await signIn({ ...world.on(env), idp: idp2, backend: backend2 }, [], { login: 'bob' });
    const shared = join(py, 'shared');
    mkdirSync(shared, { mode: 0o700 });
    const file = join(shared, 'refresh-tokens.json');
    const bystander = { 'https://bystander.example': { c: { date: '2020-01-01T00:00:00Z', refresh_token: 'bystander-token' } } };
    writeFileSync(file, JSON.stringify(bystander), { mode: 0o600 });
    const expected = {
      [world.idp.issuer]: await secrets.get(secretKey(first, 'refresh_token')),
      [idp2.issuer]: await secrets.get(secretKey(second, 'refresh_token')),
    };
    for (let round = 0; round < 6; round++) {
      const runs = await Promise.all([
        runCli(['export-python', first, '--dir', shared], { env }),
        runCli(['export-python', second, '--dir', shared], { env }),
      ]);
      for (const run of runs) assert.equal(run.code, 0, `round ${round}: ${run.stderr}`);
      const store = readStore(file);
      assert.deepEqual(Object.keys(store).sort(), [...Object.keys(bystander), world.idp.issuer, idp2.issuer].sort(), `round ${round}: every issuer there`);
      assert.deepEqual(store['https://bystander.example'], bystander['https://bystander.example']);
      assert.equal(store[world.idp.issuer]![world.idp.publicClientId]!.refresh_token, expected[world.idp.issuer]);
      assert.equal(store[idp2.issuer]![idp2.publicClientId]!.refresh_token, expected[idp2.issuer]);
      assert.equal(mode(file), 0o600);
    }
    assert.deepEqual(readdirSync(shared).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
  });

  test('a service account has nothing to export', async () => {
    const { env, py } = pythonHome(world);
    const id = await signInService(world.on(env));
    const exported = await runCli(['export-python', id], { env });
    assert.equal(exported.code, 2, exported.stderr);
    assert.match(exported.stderr, /service account; it has no refresh token to share.*exec/);
    assert.deepEqual(readdirSync(py), [], 'no store written');
  });
});
