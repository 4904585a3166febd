import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { clientCredentialsLogin } from '../../../src/main/core/oidc/client-credentials.ts';
import { connectIssuer, forgetDiscoveredIssuers } from '../../../src/main/core/oidc/issuer.ts';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { assertNoSecret, editJson, fixedClock, interceptingFetch, rejectsWith } from './support.ts';

describe('client credentials against the test IdP', () => {
  let idp: TestIdp;
  before(async () => { idp = await startTestIdp(); });
  after(() => idp.stop());
  beforeEach(() => forgetDiscoveredIssuers());

  /** A connection that records how the client authenticated at the token endpoint. */
  async function recording(secret: string, authMethods?: string[]) {
    const seen: { authorization: string | null; body: URLSearchParams | null } = { authorization: null, body: null };
    const conn = await connectIssuer(idp.issuer, idp.serviceClient.id, {
      clientSecret: secret,
      fetch: interceptingFetch(async (path, init, forward) => {
        if (path === '/.well-known/openid-configuration' && authMethods) {
          return editJson(await forward(), (b) => { b['token_endpoint_auth_methods_supported'] = authMethods; });
        }
        if (path === '/token') {
          seen.authorization = new Headers(init?.headers).get('authorization');
          seen.body = new URLSearchParams(String(init?.body as URLSearchParams | string | undefined));
        }
        return forward();
      }),
    });
    return { conn, seen };
  }

  test('success: an access token, no refresh token, client_secret_basic as the IdP allows', async () => {
    const { conn, seen } = await recording(idp.serviceClient.secret);
    const tokens = await clientCredentialsLogin(conn, { scopes: [], clock: fixedClock(9_000) });
    assert.ok(tokens.accessToken);
    assert.equal(tokens.refreshToken, undefined);
    assert.deepEqual(tokens.refreshTokenExpiry, { kind: 'none' });
    assert.equal(tokens.accessTokenExpiresAt, 9_000 + 300_000);
    assert.match(seen.authorization ?? '', /^Basic /);
    assert.equal(seen.body?.get('client_secret'), null);
    assert.equal(seen.body?.get('grant_type'), 'client_credentials');
  });

  test('an IdP that only lists client_secret_post gets the secret in the body', async () => {
    const { conn, seen } = await recording(idp.serviceClient.secret, ['client_secret_post']);
    // oidc-provider accepts either method from this client; what matters here is what was sent.
    assert.ok((await clientCredentialsLogin(conn, { scopes: [] })).accessToken);
    assert.equal(seen.authorization, null);
    assert.equal(seen.body?.get('client_secret'), idp.serviceClient.secret);
  });

  test('a wrong secret is CLIENT_CREDENTIALS_REFUSED, and the secret is in no message', async () => {
    const wrong = 'wrong-secret-0123456789abcdef';
    const conn = await connectIssuer(idp.issuer, idp.serviceClient.id, { clientSecret: wrong });
    const e = await rejectsWith(clientCredentialsLogin(conn, { scopes: [] }), 'CLIENT_CREDENTIALS_REFUSED');
    assert.ok(e.nextStep);
    assertNoSecret(e, wrong);
  });

  test('an error description echoing the real secret does not leak it', async () => {
    const conn = await connectIssuer(idp.issuer, idp.serviceClient.id, { clientSecret: idp.serviceClient.secret });
    idp.failNextToken({
      status: 400, contentType: 'application/json',
      body: JSON.stringify({ error: 'invalid_scope', error_description: `client ${idp.serviceClient.id} secret ${idp.serviceClient.secret} may not` }),
    });
    const e = await rejectsWith(clientCredentialsLogin(conn, { scopes: ['nope'] }), 'IDP_ERROR');
    assertNoSecret(e, idp.serviceClient.secret);
  });

  test('without a secret it refuses to start', async () => {
    const conn = await connectIssuer(idp.issuer, idp.serviceClient.id);
    await rejectsWith(clientCredentialsLogin(conn, { scopes: [] }), 'SECRET_MISSING');
  });
});
