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
