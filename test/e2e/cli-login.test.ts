/**
 * `openeo-auth-tray login` as a script or a person runs it: the device flow's JSON lines and
 * words, a refused sign-in, service accounts with the secret from the environment or stdin
 * (and never anywhere else), and usage mistakes.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceLogin, errorLines, filesUnder, me, startCliWorld, statusRows, theErrorLine, type CliWorld } from './cli-harness.ts';

let world: CliWorld;
beforeEach(async () => {
  world = await startCliWorld();
});
afterEach(async () => {
  await world.stop();
});

describe('login by device flow', () => {
  test('--json writes exactly the device_authorization and authenticated lines; the words go to stderr', async () => {
    const { run, events } = await deviceLogin(world, ['--label', 'Alice at the fixture']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(events.length, 2, `two JSON lines expected on stdout, got:\n${run.stdout}`);

    const [authorization, authenticated] = events as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(authorization.event, 'device_authorization');
    assert.equal(typeof authorization.verification_uri, 'string');
    assert.equal(typeof authorization.verification_uri_complete, 'string');
    assert.equal(typeof authorization.user_code, 'string');
    assert.ok(new URL(String(authorization.verification_uri)).href.startsWith(world.idp.issuer), 'verification_uri is at the IdP');
    assert.equal(new URL(String(authorization.verification_uri_complete)).searchParams.get('user_code'), authorization.user_code);
    assert.equal(typeof authorization.expires_in, 'number');
    assert.ok((authorization.expires_in as number) > 500 && (authorization.expires_in as number) <= 600, `expires_in ${String(authorization.expires_in)}`);

    assert.equal(authenticated.event, 'authenticated');
    assert.equal(typeof authenticated.identity, 'string');
    assert.equal(authenticated.label, 'Alice at the fixture');
    assert.equal(authenticated.user_id, 'alice');

    assert.ok(run.stderr.includes(`Visit ${String(authorization.verification_uri_complete)} to authenticate.`), run.stderr);
    assert.ok(run.stderr.includes(String(authorization.user_code)), 'the user code is on stderr');

    const rows = await statusRows(world);
    assert.deepEqual(rows.map((r) => r.id), [authenticated.identity], 'the identity of the authenticated line is the one stored');
  });

  test('a refused sign-in exits 1 with one clear error line and stores nothing', async () => {
    const { run, events } = await deviceLogin(world, [], { refuse: true });
    assert.equal(run.code, 1, run.stderr);
    const errors = errorLines(run.stderr);
    assert.equal(errors.length, 1, run.stderr);
    assert.match(errors[0]!, /refused/i);
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
    assert.ok(!events.some((e) => e.event === 'authenticated'));
    assert.equal(events.at(-1)?.event, 'error');
    assert.equal(events.at(-1)?.code, 'LOGIN_REFUSED');
    assert.deepEqual(await statusRows(world), []);
  });
});

describe('login with client credentials', () => {
  /** The secret must be nowhere but the keychain: not in output, not in any file of the settings folder. */
  async function assertSecretOnlyInKeychain(output: string, id: string): Promise<void> {
    const secret = world.idp.serviceClient.secret;
    assert.ok(!output.includes(secret), 'the client secret was printed');
    for (const file of filesUnder(world.home)) assert.ok(!file.text.includes(secret), `the client secret is in ${file.path}`);
    assert.equal(await world.secret(`${id}/client_secret`), secret, 'the client secret is in the keychain');
  }

  test('reads the secret from OPENEO_AUTH_CLIENT_SECRET', async () => {
    const env = { ...world.env, OPENEO_AUTH_CLIENT_SECRET: world.idp.serviceClient.secret };
    const run = await world.cli(['login', world.backend.url, '--flow', 'client-credentials', '--client-id', world.idp.serviceClient.id, '--json'], { env });
    assert.equal(run.code, 0, run.stderr);
    const done = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
    assert.equal(done.event, 'authenticated');
    assert.equal(done.kind, 'client-credentials');
    const id = String(done.identity);
    assert.ok(existsSync(join(world.home, 'settings.json')));
    await assertSecretOnlyInKeychain(run.stdout + run.stderr, id);

    const accessToken = (await world.cli(['token', id])).stdout.trim();
    assert.equal((await me(world.backend, `oidc/testidp/${accessToken}`)).status, 200, 'the service account token works at the backend');
  });

  test('reads the secret from stdin with --client-secret-stdin', async () => {
    const run = await world.cli(['login', world.backend.url, '--flow', 'client-credentials', '--client-id', world.idp.serviceClient.id, '--client-secret-stdin'], {
      input: `${world.idp.serviceClient.secret}\n`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '', 'without --json nothing on stdout');
    const [row] = await statusRows(world);
    assert.equal(row?.kind, 'client-credentials');
    await assertSecretOnlyInKeychain(run.stdout + run.stderr, row.id);
    const settings = readFileSync(join(world.home, 'settings.json'), 'utf8');
    assert.ok(settings.includes(world.idp.serviceClient.id), 'the client id is kept in the settings');
  });

  test('a wrong secret is refused clearly and nothing is stored', async () => {
    const wrong = 'this-is-not-the-secret-0123456789';
    const run = await world.cli(['login', world.backend.url, '--flow', 'client-credentials', '--client-id', world.idp.serviceClient.id, '--client-secret-stdin'], { input: wrong });
    assert.equal(run.code, 3, `a refused secret needs a new sign-in, as everywhere (docs/error-kinds.json): ${run.stderr}`);
    const line = errorLines(run.stderr);
    assert.equal(line.length, 1, run.stderr);
    assert.match(line[0]!, /did not accept this client ID and secret/);
    assert.ok(!(run.stdout + run.stderr).includes(wrong), 'the wrong secret was printed');
    assert.deepEqual(await statusRows(world), []);
    for (const file of filesUnder(world.home)) assert.ok(!file.text.includes(wrong), `the wrong secret is in ${file.path}`);
  });

  test('without any secret it is a usage error', async () => {
    const run = await world.cli(['login', world.backend.url, '--flow', 'client-credentials', '--client-id', world.idp.serviceClient.id]);
    assert.equal(run.code, 2);
    assert.match(theErrorLine(run), /OPENEO_AUTH_CLIENT_SECRET/);
  });
});

describe('usage errors exit 2 with one line', () => {
  const cases: Array<[string, (w: CliWorld) => string[], RegExp]> = [
    ['no backend URL', () => ['login'], /backend URL/],
    ['an unknown flag', (w) => ['login', w.backend.url, '--bogus'], /--bogus/],
    ['a bad --flow', (w) => ['login', w.backend.url, '--flow', 'bad'], /--flow must be one of/],
    ['a client secret as an argument', (w) => ['login', w.backend.url, '--flow', 'client-credentials', '--client-id', 'x', '--client-secret', 'y'], /--client-secret/],
    ['an unknown command', () => ['logn'], /unknown command/],
    ['a bad --min-valid', () => ['token', '--min-valid', 'soon'], /--min-valid/],
  ];
  for (const [name, args, words] of cases) {
    test(name, async () => {
      const run = await world.cli(args(world));
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(theErrorLine(run), words);
    });
  }
});

