import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, MAX_REDIRECTS, parseRetryAfter, PeerHttpError } from '../../../src/main/core/net/http.ts';
import type { FetchLike } from '../../../src/main/core/ports.ts';
import { closedPort, localServers, sendJson } from '../../helpers/local-server.ts';
import { rejectsWith } from '../openeo/support.ts';

const serve = localServers();

const backend = { peer: 'backend' } as const;
const BEARER = 'oidc/egi/short-opaque-tok3n';

describe('getJson: good answers', () => {
  test('returns the JSON body, status and final URL', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, { hello: 'world' }));
    const res = await getJson(`${s.url}/x`, backend);
    assert.deepEqual(res.body, { hello: 'world' });
    assert.equal(res.status, 200);
    assert.equal(res.url, `${s.url}/x`);
    assert.equal(s.hits[0]?.method, 'GET');
  });

  test('JSON sent as text/plain is accepted; a UTF-8 BOM-free body with umlauts decodes', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(JSON.stringify({ title: 'Zürich' }));
    });
    assert.deepEqual((await getJson(s.url, backend)).body, { title: 'Zürich' });
  });

  test('follows same-origin redirects, keeping the Authorization header', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/a') { res.writeHead(301, { location: '/b' }); res.end(); return; }
      if (req.url === '/b') { res.writeHead(307, { location: `${s.url}/c` }); res.end(); return; }
      sendJson(res, 200, { at: req.url });
    });
    const res = await getJson(`${s.url}/a`, { ...backend, headers: { Authorization: `Bearer ${BEARER}` } });
    assert.deepEqual(res.body, { at: '/c' });
    assert.equal(res.url, `${s.url}/c`);
    assert.deepEqual(s.hits.map((h) => h.authorization), Array(3).fill(`Bearer ${BEARER}`));
  });
});

