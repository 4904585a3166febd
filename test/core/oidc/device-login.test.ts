import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startDeviceLogin } from '../../../src/main/core/oidc/device-login.ts';
import { connectIssuer, forgetDiscoveredIssuers, type IssuerConnection } from '../../../src/main/core/oidc/issuer.ts';
import { chooseScopes } from '../../../src/main/core/oidc/scopes.ts';
import { approveDevice, approveDeviceWithCode } from '../../fixtures/device-user.ts';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { DEVICE_GRANT, editJson, fixedClock, interceptingFetch, rejectsWith, waitFor } from './support.ts';

describe('device login against the test IdP', () => {
  let idp: TestIdp;
  let conn: IssuerConnection;
  let scopes: string[];
  const polls = () => idp.counters.byGrant[DEVICE_GRANT] ?? 0;

  before(async () => {
    idp = await startTestIdp({ deviceInterval: 1 });
    conn = await connectIssuer(idp.issuer, idp.publicClientId);
    scopes = chooseScopes([], conn.supportedScopes, true);
  });
  after(() => idp.stop());
  beforeEach(() => forgetDiscoveredIssuers());

  /** A connection whose device authorization answers say the code lives only `seconds`. */
  const shortLived = (seconds: number) => connectIssuer(idp.issuer, idp.publicClientId, {
    fetch: interceptingFetch(async (path, _init, forward) =>
      path === '/device/auth' ? editJson(await forward(), (b) => { b['expires_in'] = seconds; }) : forward()),
  });

  test('success: the user approves, tokens come back with a refresh token and the subject', async () => {
    const login = await startDeviceLogin(conn, { scopes, usePkce: true, clock: fixedClock(1_000_000) });
    const a = login.authorization;
    assert.match(a.verificationUri, /^http:\/\/127\.0\.0\.1:\d+\/device$/);
    assert.ok(a.verificationUriComplete?.includes(encodeURIComponent(a.userCode)) || a.verificationUriComplete?.includes(a.userCode));
    assert.equal(a.interval, 1);
    assert.equal(a.expiresAt, 1_000_000 + 600_000);
    await approveDevice(a.verificationUriComplete!, { login: 'alice' });
    const tokens = await login.result;
    assert.equal(tokens.subject, 'alice');
    assert.ok(tokens.accessToken && tokens.refreshToken);
    assert.equal(tokens.obtainedAt, 1_000_000);
    assert.equal(tokens.accessTokenExpiresAt, 1_000_000 + 300_000);
    assert.equal(tokens.refreshTokenExpiry.kind, 'at');
    assert.match(tokens.scope ?? '', /offline_access/);
  });

  test('the user may type the code instead of using the complete URL', async () => {
    const login = await startDeviceLogin(conn, { scopes, usePkce: true });
    await approveDeviceWithCode(login.authorization.verificationUri, login.authorization.userCode, { login: 'bob' });
    assert.equal((await login.result).subject, 'bob');
  });

  test('PKCE S256 is really used: the challenge is sent, and a wrong or missing verifier is refused', async () => {
    let deviceCode = '';
    let sentVerifier: string | null = null;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    const watched = await connectIssuer(idp.issuer, idp.publicClientId, {
      fetch: interceptingFetch(async (path, init, forward) => {
        if (path === '/device/auth') {
          const res = await forward();
          deviceCode = ((await res.clone().json()) as { device_code: string }).device_code;
          return res;
        }
        if (path === '/token') {
          await gate; // hold the app's polls until the wrong verifiers were tried
          sentVerifier = new URLSearchParams(String(init?.body as URLSearchParams | string | undefined)).get('code_verifier');
        }
        return forward();
      }),
    });
    const login = await startDeviceLogin(watched, { scopes, usePkce: true });
    const sent = idp.lastDeviceAuthorization;
    assert.equal(sent?.get('code_challenge_method'), 'S256');
    const challenge = sent?.get('code_challenge');
    assert.match(challenge ?? '', /^[A-Za-z0-9_-]{43}$/);
    await approveDevice(login.authorization.verificationUriComplete!);

    const tokenEndpoint = watched.configuration.serverMetadata().token_endpoint!;
    const attempt = async (verifier?: string) => {
      const body = new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: idp.publicClientId });
      if (verifier) body.set('code_verifier', verifier);
      const res = await fetch(tokenEndpoint, { method: 'POST', body });
      return { status: res.status, body: (await res.json()) as { error?: string } };
    };
    assert.deepEqual(await attempt('wrong-verifier-wrong-verifier-wrong-verifier-00'), { status: 400, body: { error: 'invalid_grant', error_description: 'PKCE verification failed' } });
    assert.equal((await attempt()).body.error, 'invalid_grant');

    openGate();
    const tokens = await login.result;
    assert.ok(tokens.accessToken);
    assert.ok(sentVerifier, 'the app sent a code_verifier');
    assert.equal(createHash('sha256').update(sentVerifier).digest('base64url'), challenge);
  });

  test('without PKCE no challenge is sent and the login still works', async () => {
    const login = await startDeviceLogin(conn, { scopes, usePkce: false });
    assert.equal(idp.lastDeviceAuthorization?.get('code_challenge'), null);
    await approveDevice(login.authorization.verificationUriComplete!);
    assert.ok((await login.result).accessToken);
  });

  test('the user refusing (access_denied) is LOGIN_REFUSED', async () => {
    const login = await startDeviceLogin(conn, { scopes, usePkce: true });
    await approveDevice(login.authorization.verificationUriComplete!, { refuse: true });
    await rejectsWith(login.result, 'LOGIN_REFUSED');
  });

  test('the IdP answering expired_token is LOGIN_EXPIRED', async () => {
    const login = await startDeviceLogin(conn, { scopes, usePkce: true });
    idp.failNextToken({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'expired_token' }) });
    const e = await rejectsWith(login.result, 'LOGIN_EXPIRED');
    assert.ok(e.nextStep);
  });

  test('the code’s lifetime running out while nobody approves is LOGIN_EXPIRED, after several polls', async () => {
    const short = await shortLived(4);
    const before = polls();
    const login = await startDeviceLogin(short, { scopes, usePkce: true });
    await rejectsWith(login.result, 'LOGIN_EXPIRED');
    // Interval 1 s over a 4 s lifetime: polls at about 1, 2 and 3 s (this is the control for slow_down).
    assert.ok(polls() - before >= 2, `expected at least 2 polls, saw ${polls() - before}`);
  });

  test('slow_down is honoured: after it the next poll waits 5 s longer, so a 4 s code sees one poll only', async () => {
    const short = await shortLived(4);
    const before = polls();
    idp.slowDownOnce();
    const login = await startDeviceLogin(short, { scopes, usePkce: true });
    // slow_down is not an error: the login goes on until its code expires.
    await rejectsWith(login.result, 'LOGIN_EXPIRED');
    assert.equal(polls() - before, 1, 'only the poll answered with slow_down happened');
  });

  test('aborting is LOGIN_CANCELLED, at once, and polling stops', async () => {
    const controller = new AbortController();
    const login = await startDeviceLogin(conn, { scopes, usePkce: true, signal: controller.signal });
    const before = polls();
    await waitFor(() => polls() > before, 'the first poll');
    controller.abort();
    await rejectsWith(login.result, 'LOGIN_CANCELLED');
    const afterAbort = polls();
    await approveDevice(login.authorization.verificationUriComplete!);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(polls(), afterAbort, 'no poll after the abort');
  });

  test('an IdP without a device endpoint is told apart before any request', async () => {
    const noDevice = await connectIssuer(idp.issuer, idp.publicClientId, {
      fetch: interceptingFetch(async (path, _init, forward) => path === '/.well-known/openid-configuration'
        ? editJson(await forward(), (b) => { delete b['device_authorization_endpoint']; }) : forward()),
    });
    const before = idp.counters.deviceAuthorization;
    const e = await rejectsWith(startDeviceLogin(noDevice, { scopes, usePkce: true }), 'IDP_ERROR');
    assert.match(e.message, /does not offer sign-in with a device code/);
    assert.equal(idp.counters.deviceAuthorization, before);
  });

  test('an already aborted signal refuses to start', async () => {
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(startDeviceLogin(conn, { scopes, usePkce: true, signal: controller.signal }), 'LOGIN_CANCELLED');
  });

  test('an IdP error that is not an OAuth outcome is IDP_ERROR (and never echoes the device code)', async () => {
    let deviceCode = '';
    const watched = await connectIssuer(idp.issuer, idp.publicClientId, {
      fetch: interceptingFetch(async (path, _init, forward) => {
        const res = await forward();
        if (path === '/device/auth') deviceCode = ((await res.clone().json()) as { device_code: string }).device_code;
        return res;
      }),
    });
    const login = await startDeviceLogin(watched, { scopes, usePkce: true });
    idp.failNextToken({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_scope', error_description: `bad ${deviceCode}` }) });
    const e = await rejectsWith(login.result, 'IDP_ERROR');
    assert.match(e.message, /invalid_scope/);
    assert.ok(deviceCode.length > 8 && !e.message.includes(deviceCode), e.message);
  });
});

describe('device login when the IdP goes away', () => {
  test('IdP stopped before the login starts: IDP_UNREACHABLE', async () => {
    const idp = await startTestIdp();
    const conn = await connectIssuer(idp.issuer, idp.publicClientId);
    await idp.stop();
    await rejectsWith(startDeviceLogin(conn, { scopes: ['openid'], usePkce: true }), 'IDP_UNREACHABLE');
  });

  test('IdP stopped while polling: the result is IDP_UNREACHABLE', async () => {
    const idp = await startTestIdp();
    const conn = await connectIssuer(idp.issuer, idp.publicClientId);
    const login = await startDeviceLogin(conn, { scopes: ['openid'], usePkce: true });
    await idp.stop();
    await rejectsWith(login.result, 'IDP_UNREACHABLE');
  });
});
