import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { connectIssuer, forgetDiscoveredIssuers, isLoopbackHost } from '../../../src/main/core/oidc/issuer.ts';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { closedPort, startLocalServer } from '../../helpers/local-server.ts';
import { editJson, interceptingFetch, rejectsWith } from './support.ts';

const WELL_KNOWN = '/.well-known/openid-configuration';

describe('connectIssuer against the test IdP', () => {
  let idp: TestIdp;
  before(async () => { idp = await startTestIdp(); });
  after(() => idp.stop());
  beforeEach(() => forgetDiscoveredIssuers());

  test('discovers the IdP over loopback http and reports what it offers', async () => {
    const conn = await connectIssuer(idp.issuer, idp.publicClientId);
    assert.equal(conn.issuer, idp.issuer);
    assert.equal(conn.clientId, idp.publicClientId);
    assert.ok(conn.supportedScopes?.includes('offline_access'));
    assert.deepEqual(conn.capabilities, { deviceFlow: true, revocation: true, pkceS256: true });
  });

  test('a trailing slash in the configured issuer is tolerated', async () => {
    const conn = await connectIssuer(`${idp.issuer}/`, idp.publicClientId);
    assert.equal(conn.issuer, idp.issuer);
  });

  test('discovery is cached in-process per issuer (same fetch), not refetched', async () => {
    let discoveries = 0;
    const counting = interceptingFetch((path, _init, forward) => {
      if (path === WELL_KNOWN) discoveries++;
      return forward();
    });
    await connectIssuer(idp.issuer, idp.publicClientId, { fetch: counting });
    await connectIssuer(idp.issuer, idp.serviceClient.id, { fetch: counting, clientSecret: idp.serviceClient.secret });
    assert.equal(discoveries, 1);
    forgetDiscoveredIssuers();
    await connectIssuer(idp.issuer, idp.publicClientId, { fetch: counting });
    assert.equal(discoveries, 2);
  });

  test('callers at the same moment share one discovery request; one that cancels does not stop the others', async () => {
    let discoveries = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    // Held like a slow IdP; a real fetch, it lets go when its signal aborts.
    const slow = interceptingFetch(async (path, init, forward) => {
      if (path === WELL_KNOWN) {
        discoveries++;
        const signal = init?.signal;
        await Promise.race([held, new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted', { cause: signal.reason })), { once: true }))]);
      }
      return forward();
    });
    const leaderStop = new AbortController();
    const joinerStop = new AbortController();
    const leader = connectIssuer(idp.issuer, idp.publicClientId, { fetch: slow, signal: leaderStop.signal });
    const joiner = connectIssuer(idp.issuer, idp.publicClientId, { fetch: slow });
    const quitter = connectIssuer(idp.issuer, idp.publicClientId, { fetch: slow, signal: joinerStop.signal });
    joinerStop.abort();
    await rejectsWith(quitter, 'LOGIN_CANCELLED');
    leaderStop.abort(); // the request's starter gives up: the joiner asks itself
    await rejectsWith(leader, 'LOGIN_CANCELLED');
    release();
    assert.equal((await joiner).issuer, idp.issuer);
    assert.equal(discoveries, 2, 'the leader\'s request and the joiner\'s own after the leader cancelled');

    forgetDiscoveredIssuers();
    discoveries = 0;
    const many = await Promise.all(Array.from({ length: 5 }, () => connectIssuer(idp.issuer, idp.publicClientId, { fetch: slow })));
    assert.ok(many.every((c) => c.issuer === idp.issuer));
    assert.equal(discoveries, 1, 'five callers, one request');
  });

  test('an IdP without scopes_supported gives supportedScopes null', async () => {
    const noScopes = interceptingFetch(async (path, _init, forward) =>
      path === WELL_KNOWN ? editJson(await forward(), (b) => { delete b['scopes_supported']; }) : forward());
    const conn = await connectIssuer(idp.issuer, idp.publicClientId, { fetch: noScopes });
    assert.equal(conn.supportedScopes, null);
  });

  test('an empty client id is refused before any request', async () => {
    await rejectsWith(connectIssuer(idp.issuer, ' '), 'INVALID_ARGUMENT');
  });
});

describe('connectIssuer refuses what it must', () => {
  const noNetwork = interceptingFetch(() => assert.fail('no request may be made'));
  beforeEach(() => forgetDiscoveredIssuers());

  test('plain http to a host that is not this computer is refused without a request', async () => {
    const e = await rejectsWith(connectIssuer('http://idp.example.com/realms/x', 'c', { fetch: noNetwork }), 'INSECURE_URL');
    assert.match(e.message, /idp\.example\.com/);
    await rejectsWith(connectIssuer('http://10.0.0.1', 'c', { fetch: noNetwork }), 'INSECURE_URL');
  });

  test('garbage and other schemes are invalid addresses', async () => {
    await rejectsWith(connectIssuer('not a url', 'c', { fetch: noNetwork }), 'INVALID_URL');
    await rejectsWith(connectIssuer('ftp://idp.example.com', 'c', { fetch: noNetwork }), 'INVALID_URL');
    await rejectsWith(connectIssuer('https://idp.example.com/?x=1', 'c', { fetch: noNetwork }), 'INVALID_URL');
  });

  test('loopback hosts are recognised', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', 'LOCALHOST']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['128.0.0.1', '127.0.0.1.example.com', 'example.com', '[::2]', '0.0.0.0']) assert.ok(!isLoopbackHost(h), h);
  });

  test('a discovery document naming a different issuer is ISSUER_MISMATCH', async (t) => {
    const liar = await startLocalServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        issuer: 'https://evil.example/realms/other',
        authorization_endpoint: 'https://evil.example/auth',
        token_endpoint: 'https://evil.example/token',
      }));
    });
    t.after(() => liar.stop());
    const e = await rejectsWith(connectIssuer(liar.url, 'c'), 'ISSUER_MISMATCH');
    assert.match(e.message, /evil\.example\/realms\/other/);
  });

  test('an IdP that cannot be reached is IDP_UNREACHABLE', async () => {
    const port = await closedPort();
    const e = await rejectsWith(connectIssuer(`http://127.0.0.1:${port}`, 'c'), 'IDP_UNREACHABLE');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  test('HTML, a 404 or a broken JSON document is IDP_INVALID_RESPONSE; a 500 is IDP_ERROR', async (t) => {
    const answers: Array<[number, string, string]> = [
      [200, 'text/html', '<html><body>Welcome</body></html>'],
      [404, 'text/html', 'not found'],
      [200, 'application/json', '{"issuer": '],
      [200, 'application/json', '[1,2,3]'],
    ];
    let next: [number, string, string] = answers[0]!;
    const garbage = await startLocalServer((_req, res) => {
      res.writeHead(next[0], { 'content-type': next[1] });
      res.end(next[2]);
    });
    t.after(() => garbage.stop());
    for (const answer of answers) {
      next = answer;
      await rejectsWith(connectIssuer(garbage.url, 'c'), 'IDP_INVALID_RESPONSE');
    }
    next = [500, 'text/html', 'oops'];
    const e = await rejectsWith(connectIssuer(garbage.url, 'c'), 'IDP_ERROR');
    assert.equal(e.retryAfterMs, 60_000);
  });

  test('an IdP that never answers times out as IDP_UNREACHABLE; a caller abort is LOGIN_CANCELLED', async (t) => {
    const silent = await startLocalServer(() => undefined);
    t.after(() => silent.stop());
    const e = await rejectsWith(connectIssuer(silent.url, 'c', { timeoutMs: 1000 }), 'IDP_UNREACHABLE');
    assert.match(e.message, /did not answer within 1 s/);
    const controller = new AbortController();
    const pending = connectIssuer(silent.url, 'c', { signal: controller.signal });
    setImmediate(() => controller.abort());
    await rejectsWith(pending, 'LOGIN_CANCELLED');
  });
});