describe('getJson: bad answers get clear errors', () => {
  test('HTML with status 200 is BACKEND_INVALID_RESPONSE saying "web page"', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
    });
    const e = await rejectsWith(getJson(`${s.url}/.well-known/openeo`, backend), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /web page \(HTML\)/);
    assert.match(e.message, /127\.0\.0\.1/);
    assert.ok(e.nextStep);
  });

  test('HTML without a content type is recognised too; the IdP gets its own code', async () => {
    const s = await serve((_req, res) => { res.writeHead(200); res.end('  <html>hi</html>'); });
    await rejectsWith(getJson(s.url, { peer: 'idp' }), 'IDP_INVALID_RESPONSE');
  });

  test('garbage, empty and truncated JSON are BACKEND_INVALID_RESPONSE', async () => {
    const bodies = ['not json at all', '', '{"providers": [{"id": "x"'];
    for (const body of bodies) {
      const s = await serve((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); });
      const e = await rejectsWith(getJson(s.url, backend), 'BACKEND_INVALID_RESPONSE');
      assert.match(e.message, /empty|not valid JSON/, body);
    }
  });

  test('a body cut off mid-transfer (connection closed early) is BACKEND_UNREACHABLE "broke off"', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"versions": [');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const e = await rejectsWith(getJson(s.url, backend), 'BACKEND_UNREACHABLE');
    assert.match(e.message, /broke off/);
  });

  test('a body over the cap is refused, whether announced or streamed', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000) });
    const announced = await serve((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(big); });
    const e1 = await rejectsWith(getJson(announced.url, { ...backend, maxBytes: 1000 }), 'BACKEND_INVALID_RESPONSE');
    assert.match(e1.message, /more than/);
    const streamed = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
      res.write(big.slice(0, 3000));
      res.end(big.slice(3000));
    });
    await rejectsWith(getJson(streamed.url, { ...backend, maxBytes: 1000 }), 'BACKEND_INVALID_RESPONSE');
  });

  test('a redirect to another host is refused and the other host never sees the token', async () => {
    const other = await serve((_req, res) => sendJson(res, 200, { stolen: true }), { name: 'localhost' });
    const s = await serve((_req, res) => { res.writeHead(302, { location: `${other.url}/collect` }); res.end(); });
    const e = await rejectsWith(
      getJson(`${s.url}/me`, { ...backend, headers: { Authorization: `Bearer ${BEARER}` } }),
      'BACKEND_INVALID_RESPONSE',
    );
    assert.match(e.message, /redirected to another host \(localhost:\d+\)/);
    assert.equal(other.hits.length, 0);
  });

  test(`more than ${MAX_REDIRECTS} redirects, or one without a target, are refused`, async () => {
    const loop = await serve((req, res) => {
      const n = Number(req.url?.slice(1)) || 0;
      res.writeHead(302, { location: `/${n + 1}` });
      res.end();
    });
    const e = await rejectsWith(getJson(`${loop.url}/0`, backend), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /more than 5 times/);
    assert.equal(loop.hits.length, MAX_REDIRECTS + 1);
    const blank = await serve((_req, res) => { res.writeHead(301); res.end(); });
    await rejectsWith(getJson(blank.url, backend), 'BACKEND_INVALID_RESPONSE');
  });

  test('a server that never answers times out with "did not answer within N s"', async () => {
    const s = await serve(() => { /* never answers */ });
    const e = await rejectsWith(getJson(s.url, { ...backend, timeoutMs: 150 }), 'BACKEND_UNREACHABLE');
    assert.match(e.message, /did not answer within 1 s/);
    const i = await rejectsWith(getJson(s.url, { peer: 'idp', timeoutMs: 2000, signal: AbortSignal.timeout(50) }), 'LOGIN_CANCELLED');
    assert.match(i.message, /login service/);
  });

  test('a body that stops arriving also times out', async () => {
    const s = await serve((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"a":'); });
    const e = await rejectsWith(getJson(s.url, { ...backend, timeoutMs: 150 }), 'BACKEND_UNREACHABLE');
    assert.match(e.message, /did not answer within/);
  });

  test('caller abort is LOGIN_CANCELLED, before and during the request', async () => {
    const s = await serve(() => { /* never answers */ });
    const before = new AbortController();
    before.abort(new Error('user closed the window'));
    await rejectsWith(getJson(s.url, { ...backend, signal: before.signal }), 'LOGIN_CANCELLED');
    assert.equal(s.hits.length, 0);
    const during = new AbortController();
    const pending = getJson(s.url, { ...backend, signal: during.signal, timeoutMs: 10_000 });
    setTimeout(() => during.abort(), 30);
    const e = await rejectsWith(pending, 'LOGIN_CANCELLED');
    assert.match(e.message, /Cancelled/);
  });

  test('connection refused is BACKEND_UNREACHABLE / IDP_UNREACHABLE "refused"', async () => {
    const port = await closedPort();
    const e = await rejectsWith(getJson(`http://127.0.0.1:${port}/`, backend), 'BACKEND_UNREACHABLE');
    assert.match(e.message, /refused/);
    await rejectsWith(getJson(`http://127.0.0.1:${port}/`, { peer: 'idp' }), 'IDP_UNREACHABLE');
  });

  test('DNS and certificate failures get their own sentences (error shapes as undici throws them)', async () => {
    const failing = (code: string): FetchLike => async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    };
    const dns = await rejectsWith(getJson('https://no-such-host.example/', { ...backend, fetch: failing('ENOTFOUND') }), 'BACKEND_UNREACHABLE');
    assert.match(dns.message, /"no-such-host\.example" could not be found/);
    const tls = await rejectsWith(getJson('https://self-signed.example/', { peer: 'idp', fetch: failing('DEPTH_ZERO_SELF_SIGNED_CERT') }), 'IDP_UNREACHABLE');
    assert.match(tls.message, /certificate/);
  });
});

