import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareApiVersions,
  discoverBackend,
  isVersionedUrl,
  parseCapabilities,
  parseWellKnown,
  pickApiInstance,
} from '../../../src/main/core/openeo/discovery.ts';
import { localServers, routes, sendJson } from '../../helpers/local-server.ts';
import { capabilitiesBody, rejectsWith, specExamples, throwsWith } from './support.ts';

const serve = localServers();

describe('well-known document', () => {
  test("the spec's example parses, and the choice is its production 1.x", () => {
    const versions = parseWellKnown(specExamples.wellKnown);
    assert.deepEqual(versions, [
      { url: 'https://openeo.example/api/v0', apiVersion: '0.5.1', production: true },
      { url: 'https://openeo.example/api/v1', apiVersion: '1.2.0', production: true },
      { url: 'https://dev.openeo.example/api/v2', apiVersion: '2.0.0-beta', production: false },
    ]);
    assert.equal(pickApiInstance(versions)?.url, 'https://openeo.example/api/v1');
  });

  test('highest production 1.x wins; without any production 1.x, the highest 1.x', () => {
    const v = (apiVersion: string, production = true) => ({ url: `https://x/${apiVersion}`, apiVersion, production });
    assert.equal(pickApiInstance([v('1.0.0'), v('1.2.0'), v('1.1.0'), v('1.3.0', false)])?.apiVersion, '1.2.0');
    assert.equal(pickApiInstance([v('1.1.0', false), v('1.2.0-rc.1', false), v('0.4.2')])?.apiVersion, '1.2.0-rc.1');
    assert.equal(pickApiInstance([v('0.4.2'), v('2.0.0')]), undefined);
    assert.equal(pickApiInstance([v('1.10.0'), v('1.9.0')])?.apiVersion, '1.10.0');
  });

  test('compareApiVersions follows SemVer order', () => {
    const sorted = ['1.0.0', '1.2.0', '1.2.0-beta', '1.10', '0.4.2', '1.2.0-alpha'].sort(compareApiVersions);
    assert.deepEqual(sorted, ['0.4.2', '1.0.0', '1.2.0-alpha', '1.2.0-beta', '1.2.0', '1.10']);
  });

  test('a wrong shape names the field', () => {
    throwsWith(() => parseWellKnown('<html>'), 'BACKEND_INVALID_RESPONSE');
    const e = throwsWith(() => parseWellKnown({ versions: [{ url: 'https://x', api_version: 1.2 }] }), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /versions\[0\]\.api_version must be a text \(got number 1\.2\)/);
    const p = throwsWith(() => parseWellKnown({ versions: [{ url: 'https://x', api_version: '1.2.0', production: 'yes' }] }), 'BACKEND_INVALID_RESPONSE');
    assert.match(p.message, /versions\[0\]\.production/);
  });
});

describe('capabilities', () => {
  test('reads version, endpoints (methods upper-cased), conformance and the JWT class', () => {
    const caps = parseCapabilities(capabilitiesBody({ conformsTo: ['https://api.openeo.org/1.3.0', 'https://api.openeo.org/1.3.0/authentication/jwt'] }));
    assert.equal(caps.apiVersion, '1.2.0');
    assert.equal(caps.title, 'Tiny backend');
    assert.equal(caps.backendVersion, '9.9.9');
    assert.deepEqual(caps.endpoints[1], { path: '/me', methods: ['GET'] });
    assert.equal(caps.jwtBearer, true);
    assert.equal(parseCapabilities(capabilitiesBody({ conformsTo: ['https://api.openeo.org/1.2.0'] })).jwtBearer, false);
    assert.equal(parseCapabilities(capabilitiesBody({ conformsTo: ['https://evil.example/1.3.0/authentication/jwt'] })).jwtBearer, false);
  });

  test('missing api_version or ill-typed endpoints name the field', () => {
    const e = throwsWith(() => parseCapabilities({ title: 'x', endpoints: [] }), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /api_version/);
    const m = throwsWith(() => parseCapabilities(capabilitiesBody({ endpoints: [{ path: '/me', methods: 'GET' }] })), 'BACKEND_INVALID_RESPONSE');
    assert.match(m.message, /endpoints\[0\]\.methods must be a list/);
  });

  test('versioned addresses are recognised', () => {
    for (const u of ['https://x/openeo/1.2', 'https://x/openeo/1.0.0', 'https://x/api/v1', 'http://127.0.0.1:1/1.2']) assert.equal(isVersionedUrl(u), true, u);
    for (const u of ['https://x', 'https://x/openeo', 'https://x/api/v1x']) assert.equal(isVersionedUrl(u), false, u);
  });
});

