import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { browserLogin } from '../../../src/main/core/oidc/browser-login.ts';
import { connectIssuer, type IssuerConnection } from '../../../src/main/core/oidc/issuer.ts';
import { chooseScopes } from '../../../src/main/core/oidc/scopes.ts';
import { completeBrowserLogin } from '../../fixtures/device-user.ts';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { fixedClock, rejectsWith } from './support.ts';

/** Resolves true when something accepts a TCP connection on the port, false when it is refused. */
function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function redirectPort(authorizationUrl: string): number {
  const redirect = new URL(new URL(authorizationUrl).searchParams.get('redirect_uri') ?? '');
  assert.equal(redirect.hostname, '127.0.0.1');
  assert.equal(redirect.pathname, '/callback');
  return Number(redirect.port);
}

describe('browser login (authorization code + PKCE, loopback redirect)', () => {
  let idp: TestIdp;
  let conn: IssuerConnection;
  let scopes: string[];
  before(async () => {
    idp = await startTestIdp();
    conn = await connectIssuer(idp.issuer, idp.publicClientId);
    scopes = chooseScopes([], conn.supportedScopes, true);
  });
  after(() => idp.stop());

  test('success: tokens come back, the browser sees “Signed in”, and the listener is closed', async () => {
    let page: Promise<{ status: number; body: string }> | undefined;
    let authUrl = '';
    const tokens = await browserLogin(conn, {
      scopes,
      clock: fixedClock(5_000),
      openBrowser: (url) => { authUrl = url; page = completeBrowserLogin(url, { login: 'carol' }); },
    });
    assert.equal(tokens.subject, 'carol');
    assert.ok(tokens.refreshToken);
    assert.equal(tokens.obtainedAt, 5_000);
    const params = new URL(authUrl).searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.ok(params.get('state') && params.get('code_challenge'));
    assert.equal(params.get('response_type'), 'code');
    const shown = await page!;
    assert.equal(shown.status, 200);
    assert.match(shown.body, /Signed in — you can close this tab/);
    assert.equal(await portAccepts(redirectPort(authUrl)), false, 'listener closed');
  });

  test('a forged callback (wrong state, error=access_denied) gets a refusal page and does not end the login', async () => {
    let forgedPage: Response | undefined;
    let page: Promise<{ status: number; body: string }> | undefined;
    const tokens = await browserLogin(conn, {
      scopes,
      openBrowser: async (url) => {
        // Another program (or a web page) calls the listener first, with an answer of its own.
        const forged = new URL(new URL(url).searchParams.get('redirect_uri')!);
        forged.search = new URLSearchParams({ error: 'access_denied', state: 'someone-elses-state' }).toString();
        forgedPage = await fetch(forged);
        const noState = new URL(forged);
        noState.search = new URLSearchParams({ code: 'forged-code' }).toString();
        assert.equal((await fetch(noState)).status, 400, 'a code without our state is refused as well');
        page = completeBrowserLogin(url, { login: 'carol' });
      },
    });
    assert.equal(forgedPage?.status, 400);
    assert.match(await forgedPage.text(), /does not belong to the sign-in under way/);
    assert.equal(tokens.subject, 'carol', 'the real answer still signs in');
    assert.equal((await page!).status, 200);
  });

  test('only wrong-state answers: the login waits for the real one until its time limit', async () => {
    let authUrl = '';
    await rejectsWith(browserLogin(conn, {
      scopes,
      timeoutMs: 300,
      openBrowser: async (url) => {
        authUrl = url;
        const forged = new URL(url);
        forged.searchParams.set('state', 'someone-elses-state');
        const shown = await completeBrowserLogin(forged.href);
        assert.equal(shown.status, 400);
        assert.match(shown.body, /Sign-in refused/);
      },
    }), 'LOGIN_TIMEOUT');
    assert.equal(await portAccepts(redirectPort(authUrl)), false, 'listener closed');
  });

  test('the IdP answering access_denied is LOGIN_REFUSED and the page says what to do', async () => {
    let page: Promise<Response> | undefined;
    await rejectsWith(browserLogin(conn, {
      scopes,
      openBrowser: (url) => {
        const auth = new URL(url).searchParams;
        const callback = new URL(auth.get('redirect_uri')!);
        callback.search = new URLSearchParams({ error: 'access_denied', state: auth.get('state')!, iss: idp.issuer }).toString();
        page = fetch(callback);
      },
    }), 'LOGIN_REFUSED');
    const res = await page!;
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Sign-in failed/);
  });

  test('other paths on the listener get a 404 and do not end the login', async () => {
    const controller = new AbortController();
    let stray: Response | undefined;
    await rejectsWith(browserLogin(conn, {
      scopes,
      signal: controller.signal,
      openBrowser: async (url) => {
        const port = redirectPort(url);
        stray = await fetch(`http://127.0.0.1:${port}/favicon.ico`);
        const empty = await fetch(`http://127.0.0.1:${port}/callback`);
        assert.equal(empty.status, 400);
        controller.abort();
      },
    }), 'LOGIN_CANCELLED');
    assert.equal(stray?.status, 404);
  });

  test('no answer within the time limit is LOGIN_TIMEOUT, and the listener closes', async () => {
    let authUrl = '';
    const e = await rejectsWith(browserLogin(conn, { scopes, timeoutMs: 200, openBrowser: (url) => { authUrl = url; } }), 'LOGIN_TIMEOUT');
    assert.ok(e.nextStep);
    assert.equal(await portAccepts(redirectPort(authUrl)), false);
  });

  test('aborting is LOGIN_CANCELLED, and the listener closes', async () => {
    const controller = new AbortController();
    let authUrl = '';
    const pending = browserLogin(conn, { scopes, signal: controller.signal, openBrowser: (url) => { authUrl = url; } });
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, 'LOGIN_CANCELLED');
    assert.equal(await portAccepts(redirectPort(authUrl)), false);
  });

  test('a browser that cannot be opened ends the login with a clear error', async () => {
    const e = await rejectsWith(browserLogin(conn, { scopes, openBrowser: () => { throw new Error('xdg-open missing'); } }), 'INTERNAL');
    assert.match(e.message, /browser could not be opened/);
  });
});
