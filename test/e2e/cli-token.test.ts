/**
 * After a login, every later process finds it: `token` (by id, by label, as a bearer string,
 * refreshed on demand with --min-valid) and `status --json` with its documented fields.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ISO_8601, me, signIn, startCliWorld, statusRows, theErrorLine, token, type CliWorld } from './cli-harness.ts';

let world: CliWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const REQUIRED = ['id', 'label', 'backend', 'provider', 'kind', 'user_id', 'state', 'access_token_expires_at', 'refresh_token_expires_at'];

test('a new process gets a valid token; status --json has every required field', async () => {
  world = await startCliWorld();
  const id = await signIn(world, ['--label', 'Fixture Alice']);

  const accessToken = await token(world);
  const atBackend = await me(world.backend, `oidc/testidp/${accessToken}`);
  assert.equal(atBackend.status, 200, 'the backend accepts the token');
  assert.equal(atBackend.body.user_id, 'alice');
  assert.equal(await token(world, [id]), accessToken, 'by id: the cached token');
  assert.equal(await token(world, ['Fixture Alice']), accessToken, 'by label: the same');
  assert.equal(await token(world, ['--bearer']), `oidc/testidp/${accessToken}`);

  const rows = await statusRows(world);
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  for (const field of REQUIRED) assert.ok(field in row, `status --json lacks ${field}`);
  assert.equal(row.id, id);
  assert.equal(row.label, 'Fixture Alice');
  assert.equal(row.backend, world.backend.url);
  assert.equal(row.provider, 'testidp');
  assert.equal(row.kind, 'personal');
  assert.equal(row.user_id, 'alice');
  assert.ok(['active', 'expiring-soon'].includes(row.state), row.state);
  assert.match(String(row.access_token_expires_at), ISO_8601);
  assert.match(String(row.refresh_token_expires_at), ISO_8601);
  const accessLeft = Date.parse(row.access_token_expires_at!) - Date.now();
  assert.ok(accessLeft > 200_000 && accessLeft <= 300_000, `access token expires in ${accessLeft} ms (the IdP gives 300 s)`);
  const refreshLeft = Date.parse(row.refresh_token_expires_at!) - Date.now();
  assert.ok(refreshLeft > 3_000_000 && refreshLeft <= 3_600_000, `refresh token expires in ${refreshLeft} ms (the IdP gives 3600 s)`);

  const unknown = await world.cli(['token', 'nobody']);
  assert.equal(unknown.code, 1);
  assert.match(theErrorLine(unknown), /No login is called "nobody"/);
});

test('--min-valid beyond the access token lifetime forces a refresh', async () => {
  world = await startCliWorld();
  const id = await signIn(world);
  const first = await token(world);
  const refreshToken = await world.secret(`${id}/refresh_token`);
  const before = world.idp.counters.byGrant.refresh_token ?? 0;

  const second = await token(world, ['--min-valid', '301']);
  assert.notEqual(second, first, 'a new access token');
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, before + 1, 'exactly one refresh grant');
  assert.notEqual(await world.secret(`${id}/refresh_token`), refreshToken, 'the rotated refresh token was stored');
  assert.equal((await me(world.backend, `oidc/testidp/${second}`)).status, 200);

  // Within the lifetime the new cached token is handed out, without asking the IdP.
  assert.equal(await token(world, ['--min-valid', '200']), second);
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, before + 1);
  const [row] = await statusRows(world);
  assert.ok(Date.parse(row!.access_token_expires_at!) - Date.now() > 250_000, 'status shows the new expiry');
});

test('--bearer is the raw token where the backend accepts JWT bearers', async () => {
  world = await startCliWorld({ jwtBearer: true });
  await signIn(world);
  const accessToken = await token(world);
  const bearer = await token(world, ['--bearer']);
  assert.equal(bearer, accessToken);
  assert.equal((await me(world.backend, bearer)).status, 200);
});

test('with two logins a token needs the id or label', async () => {
  world = await startCliWorld();
  const personal = await signIn(world);
  const env = { ...world.env, OPENEO_AUTH_CLIENT_SECRET: world.idp.serviceClient.secret };
  const service = await world.cli(['login', world.backend.url, '--flow', 'client-credentials', '--client-id', world.idp.serviceClient.id, '--label', 'robot'], { env });
  assert.equal(service.code, 0, service.stderr);

  const ambiguous = await world.cli(['token']);
  assert.equal(ambiguous.code, 1);
  assert.match(theErrorLine(ambiguous), /2 logins/);
  const robot = await token(world, ['robot']);
  const alice = await token(world, [personal]);
  assert.notEqual(robot, alice);
  assert.equal((await me(world.backend, `oidc/testidp/${robot}`)).body.user_id, 'service-account-openeo-service');

  // Client credentials are fetched anew when the cached token is not valid long enough.
  const before = world.idp.counters.byGrant.client_credentials ?? 0;
  const renewed = await token(world, ['robot', '--min-valid', '301']);
  assert.notEqual(renewed, robot);
  assert.equal(world.idp.counters.byGrant.client_credentials ?? 0, before + 1);
});

test('token --json: one object with the token, its expiry and where it may be sent', async () => {
  world = await startCliWorld({ idp: { accessTokenTtl: 120 } });
  const id = await signIn(world, ['--label', 'Fixture Alice']);
  const run = await world.cli(['token', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /^\{.*\}\n$/, 'exactly one line');
  const out = JSON.parse(run.stdout) as Record<string, string>;
  assert.deepEqual(Object.keys(out).sort(), ['access_token', 'api_url', 'backend', 'bearer', 'expires_at', 'identity', 'kind', 'label', 'provider_id']);
  assert.equal(out.identity, id);
  assert.equal(out.label, 'Fixture Alice');
  assert.equal(out.provider_id, 'testidp');
  assert.equal(out.backend, world.backend.url);
  assert.equal(out.api_url, world.backend.apiUrl);
  assert.equal(out.kind, 'personal');
  assert.equal(out.bearer, `oidc/testidp/${out.access_token}`);
  assert.match(out.expires_at!, ISO_8601);
  const left = Date.parse(out.expires_at!) - Date.now();
  assert.ok(left > 60_000 && left <= 120_000, `expires in ${left} ms`);
  assert.equal(out.access_token, await token(world), 'the same cached token as plain `token`');
  assert.equal((await me(world.backend, out.bearer)).status, 200);
});

test('token --backend: only a login of that backend, chosen when it is the only one there', async () => {
  world = await startCliWorld();
  const id = await signIn(world);
  for (const url of [world.backend.url, `${world.backend.url}/`, world.backend.apiUrl, `${world.backend.apiUrl}/`]) {
    const run = await world.cli(['token', '--json', '--backend', url]);
    assert.equal(run.code, 0, `${url}: ${run.stderr}`);
    assert.equal((JSON.parse(run.stdout) as { identity: string }).identity, id);
  }
  // Another backend: never this login's token, and the line says what to do.
  const elsewhere = 'http://127.0.0.1:9/openeo';
  const named = await world.cli(['token', id, '--json', '--backend', elsewhere]);
  assert.equal(named.code, 1);
  assert.ok(!named.stdout.includes('access_token'));
  assert.equal((JSON.parse(named.stdout) as { code: string }).code, 'IDENTITY_BACKEND_MISMATCH');
  assert.match(theErrorLine(named), new RegExp(`is for ${world.backend.url}, not for ${elsewhere}.*openeo-auth-tray login ${elsewhere}`));
  const none = await world.cli(['token', '--backend', elsewhere]);
  assert.equal(none.code, 1);
  assert.match(theErrorLine(none), new RegExp(`no login for ${elsewhere} yet.*${id} at ${world.backend.url}`));
  // A look-alike on another port is another backend.
  const port = Number(new URL(world.backend.url).port);
  const lookalike = await world.cli(['token', '--backend', `http://127.0.0.1:${port + 1}`]);
  assert.equal(lookalike.code, 1, lookalike.stderr);
  const insecure = await world.cli(['token', '--backend', 'http://openeo.example']);
  assert.equal(insecure.code, 1);
  assert.match(theErrorLine(insecure), /plain http/);
});