describe('discoverBackend against small servers', () => {
  test('well-known → the chosen version’s capabilities; final URL without trailing slash', async () => {
    const s = await serve(routes({
      '/.well-known/openeo': (_q, res, srv) => sendJson(res, 200, { versions: [
        { url: `${srv.url}/openeo/1.1.0/`, api_version: '1.1.0' },
        { url: `${srv.url}/openeo/1.2/`, api_version: '1.2.0' },
        { url: `${srv.url}/openeo/2.0/`, api_version: '2.0.0' },
      ] }),
      '/openeo/1.2/': (_q, res) => sendJson(res, 200, capabilitiesBody()),
    }));
    const b = await discoverBackend(`${s.url}/`);
    assert.equal(b.inputUrl, s.url);
    assert.equal(b.apiUrl, `${s.url}/openeo/1.2`);
    assert.equal(b.apiVersion, '1.2.0');
    assert.equal(b.production, true);
    assert.equal(b.jwtBearer, false);
  });

  test('a well-known that 404s: the address itself is the API root', async () => {
    const s = await serve(routes({ '/': (_q, res) => sendJson(res, 200, capabilitiesBody({ production: false })) }));
    const b = await discoverBackend(s.url);
    assert.equal(b.apiUrl, s.url);
    assert.equal(b.production, false);
    assert.deepEqual(s.hits.map((h) => h.path), ['/.well-known/openeo', '/']);
  });

  test('a versioned address is used directly when it answers capabilities', async () => {
    const s = await serve(routes({ '/openeo/1.2/': (_q, res) => sendJson(res, 200, capabilitiesBody()) }));
    const b = await discoverBackend(`${s.url}/openeo/1.2/`);
    assert.equal(b.apiUrl, `${s.url}/openeo/1.2`);
    assert.deepEqual(s.hits.map((h) => h.path), ['/openeo/1.2/']);
  });

  test('capabilities reached through a same-origin redirect: the API root is where it answered', async () => {
    const s = await serve(routes({
      '/.well-known/openeo': (_q, res) => { res.writeHead(404); res.end(); },
      '/': (_q, res) => { res.writeHead(302, { location: '/openeo/1.2/' }); res.end(); },
      '/openeo/1.2/': (_q, res) => sendJson(res, 200, capabilitiesBody()),
    }));
    assert.equal((await discoverBackend(s.url)).apiUrl, `${s.url}/openeo/1.2`);
  });

  test('HTML everywhere (a web server, not openEO) is BACKEND_INVALID_RESPONSE "web page"', async () => {
    const s = await serve((_q, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>shop</html>'); });
    const e = await rejectsWith(discoverBackend(s.url), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /web page/);
  });

  test('404 everywhere says no openEO API was found at the address', async () => {
    const s = await serve((_q, res) => { res.writeHead(404); res.end(); });
    const e = await rejectsWith(discoverBackend(`${s.url}/openeo/1.2`), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /No openEO API was found at http:\/\/127\.0\.0\.1:\d+\/openeo\/1\.2/);
  });

  test('JSON of the wrong shape names the field', async () => {
    const s = await serve(routes({
      '/.well-known/openeo': (_q, res) => sendJson(res, 200, { versions: [{ url: 'x' }] }),
      '/': (_q, res) => sendJson(res, 200, { api: 'yes' }),
    }));
    const e = await rejectsWith(discoverBackend(s.url), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /capabilities \(GET \/\).*api_version must be a text/);
  });

  test('only 0.x or 2.x offered, or a 0.4 API behind the address: a clear "needs 1.x"', async () => {
    const s = await serve(routes({
      '/.well-known/openeo': (_q, res) => sendJson(res, 200, { versions: [{ url: 'https://x/v0', api_version: '0.4.2' }] }),
    }));
    const e = await rejectsWith(discoverBackend(s.url), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /no openEO API version 1\.x \(it lists: 0\.4\.2\)/);
    const old = await serve(routes({ '/': (_q, res) => sendJson(res, 200, capabilitiesBody({ api_version: '0.4.2' })) }));
    const o = await rejectsWith(discoverBackend(old.url), 'BACKEND_INVALID_RESPONSE');
    assert.match(o.message, /speaks openEO API 0\.4\.2/);
  });

  test('a well-known listing a plain-http API on another machine is INSECURE_URL, never contacted', async () => {
    const s = await serve(routes({
      '/.well-known/openeo': (_q, res) => sendJson(res, 200, { versions: [{ url: 'http://openeo.example/openeo/1.2', api_version: '1.2.0' }] }),
    }));
    const e = await rejectsWith(discoverBackend(s.url), 'INSECURE_URL');
    assert.match(e.message, /openeo\.example/);
  });

  test('server trouble is not hidden behind a fallback: 503 on the well-known is BACKEND_ERROR', async () => {
    const s = await serve((_q, res) => sendJson(res, 503, { code: 'Maintenance', message: 'Back at noon.' }, { 'retry-after': '60' }));
    const e = await rejectsWith(discoverBackend(s.url), 'BACKEND_ERROR');
    assert.equal(e.retryAfterMs, 60_000);
    assert.equal(s.hits.length, 1);
  });

  test('a bad address fails before any request', async () => {
    await rejectsWith(discoverBackend('http://openeo.example'), 'INSECURE_URL');
    await rejectsWith(discoverBackend('gopher://openeo.example'), 'INVALID_URL');
  });
});
