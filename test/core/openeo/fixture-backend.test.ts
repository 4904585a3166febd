/**
 * The openEO part of the core against the fixture backend and the real test IdP (oidc-provider):
 * discovery from the forms users type, providers, client choice, and /me and /jobs with a real
 * token (client credentials, obtained here with a plain token request).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getMe, listJobs, openEoBearer } from '../../../src/main/core/openeo/api.ts';
import { discoverBackend } from '../../../src/main/core/openeo/discovery.ts';
import { chooseClient, chooseProvider, fetchOidcProviders, providerFlows } from '../../../src/main/core/openeo/providers.ts';
import { startFixtureBackend, type FixtureBackend } from '../../fixtures/openeo-backend.ts';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { rejectsWith } from './support.ts';

let idp: TestIdp;
let backend: FixtureBackend;
let jwtBackend: FixtureBackend;

before(async () => {
  idp = await startTestIdp();
  backend = await startFixtureBackend({ idp, budget: 42 });
  jwtBackend = await startFixtureBackend({ idp, jwtBearer: true });
});
after(async () => {
  await Promise.all([backend?.stop(), jwtBackend?.stop()]);
  await idp?.stop();
});

/** A real access token from the test IdP (client credentials, client_secret_basic). */
async function serviceToken(): Promise<string> {
  const config = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
  const basic = Buffer.from(`${idp.serviceClient.id}:${idp.serviceClient.secret}`).toString('base64');
  const res = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.ok(body.access_token);
  return body.access_token;
}

describe('discovery of the fixture backend', () => {
  test('from the bare loopback address with http:// (well-known → 1.2)', async () => {
    const b = await discoverBackend(`${backend.url}/`);
    assert.equal(b.inputUrl, backend.url);
    assert.equal(b.apiUrl, backend.apiUrl);
    assert.equal(b.apiVersion, '1.2.0');
    assert.equal(b.title, 'Fixture openEO backend');
    assert.equal(b.jwtBearer, false);
    assert.ok(b.endpoints.some((e) => e.path === '/me' && e.methods.includes('GET')));
    assert.ok(b.conformsTo.includes('https://api.openeo.org/1.2.0'));
  });

  test('from a versioned URL, directly, without the well-known', async () => {
    const before = backend.requests.length;
    const b = await discoverBackend(`${backend.apiUrl}/`);
    assert.equal(b.apiUrl, backend.apiUrl);
    assert.deepEqual(backend.requests.slice(before).map((r) => r.path), ['/openeo/1.2/']);
  });

  test('a bare host without scheme becomes https and so cannot reach the plain-http fixture', async () => {
    const hostPort = backend.url.replace('http://', '');
    const e = await rejectsWith(discoverBackend(hostPort, { timeoutMs: 3000 }), 'BACKEND_UNREACHABLE');
    assert.match(e.message, /does not answer over https/);
    assert.ok(e.nextStep?.includes(`enter the address with http:// (${backend.url})`), e.nextStep);
  });

  test('the JWT conformance class is seen', async () => {
    assert.equal((await discoverBackend(jwtBackend.url)).jwtBearer, true);
  });

  test('an overridden well-known answering HTML falls back to the address, which then is not an API', async (t) => {
    backend.override('GET', '/.well-known/openeo', { status: 200, body: '<html>maintenance</html>', headers: { 'content-type': 'text/html' } });
    t.after(() => {
      backend.override('GET', '/.well-known/openeo', null);
    });
    const e = await rejectsWith(discoverBackend(backend.url), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /No openEO API was found at http:\/\/127\.0\.0\.1:\d+: it has neither/);
  });
});

describe('providers and clients of the fixture backend', () => {
  test('lists the test IdP; a device login with refresh gets its public client with PKCE', async () => {
    const b = await discoverBackend(backend.url);
    const providers = await fetchOidcProviders(b);
    const provider = chooseProvider(providers, { env: {} });
    assert.equal(provider.id, backend.providerId);
    assert.equal(provider.issuer, idp.issuer);
    assert.deepEqual(providerFlows(provider), ['device', 'browser', 'client-credentials']);
    const client = chooseClient(provider, { flow: 'device', wantRefresh: true });
    assert.equal(client.clientId, idp.publicClientId);
    assert.equal(client.usePkce, true);
    assert.equal(client.isDefaultClient, true);
    const browser = chooseClient(provider, { flow: 'browser', wantRefresh: true });
    assert.deepEqual(browser.redirectUrls, ['http://127.0.0.1/callback']);
  });

  test('an overridden empty provider list is NO_OIDC_PROVIDER', async (t) => {
    backend.override('GET', '/openeo/1.2/credentials/oidc', { body: { providers: [] } });
    t.after(() => {
      backend.override('GET', '/openeo/1.2/credentials/oidc', null);
    });
    await rejectsWith(fetchOidcProviders({ apiUrl: backend.apiUrl }), 'NO_OIDC_PROVIDER');
  });
});

describe('/me and /jobs with a real token', () => {
  test('getMe and listJobs (paginated) with oidc/<provider>/<token>', async () => {
    const token = await serviceToken();
    const bearer = openEoBearer({ providerId: backend.providerId, jwtBearer: false }, token);
    const me = await getMe(backend.apiUrl, bearer);
    assert.match(me.userId, /openeo-service/);
    assert.equal(me.budget, 42);
    assert.equal(me.links[0]?.rel, 'payment');
    for (let i = 0; i < 5; i++) backend.addJob(me.userId, { id: `job-${i}`, status: i === 0 ? 'finished' : 'running', title: `Job ${i}` });
    assert.deepEqual((await listJobs(backend.apiUrl, bearer)).map((j) => j.id), ['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
    // Pages of 2: three requests, the next links followed.
    const before = backend.requests.length;
    const paged = await listJobs(backend.apiUrl, bearer, { limit: 2 });
    assert.deepEqual(paged.map((j) => `${j.id}:${j.status}`), ['job-0:finished', 'job-1:running', 'job-2:running', 'job-3:running', 'job-4:running']);
    const requests = backend.requests.slice(before);
    assert.deepEqual(requests.map((r) => r.path), ['/openeo/1.2/jobs?limit=2', '/openeo/1.2/jobs?limit=2&offset=2', '/openeo/1.2/jobs?limit=2&offset=4']);
    assert.ok(requests.every((r) => r.auth === 'valid'));
    assert.equal((await listJobs(backend.apiUrl, bearer, { limit: 2, maxPages: 2 })).length, 4);
  });

  test('the raw token works on a JWT backend', async () => {
    const token = await serviceToken();
    const me = await getMe(jwtBackend.apiUrl, openEoBearer({ providerId: jwtBackend.providerId, jwtBearer: true }, token));
    assert.match(me.userId, /openeo-service/);
  });

  test('a token the backend refuses is TOKEN_INVALID and is not in the message', async () => {
    const bearer = openEoBearer({ providerId: backend.providerId, jwtBearer: false }, 'not-a-real-token-123');
    const e = await rejectsWith(getMe(backend.apiUrl, bearer), 'TOKEN_INVALID');
    assert.match(e.message, /TokenInvalid/);
    assert.doesNotMatch(`${e.message} ${e.nextStep}`, /not-a-real-token-123/);
    await rejectsWith(listJobs(backend.apiUrl, bearer), 'TOKEN_INVALID');
  });
});
