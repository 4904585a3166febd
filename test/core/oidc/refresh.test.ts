import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TokenSet } from '../../../src/shared/model.ts';
import { startDeviceLogin } from '../../../src/main/core/oidc/device-login.ts';
import { connectIssuer, forgetDiscoveredIssuers, type IssuerConnection } from '../../../src/main/core/oidc/issuer.ts';
import { refreshTokens } from '../../../src/main/core/oidc/refresh.ts';
import { approveDevice } from '../../fixtures/device-user.ts';
import { startTestIdp, type TestIdpOptions, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { assertNoSecret, editJson, fixedClock, interceptingFetch, rejectsWith } from './support.ts';

const SCOPES = ['openid', 'offline_access'];

async function deviceLogin(conn: IssuerConnection): Promise<TokenSet> {
  const login = await startDeviceLogin(conn, { scopes: SCOPES, usePkce: true });
  await approveDevice(login.authorization.verificationUriComplete!);
  return login.result;
}

async function withIdp<T>(options: TestIdpOptions, run: (idp: TestIdp, conn: IssuerConnection) => Promise<T>): Promise<T> {
  const idp = await startTestIdp(options);
  try {
    return await run(idp, await connectIssuer(idp.issuer, idp.publicClientId));
  } finally {
    await idp.stop();
  }
}

describe('refresh against the test IdP (rotating, Keycloak-style refresh_expires_in)', () => {
  let idp: TestIdp;
  let conn: IssuerConnection;
  before(async () => {
    idp = await startTestIdp({ refreshTokenTtl: 3600 });
    conn = await connectIssuer(idp.issuer, idp.publicClientId);
  });
  after(() => idp.stop());
  beforeEach(() => forgetDiscoveredIssuers());

  test('a refresh rotates the token; the old one then fails with REFRESH_TOKEN_INVALID and the plain sentence', async () => {
    const first = await deviceLogin(conn);
    const second = await refreshTokens(conn, first.refreshToken!, { clock: fixedClock(7_000), previous: first });
    assert.ok(second.refreshToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(second.obtainedAt, 7_000);
    assert.equal(second.accessTokenExpiresAt, 7_000 + 300_000);
    assert.equal(second.subject, 'alice');
    const e = await rejectsWith(refreshTokens(conn, first.refreshToken!), 'REFRESH_TOKEN_INVALID');
    assert.equal(e.message, 'This login has expired or was revoked — sign in again.');
    assertNoSecret(e, first.refreshToken!);
  });

  test('refresh_expires_in (remaining TTL) gives an absolute refresh expiry', async () => {
    const first = await deviceLogin(conn);
    const now = 1_000_000_000;
    const next = await refreshTokens(conn, first.refreshToken!, { clock: fixedClock(now) });
    assert.equal(next.refreshTokenExpiry.kind, 'at');
    const at = next.refreshTokenExpiry.kind === 'at' ? next.refreshTokenExpiry.at : 0;
    assert.ok(at > now + 3500_000 && at <= now + 3600_000, `expiry ${at - now} ms from now`);
  });

  test('5xx is IDP_ERROR with a retry delay (Retry-After when given), garbage is IDP_INVALID_RESPONSE', async () => {
    const first = await deviceLogin(conn);
    idp.failNextToken({ status: 500, body: '<html>Internal error</html>', contentType: 'text/html' });
    const e500 = await rejectsWith(refreshTokens(conn, first.refreshToken!), 'IDP_ERROR');
    assert.equal(e500.retryAfterMs, 60_000);
    idp.failNextToken({ status: 503, body: JSON.stringify({ error: 'temporarily_unavailable' }), contentType: 'application/json' });
    await rejectsWith(refreshTokens(conn, first.refreshToken!), 'IDP_ERROR');

    const retrying = await connectIssuer(idp.issuer, idp.publicClientId, {
      fetch: interceptingFetch(async (path, _init, forward) => {
        if (path !== '/token') return forward();
        await (await forward()).body?.cancel();
        return new Response('busy', { status: 502, headers: { 'retry-after': '120' } });
      }),
    });
    assert.equal((await rejectsWith(refreshTokens(retrying, first.refreshToken!), 'IDP_ERROR')).retryAfterMs, 120_000);

    const fresh = await deviceLogin(conn);
    idp.failNextToken({ status: 200, body: '<html>Welcome to the portal</html>', contentType: 'text/html' });
    await rejectsWith(refreshTokens(conn, fresh.refreshToken!), 'IDP_INVALID_RESPONSE');
    idp.failNextToken({ status: 200, body: JSON.stringify({ token_type: 'bearer' }), contentType: 'application/json' });
    await rejectsWith(refreshTokens(conn, fresh.refreshToken!), 'IDP_INVALID_RESPONSE');
  });

  test('an IdP error description that echoes the token never reaches the message', async () => {
    const first = await deviceLogin(conn);
    const token = first.refreshToken!;
    idp.failNextToken({
      status: 400, contentType: 'application/json',
      body: JSON.stringify({ error: 'invalid_request', error_description: `refresh_token ${token} is malformed; also ${token}` }),
    });
    const e = await rejectsWith(refreshTokens(conn, token), 'IDP_ERROR');
    assert.match(e.message, /invalid_request/);
    assertNoSecret(e, token);
  });

  test('an unreachable IdP is IDP_UNREACHABLE', async () => {
    const other = await startTestIdp();
    const otherConn = await connectIssuer(other.issuer, other.publicClientId);
    await other.stop();
    await rejectsWith(refreshTokens(otherConn, 'some-refresh-token-value'), 'IDP_UNREACHABLE');
  });
});

describe('refresh_expires_in variants', () => {
  test("'zero' (Keycloak offline token) gives never", () =>
    withIdp({ refreshExpiresIn: 'zero' }, async (_idp, conn) => {
      const first = await deviceLogin(conn);
      assert.deepEqual(first.refreshTokenExpiry, { kind: 'never' });
      assert.deepEqual((await refreshTokens(conn, first.refreshToken!)).refreshTokenExpiry, { kind: 'never' });
    }));

  test("'omit' with opaque tokens gives unknown", () =>
    withIdp({ refreshExpiresIn: 'omit' }, async (_idp, conn) => {
      const first = await deviceLogin(conn);
      assert.deepEqual(first.refreshTokenExpiry, { kind: 'unknown' });
      assert.deepEqual((await refreshTokens(conn, first.refreshToken!)).refreshTokenExpiry, { kind: 'unknown' });
    }));

  test('a non-rotating IdP keeps working with the same refresh token', () =>
    withIdp({ rotateRefreshTokens: false }, async (_idp, conn) => {
      const first = await deviceLogin(conn);
      const a = await refreshTokens(conn, first.refreshToken!);
      const b = await refreshTokens(conn, first.refreshToken!);
      assert.equal(a.refreshToken, first.refreshToken);
      assert.equal(b.refreshToken, first.refreshToken);
    }));
  test('without a new refresh token in the answer the old one is kept, with its expiry unless a new one is given', () =>
    withIdp({ rotateRefreshTokens: false, refreshExpiresIn: 'omit' }, async (idp, conn) => {
      const first = await deviceLogin(conn);
      const noRefreshInAnswer = await connectIssuer(idp.issuer, idp.publicClientId, {
        fetch: interceptingFetch(async (path, _init, forward) =>
          path === '/token' ? editJson(await forward(), (b) => { delete b['refresh_token']; }) : forward()),
      });
      const kept = await refreshTokens(noRefreshInAnswer, first.refreshToken!);
      assert.equal(kept.refreshToken, first.refreshToken);
      assert.deepEqual(kept.refreshTokenExpiry, { kind: 'unknown' });
      const previous: TokenSet = { ...first, refreshTokenExpiry: { kind: 'at', at: 123_456 } };
      const withPrevious = await refreshTokens(noRefreshInAnswer, first.refreshToken!, { previous });
      assert.deepEqual(withPrevious.refreshTokenExpiry, { kind: 'at', at: 123_456 });
      assert.equal(withPrevious.subject, 'alice');
    }));
});
