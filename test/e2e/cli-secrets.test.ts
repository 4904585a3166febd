/**
 * Secrets stay in the keychain: after a whole run (device login, refreshes, a service account,
 * a failed /me, logouts) no token or secret is in any file of the settings folder, nor in anything
 * the CLI printed except `token`'s own output. And `logout --revoke` really ends the login.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliRun } from '../helpers/cli.ts';
import { deviceLogin, filesUnder, me, refreshByHand, signIn, startCliWorld, statusRows, token, type CliWorld } from './cli-harness.ts';

let world: CliWorld;
/** The CLI's own temp folder and the Python client's folder, searched like the settings folder. */
let tmp: string;
let python: string;
beforeEach(async () => {
  world = await startCliWorld();
  tmp = mkdtempSync(join(tmpdir(), 'openeo-cli-tmp-'));
  python = mkdtempSync(join(tmpdir(), 'openeo-cli-python-'));
  world.env.TMPDIR = tmp;
  world.env.OPENEO_CONFIG_HOME = python;
});
afterEach(async () => {
  await world.stop();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(python, { recursive: true, force: true });
});

test('no token or secret in any file of the settings folder nor in what the CLI printed', async () => {
  const printed: string[] = [];
  const secrets = new Set<string>([world.idp.serviceClient.secret]);
  const keep = (run: CliRun): CliRun => {
    printed.push(run.stdout, run.stderr);
    return run;
  };
  /** Everything the keychain holds for `id` right now joins the secrets to look for. */
  const collect = async (id: string): Promise<void> => {
    for (const kind of ['refresh_token', 'access_token', 'client_secret']) {
      const value = await world.secret(`${id}/${kind}`);
      if (value) secrets.add(value);
    }
  };
  /** `token`: its stdout is the one place a token may appear; its stderr must be clean. */
  const tokenRun = async (args: string[]): Promise<void> => {
    const value = await token(world, args);
    secrets.add(value.replace(/^oidc\/testidp\//, ''));
  };

  // A personal login, with a few refreshes (each rotates the refresh token).
  const login = await deviceLogin(world, ['--label', 'alice']);
  keep(login.run);
  assert.equal(login.run.code, 0, login.run.stderr);
  const alice = String(login.events.at(-1)?.identity);
  await collect(alice);
  for (let i = 0; i < 3; i++) {
    await tokenRun([alice, '--min-valid', '301']);
    await collect(alice);
  }
  await tokenRun(['alice', '--bearer']);

  // A service account, with /me failing at its login so that a warning reaches the log.
  world.backend.override('GET', '/openeo/1.2/me', { status: 500, body: { code: 'Internal', message: 'me is down' } });
  // OPENEO_AUTH_TRAY_DEBUG prints the causes of errors too: they must be redacted as well.
  const debug = { ...world.env, OPENEO_AUTH_TRAY_DEBUG: '1' };
  const env = { ...debug, OPENEO_AUTH_CLIENT_SECRET: world.idp.serviceClient.secret };
  const service = keep(await world.cli(['login', world.backend.url, '--flow', 'client-credentials', '--client-id', world.idp.serviceClient.id, '--label', 'robot', '--json'], { env }));
  assert.equal(service.code, 0, service.stderr);
  world.backend.override('GET', '/openeo/1.2/me', null);
  const robot = String((JSON.parse(service.stdout.trim()) as { identity: string }).identity);
  await collect(robot);
  await tokenRun(['robot', '--min-valid', '301']);
  await collect(robot);

  // A refresh that fails, and the usual readers.
  world.idp.failNextToken({ status: 503, body: 'down for maintenance' });
  const failed = keep(await world.cli(['token', alice, '--min-valid', '301'], { env: debug }));
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /cause:/, 'the debug output shows the cause');
  // An IdP whose error echoes the refresh token it was sent: the CLI must not repeat it.
  const current = await world.secret(`${alice}/refresh_token`);
  world.idp.failNextToken({
    status: 400,
    contentType: 'application/json',
    body: JSON.stringify({ error: 'invalid_request', error_description: `cannot use ${current} here` }),
  });
  const echoed = keep(await world.cli(['token', alice, '--min-valid', '301'], { env: debug }));
  assert.equal(echoed.code, 1, echoed.stderr);
  assert.match(echoed.stderr, /cannot use \[redacted\] here/, 'the IdP\'s words are shown, without the token');
  keep(await world.cli(['status']));
  keep(await world.cli(['status', '--json']));
  await collect(alice);

  const files = filesUnder(world.home);
  assert.ok(files.some((f) => f.path.endsWith('settings.json')));
  assert.ok(files.some((f) => f.path.includes('/logs/')), `the run should have left a log: ${files.map((f) => f.path).join(', ')}`);
  assertNoSecretIn(files, secrets, 'before logout');

  keep(await world.cli(['logout', alice, '--revoke']));
  keep(await world.cli(['logout', 'robot']));
  assert.deepEqual(await statusRows(world), []);

  assert.ok(secrets.size >= 10, `collected ${secrets.size} distinct secrets`);
  assertNoSecretIn(filesUnder(world.home), secrets, 'after logout');
  assertNoSecretIn(filesUnder(tmp), secrets, 'in the temp folder');
  assert.deepEqual(filesUnder(python), [], 'with export off nothing is written for the Python client');
  const output = printed.join('\n');
  for (const secret of secrets) assert.ok(!output.includes(secret), `a secret (${secret.slice(0, 4)}…) was printed outside \`token\``);
});

test('with Python sync on, the only place a refresh token is written is the Python store, mode 0600', async () => {
  const secrets = new Set<string>();
  const id = await signIn(world);
  const exported = await world.cli(['export-python', id, '--sync']);
  assert.equal(exported.code, 0, exported.stderr);
  for (let i = 0; i < 3; i++) {
    secrets.add((await token(world, [id, '--min-valid', '301'])).trim());
    for (const kind of ['refresh_token', 'access_token']) {
      const value = await world.secret(`${id}/${kind}`);
      if (value) secrets.add(value);
    }
  }
  const current = await world.secret(`${id}/refresh_token`);
  assert.ok(current);
  assertNoSecretIn(filesUnder(world.home), secrets, 'settings folder with sync on');
  assertNoSecretIn(filesUnder(tmp), secrets, 'temp folder with sync on');
  const store = filesUnder(python);
  assert.equal(store.length, 1, store.map((f) => f.path).join(', '));
  assert.ok(store[0]!.path.endsWith('refresh-tokens.json'));
  assert.equal(statSync(store[0]!.path).mode & 0o777, 0o600);
  const hits = [...secrets].filter((secret) => store[0]!.text.includes(secret));
  assert.deepEqual(hits, [current], 'the store holds exactly the current refresh token, nothing else');
});

function assertNoSecretIn(files: Array<{ path: string; text: string }>, secrets: Set<string>, when: string): void {
  for (const file of files) {
    for (const secret of secrets) {
      assert.ok(!file.text.includes(secret), `${when}: a secret (${secret.slice(0, 4)}…) is in ${file.path}`);
    }
  }
}

test('logout --revoke: the refresh token is dead at the IdP, the identity and its keychain entries are gone', async () => {
  const id = await signIn(world);
  await token(world, [id, '--min-valid', '301']);
  const refreshToken = await world.secret(`${id}/refresh_token`);
  const accessToken = await world.secret(`${id}/access_token`);
  assert.ok(refreshToken && accessToken);
  const revocations = world.idp.counters.revocation;

  const run = await world.cli(['logout', id, '--revoke']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /revoked at the identity provider: refresh_token, access_token/);
  assert.equal(world.idp.counters.revocation, revocations + 2);

  const refused = await refreshByHand(world.idp, refreshToken);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, 'invalid_grant', 'the IdP no longer honours the refresh token');
  const meStatus = (await me(world.backend, `oidc/testidp/${accessToken}`)).status;
  assert.ok(meStatus === 401 || meStatus === 403, `nor the access token (the backend answered ${meStatus})`);

  assert.deepEqual(await statusRows(world), []);
  for (const kind of ['refresh_token', 'access_token', 'client_secret']) {
    assert.equal(await world.secret(`${id}/${kind}`), null, `${kind} is gone from the keychain`);
  }
  const again = await world.cli(['token', id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no openEO logins yet|does not exist|No login is called/i);
});

test('logout without --revoke forgets the login locally only', async () => {
  const id = await signIn(world);
  const refreshToken = await world.secret(`${id}/refresh_token`);
  const run = await world.cli(['logout', id]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /not revoked/);
  assert.equal(await world.secret(`${id}/refresh_token`), null);
  assert.deepEqual(await statusRows(world), []);
  assert.equal((await refreshByHand(world.idp, refreshToken!)).status, 200, 'the IdP still honours it (it was not revoked)');
});
