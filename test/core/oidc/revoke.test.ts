import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startDeviceLogin } from '../../../src/main/core/oidc/device-login.ts';
import { connectIssuer, forgetDiscoveredIssuers, type IssuerConnection } from '../../../src/main/core/oidc/issuer.ts';
import { refreshTokens } from '../../../src/main/core/oidc/refresh.ts';
import { revokeTokens } from '../../../src/main/core/oidc/revoke.ts';
import { approveDevice } from '../../fixtures/device-user.ts';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { editJson, interceptingFetch, rejectsWith } from './support.ts';

describe('token revocation', () => {
  let idp: TestIdp;
  let conn: IssuerConnection;
  before(async () => {
    idp = await startTestIdp();
    conn = await connectIssuer(idp.issuer, idp.publicClientId);
  });
  after(() => idp.stop());
  beforeEach(() => forgetDiscoveredIssuers());

  async function signIn() {
    const login = await startDeviceLogin(conn, { scopes: ['openid', 'offline_access'], usePkce: true });
    await approveDevice(login.authorization.verificationUriComplete!);
    return login.result;
  }

  test('refresh then access token are revoked with hints, and the refresh token stops working', async () => {
    const tokens = await signIn();
    const hints: Array<string | null> = [];
    const watched = await connectIssuer(idp.issuer, idp.publicClientId, {
      fetch: interceptingFetch((path, init, forward) => {
        if (path === '/token/revocation') hints.push(new URLSearchParams(String(init?.body as URLSearchParams | string | undefined)).get('token_type_hint'));
        return forward();
      }),
    });
    const outcome = await revokeTokens(watched, { refreshToken: tokens.refreshToken!, accessToken: tokens.accessToken });
    assert.deepEqual(outcome, { revoked: ['refresh_token', 'access_token'], failed: [] });
    assert.deepEqual(hints, ['refresh_token', 'access_token']);
    await rejectsWith(refreshTokens(conn, tokens.refreshToken!), 'REFRESH_TOKEN_INVALID');
  });

  test('an IdP without a revocation endpoint is reported, not thrown', async () => {
    const before = idp.counters.revocation;
    const noEndpoint = await connectIssuer(idp.issuer, idp.publicClientId, {
      fetch: interceptingFetch(async (path, _init, forward) =>
        path === '/.well-known/openid-configuration' ? editJson(await forward(), (b) => { delete b['revocation_endpoint']; }) : forward()),
    });
    assert.equal(noEndpoint.capabilities.revocation, false);
    const outcome = await revokeTokens(noEndpoint, { refreshToken: 'refresh-token-value-1', accessToken: 'access-token-value-1' });
    assert.deepEqual(outcome, { revoked: [], failed: ['refresh_token', 'access_token'], problem: 'no-revocation-endpoint' });
    assert.equal(idp.counters.revocation, before);
  });

  test('a failing revocation is reported per token, with a readable error for the log', async () => {
    const tokens = await signIn();
    const failing = await connectIssuer(idp.issuer, idp.publicClientId, {
      fetch: interceptingFetch((path, _init, forward) =>
        path === '/token/revocation' ? Promise.resolve(new Response('down', { status: 503 })) : forward()),
    });
    const outcome = await revokeTokens(failing, { refreshToken: tokens.refreshToken!, accessToken: tokens.accessToken });
    assert.deepEqual(outcome.failed, ['refresh_token', 'access_token']);
    assert.equal(outcome.problem, 'idp-error');
    assert.equal(outcome.error?.code, 'IDP_ERROR');
    assert.ok(!outcome.error?.message.includes(tokens.accessToken));
  });

  test('nothing to revoke is an empty outcome', async () => {
    assert.deepEqual(await revokeTokens(conn, {}), { revoked: [], failed: [] });
  });
});
