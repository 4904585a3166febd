/**
 * `import-python` end to end: a login the Python client made itself (its own device flow against
 * the real, rotating oidc-provider, saved in its store) becomes an identity of this app.
 * Listing spends nothing; importing takes the token over (one refresh, the rotated token written
 * straight back) so the Python side keeps working.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { secretKey } from '../../src/shared/model.ts';
import { IMPORT_TAKEOVER_NOTICE } from '../../src/main/core/python/sync-policy.ts';
import { startSharedCliWorld, type SharedCliWorld } from './cli-harness.ts';
import { pythonHome, pythonSideLogin, pythonSideRefresh, readStore } from './python-side.ts';

const secrets = createKeytarSecretStore();
const OTHER_ISSUER = 'https://identity.example.org/auth/realms/elsewhere';
let world: SharedCliWorld;
before(async () => {
  world = await startSharedCliWorld();
});
after(() => world?.stop());

/** The store as the Python client leaves it: our IdP's login plus one of another issuer. */
function writePythonStore(file: string, refreshToken: string): string {
  const text = JSON.stringify({
    [world.idp.issuer]: { [world.idp.publicClientId]: { date: '2025-03-04T05:06:07Z', refresh_token: refreshToken } },
    [OTHER_ISSUER]: { 'other-client': { date: '2025-01-01T00:00:00Z', refresh_token: 'token-of-another-issuer' } },
  }, null, 2);
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
  return text;
}

describe('import-python', () => {
  test('without --yes it lists what the store holds and spends no token', async () => {
    const { env, file } = pythonHome(world);
    const token = await pythonSideLogin(world.idp, 'alice');
    const text = writePythonStore(file, token);
    const tokenRequests = world.idp.counters.token;

    const run = await runCli(['import-python'], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(world.idp.counters.token, tokenRequests, 'no request to the token endpoint: nothing was spent');
    assert.match(run.stderr, new RegExp(`issuer ${world.idp.issuer}\\s+client ${world.idp.publicClientId}\\s+saved 2025-03-04T05:06:07Z`));
    assert.match(run.stderr, new RegExp(`issuer ${OTHER_ISSUER}\\s+client other-client`));
    assert.ok(run.stderr.includes(IMPORT_TAKEOVER_NOTICE), 'says what importing will do first');
    assert.match(run.stderr, /import-python --backend <backend-url> --yes/);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(token), 'no token printed');
    assert.equal(readFileSync(file, 'utf8'), text, 'the store is untouched');
    const status = await runCli(['status', '--json'], { env });
    assert.deepEqual(JSON.parse(status.stdout), [], 'nothing imported');
    // The Python side's token still works, so nothing was spent behind its back.
    assert.equal((await pythonSideRefresh(world.idp, token)).status, 200);
  });

  test('with --backend and --yes it imports the login, and the Python side keeps a working token', async () => {
    const { env, file, home } = pythonHome(world);
    const token = await pythonSideLogin(world.idp, 'alice');
    writePythonStore(file, token);

    const run = await runCli(['import-python', '--backend', world.backend.url, '--yes'], { env });
    assert.match(run.stderr, /Imported "[^"]+" \(id [^,]+, user alice\); sync with the Python client is on/);
    // The entry of another issuer is not this backend's: it is skipped, not a failure.
    assert.match(run.stderr, new RegExp(`${OTHER_ISSUER}`));
    assert.equal(run.code, 0, run.stderr);

    const status = JSON.parse((await runCli(['status', '--json'], { env })).stdout) as Array<{ id: string; user_id: string; state: string; kind: string; issuer: string }>;
    assert.equal(status.length, 1);
    const row = status[0]!;
    assert.deepEqual({ user: row.user_id, kind: row.kind, issuer: row.issuer }, { user: 'alice', kind: 'personal', issuer: world.idp.issuer });
    // The test IdP's logins last an hour, within the default one-day warning: "expiring soon" is usable too.
    assert.ok(['active', 'expiring-soon'].includes(row.state), `state ${row.state}`);

    const store = readStore(file);
    const now = store[world.idp.issuer]![world.idp.publicClientId]!;
    assert.notEqual(now.refresh_token, token, 'the checked (spent) token was replaced by the rotated one');
    assert.equal(now.refresh_token, await secrets.get(secretKey(row.id, 'refresh_token')), 'the same token as in the keychain');
    assert.deepEqual(store[OTHER_ISSUER], { 'other-client': { date: '2025-01-01T00:00:00Z', refresh_token: 'token-of-another-issuer' } });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const settings = JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')) as { identities: Array<{ id: string; pythonSync?: { enabled: boolean } }> };
    assert.equal(settings.identities.find((i) => i.id === row.id)?.pythonSync?.enabled, true, 'sync recorded as on');

    // The imported identity works, and so does the Python side with the rotated token (sync on:
    // whatever the app refreshes later is written back, see python-sync.test.ts).
    const access = await runCli(['token', row.id], { env });
    assert.equal(access.code, 0, access.stderr);
    assert.equal((await pythonSideRefresh(world.idp, now.refresh_token)).status, 200);
  });

  test('a dead token is not imported; the store and the settings stay as they were', async () => {
    const { env, file } = pythonHome(world);
    const text = JSON.stringify({ [world.idp.issuer]: { [world.idp.publicClientId]: { date: '2025-03-04T05:06:07Z', refresh_token: 'a-token-the-idp-never-issued' } } });
    writeFileSync(file, text, { mode: 0o600 });
    const run = await runCli(['import-python', '--backend', world.backend.url, '--yes'], { env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`Could not import client ${world.idp.publicClientId} at ${world.idp.issuer}: .*(expired|revoked|sign in)`, 'i'));
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.deepEqual(JSON.parse((await runCli(['status', '--json'], { env })).stdout), []);
  });

  test('a store with only other backends\' logins: nothing imported, nothing spent, said so', async () => {
    const { env, file } = pythonHome(world);
    const text = JSON.stringify({ [OTHER_ISSUER]: { 'other-client': { date: '2025-01-01T00:00:00Z', refresh_token: 'token-of-another-issuer' } } });
    writeFileSync(file, text, { mode: 0o600 });
    const tokenRequests = world.idp.counters.token;
    const run = await runCli(['import-python', '--backend', world.backend.url, '--yes'], { env });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Skipped client other-client .*not a login provider/);
    assert.match(run.stderr, /None of these logins belongs to/);
    assert.equal(world.idp.counters.token, tokenRequests);
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  test('importing from a --dir the app does not follow is refused before any token is spent', async () => {
    const { env } = pythonHome(world);
    const elsewhere = world.tempDir('oat-e2e-elsewhere-');
    const token = await pythonSideLogin(world.idp, 'alice');
    const text = writePythonStore(join(elsewhere, 'refresh-tokens.json'), token);
    const tokenRequests = world.idp.counters.token;
    const run = await runCli(['import-python', '--dir', elsewhere, '--backend', world.backend.url, '--yes'], { env });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /OPENEO_CONFIG_HOME/);
    assert.equal(world.idp.counters.token, tokenRequests, 'nothing spent');
    assert.equal(readFileSync(join(elsewhere, 'refresh-tokens.json'), 'utf8'), text);
    // Listing that file is fine.
    const list = await runCli(['import-python', '--dir', elsewhere], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stderr, new RegExp(`client ${world.idp.publicClientId}`));
  });
});