describe('getJson: error statuses', () => {
  test('500/502/503 are BACKEND_ERROR with retryAfterMs from Retry-After (seconds or date)', async () => {
    const date = new Date(Date.UTC(2030, 0, 1, 12, 0, 30)).toUTCString();
    const s = await serve((req, res) => {
      if (req.url === '/500') sendJson(res, 500, { code: 'Internal', message: 'Database down.' });
      else if (req.url === '/502') { res.writeHead(502, { 'content-type': 'text/html', 'retry-after': '120' }); res.end('<h1>Bad Gateway</h1>'); }
      else { res.writeHead(503, { 'retry-after': date }); res.end(); }
    });
    const e500 = await rejectsWith(getJson(`${s.url}/500`, backend), 'BACKEND_ERROR');
    assert.ok(e500 instanceof PeerHttpError);
    assert.equal(e500.status, 500);
    assert.equal(e500.peerCode, 'Internal');
    assert.match(e500.message, /HTTP 500 Internal.*Database down/);
    assert.equal(e500.retryAfterMs, undefined);
    const e502 = await rejectsWith(getJson(`${s.url}/502`, backend), 'BACKEND_ERROR');
    assert.equal(e502.retryAfterMs, 120_000);
    assert.match(e502.nextStep ?? '', /2 minutes/);
    const now = () => Date.UTC(2030, 0, 1, 12, 0, 0);
    const e503 = await rejectsWith(getJson(`${s.url}/503`, { peer: 'idp', now }), 'IDP_ERROR');
    assert.equal(e503.retryAfterMs, 30_000);
  });

  test('403 TokenInvalid and 401 are TOKEN_INVALID; the bearer never appears, even when echoed', async () => {
    const s = await serve((req, res) => {
      const echoed = `Token ${req.headers.authorization} is invalid (short-opaque-tok3n)`;
      if (req.url === '/401') sendJson(res, 401, { code: 'AuthenticationRequired', message: echoed });
      else sendJson(res, 403, { code: 'TokenInvalid', message: echoed });
    });
    const headers = { Authorization: `Bearer ${BEARER}` };
    for (const path of ['/401', '/403']) {
      const e = await rejectsWith(getJson(`${s.url}${path}`, { ...backend, headers }), 'TOKEN_INVALID');
      const text = `${e.message} ${e.nextStep} ${JSON.stringify(e)}`;
      assert.doesNotMatch(text, /short-opaque-tok3n/);
      assert.match(e.message, /did not accept the login token/);
    }
  });

  test('other 403s and 4xx are refusals, not token problems; 404 says "nothing at"', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/403') sendJson(res, 403, { code: 'PermissionsInsufficient', message: 'Not for you.' });
      else if (req.url === '/429') { res.writeHead(429, { 'retry-after': '7' }); res.end(); }
      else sendJson(res, 404, { code: 'NotFound', message: 'No.' });
    });
    const headers = { Authorization: `Bearer ${BEARER}` };
    const forbidden = await rejectsWith(getJson(`${s.url}/403`, { ...backend, headers }), 'BACKEND_ERROR');
    assert.match(forbidden.message, /refused.*PermissionsInsufficient.*Not for you/);
    const busy = await rejectsWith(getJson(`${s.url}/429`, backend), 'BACKEND_ERROR');
    assert.equal(busy.retryAfterMs, 7000);
    const missing = await rejectsWith(getJson(`${s.url}/nope`, backend), 'BACKEND_ERROR');
    assert.match(missing.message, /nothing at \/nope/);
  });

  test('a 401 to a request without a token is not TOKEN_INVALID', async () => {
    const s = await serve((_req, res) => sendJson(res, 401, { code: 'AuthenticationRequired', message: 'Unauthorized.' }));
    await rejectsWith(getJson(s.url, backend), 'BACKEND_ERROR');
  });
});

test('parseRetryAfter: seconds, HTTP dates, junk, and a one-day cap', () => {
  const now = Date.UTC(2030, 0, 1);
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter(' 15 ', now), 15_000);
  assert.equal(parseRetryAfter(new Date(now + 90_000).toUTCString(), now), 90_000);
  assert.equal(parseRetryAfter(new Date(now - 90_000).toUTCString(), now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('99999999', now), 86_400_000);
});
