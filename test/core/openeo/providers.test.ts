import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OidcProvider } from '../../../src/shared/model.ts';
import {
  GRANT,
  chooseClient,
  chooseProvider,
  fetchOidcProviders,
  parseOidcProviders,
  providerFlows,
} from '../../../src/main/core/openeo/providers.ts';
import { localServers, routes, sendJson } from '../../helpers/local-server.ts';
import { rejectsWith, specExamples, throwsWith } from './support.ts';

const serve = localServers();

const entry = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'CDSE',
  issuer: 'https://identity.dataspace.copernicus.eu/auth/realms/CDSE',
  title: 'Copernicus Data Space Ecosystem',
  ...over,
});

describe('parseOidcProviders', () => {
  test("the spec's example parses completely", () => {
    const providers = parseOidcProviders(specExamples.credentialsOidc);
    assert.deepEqual(providers.map((p) => p.id), ['egi', 'google', 'ms']);
    const egi = providers[0];
    assert.equal(egi?.issuer, 'https://aai.egi.eu/oidc');
    assert.deepEqual(egi?.scopes, ['openid', 'profile', 'email']);
    assert.deepEqual(egi?.defaultClients, [{
      id: 'KStcUzD5AIUA',
      grantTypes: ['implicit', GRANT.authorizationCodePkce, GRANT.deviceCodePkce, GRANT.refreshToken],
      redirectUrls: ['https://editor.openeo.org/'],
    }]);
    assert.equal(egi?.description, 'Login with your academic account.');
    assert.deepEqual(providers[1]?.defaultClients, []);
    assert.deepEqual(providers[2]?.scopes, []);
  });

  test("the issuer's trailing slash is removed; optional lists default to empty", () => {
    const [p] = parseOidcProviders({ providers: [entry({ issuer: 'https://id.example/realms/x/', links: [{ href: 'https://help.example', rel: 'about' }] })] });
    assert.equal(p?.issuer, 'https://id.example/realms/x');
    assert.deepEqual(p?.links, [{ href: 'https://help.example', rel: 'about' }]);
    assert.deepEqual(p?.defaultClients, []);
    const [loopback] = parseOidcProviders({ providers: [entry({ issuer: 'http://127.0.0.1:9999' })] });
    assert.equal(loopback?.issuer, 'http://127.0.0.1:9999');
  });

  test('an empty list is NO_OIDC_PROVIDER', () => {
    throwsWith(() => parseOidcProviders({ providers: [] }), 'NO_OIDC_PROVIDER');
  });

  test('an id that breaks the pattern names the field and the rule', () => {
    for (const id of ['egi-dev', 'a'.repeat(21), '', 'oidc/x', 'ü']) {
      const e = throwsWith(() => parseOidcProviders({ providers: [entry(), entry({ id })] }), 'BACKEND_INVALID_RESPONSE');
      assert.match(e.message, /providers\[1\]\.id must be 1 to 20 letters, digits or '_'/, id);
    }
  });

  test('every other wrong field is named, never a crash', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /the document must be an object/],
      [{ providers: 'CDSE' }, /providers must be a list/],
      [{ providers: [entry({ title: undefined })] }, /providers\[0\]\.title must be a text \(got nothing\)/],
      [{ providers: [entry({ issuer: 'not a url' })] }, /providers\[0\]\.issuer must be an absolute https URL/],
      [{ providers: [entry({ issuer: 'ftp://id.example' })] }, /providers\[0\]\.issuer/],
      [{ providers: [entry({ scopes: 'openid' })] }, /providers\[0\]\.scopes must be a list/],
      [{ providers: [entry({ default_clients: [{ id: 'c' }] })] }, /default_clients\[0\]\.grant_types must be a list/],
      [{ providers: [entry({ default_clients: [{ id: 'c', grant_types: [] }] })] }, /at least one grant type/],
      [{ providers: [entry({ default_clients: [{ id: 7, grant_types: ['refresh_token'] }] })] }, /default_clients\[0\]\.id/],
      [{ providers: [entry({ links: [{ rel: 'about' }] })] }, /links\[0\]\.href/],
      [{ providers: [entry(), entry()] }, /providers\[1\]\.id must be unique/],
    ];
    for (const [body, message] of cases) {
      const e = throwsWith(() => parseOidcProviders(body), 'BACKEND_INVALID_RESPONSE');
      assert.match(e.message, message);
      assert.match(e.message, /does not follow the openEO API/);
    }
  });

  test('an issuer on plain http to another machine is INSECURE_URL naming the provider', () => {
    const e = throwsWith(() => parseOidcProviders({ providers: [entry({ issuer: 'http://id.example' })] }), 'INSECURE_URL');
    assert.match(e.message, /login provider "CDSE"/);
  });
});

const deviceClient = { id: 'device-only', grantTypes: [GRANT.deviceCodePkce], redirectUrls: [] };
const fullClient = { id: 'full', grantTypes: [GRANT.deviceCode, GRANT.deviceCodePkce, GRANT.refreshToken, GRANT.authorizationCode], redirectUrls: ['http://127.0.0.1/callback'] };
const provider = (defaultClients: OidcProvider['defaultClients'], id = 'CDSE'): OidcProvider => ({
  id, issuer: 'https://id.example', title: 'Example IdP', scopes: [], defaultClients, links: [],
});

describe('chooseProvider', () => {
  const list = [provider([], 'first'), provider([], 'second')];
  test('explicit > OPENEO_AUTH_PROVIDER_ID > only one > first', () => {
    assert.equal(chooseProvider(list, { explicit: 'second', env: { OPENEO_AUTH_PROVIDER_ID: 'first' } }).id, 'second');
    assert.equal(chooseProvider(list, { env: { OPENEO_AUTH_PROVIDER_ID: 'second' } }).id, 'second');
    assert.equal(chooseProvider([provider([], 'only')], { env: {} }).id, 'only');
    assert.equal(chooseProvider(list, { env: {} }).id, 'first');
  });
  test('an environment value naming no listed provider is ignored', () => {
    assert.equal(chooseProvider(list, { env: { OPENEO_AUTH_PROVIDER_ID: 'elsewhere' } }).id, 'first');
  });
  test('an unknown explicit id is UNKNOWN_PROVIDER listing the ids', () => {
    const e = throwsWith(() => chooseProvider(list, { explicit: 'egi' }), 'UNKNOWN_PROVIDER');
    assert.match(e.message, /"egi"/);
    assert.match(e.nextStep ?? '', /first \(Example IdP\), second \(Example IdP\)/);
  });
});

describe('chooseClient', () => {
  test('device login with refresh: the first default client with both grants; PKCE from its +pkce grant', () => {
    const c = chooseClient(provider([deviceClient, fullClient]), { flow: 'device', wantRefresh: true });
    assert.deepEqual(c, { clientId: 'full', usePkce: true, grantTypes: fullClient.grantTypes, isDefaultClient: true, redirectUrls: fullClient.redirectUrls });
    assert.equal(chooseClient(provider([deviceClient, fullClient]), { flow: 'device', wantRefresh: false }).clientId, 'device-only');
  });

  test('no +pkce grant listed → no PKCE; a secret turns PKCE off too', () => {
    const plain = { id: 'plain', grantTypes: [GRANT.deviceCode, GRANT.refreshToken], redirectUrls: [] };
    assert.equal(chooseClient(provider([plain]), { flow: 'device', wantRefresh: true }).usePkce, false);
    assert.equal(chooseClient(provider([fullClient]), { flow: 'device', wantRefresh: true, hasSecret: true }).usePkce, false);
  });

  test('browser login needs an authorization_code grant', () => {
    assert.equal(chooseClient(provider([deviceClient, fullClient]), { flow: 'browser', wantRefresh: true }).clientId, 'full');
    // A public client's browser login always gets PKCE, even when only the plain grant is listed.
    assert.equal(chooseClient(provider([fullClient]), { flow: 'browser', wantRefresh: true }).usePkce, true);
    assert.equal(chooseClient(provider([fullClient]), { flow: 'browser', wantRefresh: true, hasSecret: true }).usePkce, false);
  });

  test('a user-supplied client id overrides; PKCE on when it has no secret', () => {
    const own = chooseClient(provider([fullClient]), { flow: 'device', wantRefresh: true, clientId: 'mine' });
    assert.deepEqual(own, { clientId: 'mine', usePkce: true, grantTypes: [], isDefaultClient: false, redirectUrls: [] });
    assert.equal(chooseClient(provider([]), { flow: 'browser', wantRefresh: true, clientId: 'mine', hasSecret: true }).usePkce, false);
    assert.equal(chooseClient(provider([fullClient]), { flow: 'device', wantRefresh: true, clientId: 'full' }).isDefaultClient, true);
  });

  test('client credentials need the user’s own id and secret', () => {
    assert.deepEqual(chooseClient(provider([fullClient]), { flow: 'client-credentials', wantRefresh: false, clientId: 'svc', hasSecret: true }),
      { clientId: 'svc', usePkce: false, grantTypes: [], isDefaultClient: false, redirectUrls: [] });
    throwsWith(() => chooseClient(provider([fullClient]), { flow: 'client-credentials', wantRefresh: false }), 'NO_SUITABLE_CLIENT');
    throwsWith(() => chooseClient(provider([]), { flow: 'client-credentials', wantRefresh: false, clientId: 'svc' }), 'NO_SUITABLE_CLIENT');
  });

  test('NO_SUITABLE_CLIENT says which grant is missing and what the provider does allow', () => {
    const noRefresh = throwsWith(() => chooseClient(provider([deviceClient]), { flow: 'device', wantRefresh: true }), 'NO_SUITABLE_CLIENT');
    assert.match(noRefresh.message, /refresh_token/);
    const noBrowser = throwsWith(() => chooseClient(provider([deviceClient]), { flow: 'browser', wantRefresh: false }), 'NO_SUITABLE_CLIENT');
    assert.match(noBrowser.message, /authorization_code\+pkce/);
    assert.match(noBrowser.nextStep ?? '', /device login/);
    const none = throwsWith(() => chooseClient(provider([]), { flow: 'device', wantRefresh: true }), 'NO_SUITABLE_CLIENT');
    assert.match(none.message, /no default client/);
  });

  test('providerFlows lists what the default clients allow, client credentials always', () => {
    assert.deepEqual(providerFlows(provider([fullClient])), ['device', 'browser', 'client-credentials']);
    assert.deepEqual(providerFlows(provider([deviceClient])), ['device', 'client-credentials']);
    assert.deepEqual(providerFlows(provider([])), ['client-credentials']);
  });
});

describe('fetchOidcProviders', () => {
  test('reads the list fresh each time; a backend without /credentials/oidc is NO_OIDC_PROVIDER', async () => {
    const s = await serve(routes({
      '/openeo/1.2/credentials/oidc': (_q, res) => sendJson(res, 200, { providers: [entry()] }),
    }));
    const backend = { apiUrl: `${s.url}/openeo/1.2` };
    assert.equal((await fetchOidcProviders(backend))[0]?.id, 'CDSE');
    await fetchOidcProviders(backend);
    assert.equal(s.hits.length, 2);
    await rejectsWith(fetchOidcProviders({ apiUrl: `${s.url}/other` }), 'NO_OIDC_PROVIDER');
  });

  test('an empty list from a server is NO_OIDC_PROVIDER; a bad id is BACKEND_INVALID_RESPONSE', async () => {
    const s = await serve(routes({
      '/empty/credentials/oidc': (_q, res) => sendJson(res, 200, { providers: [] }),
      '/bad/credentials/oidc': (_q, res) => sendJson(res, 200, { providers: [entry({ id: 'has space' })] }),
    }));
    const empty = await rejectsWith(fetchOidcProviders({ apiUrl: `${s.url}/empty` }), 'NO_OIDC_PROVIDER');
    assert.match(empty.message, /The openEO backend at 127\.0\.0\.1:\d+ lists no OpenID Connect login provider/);
    await rejectsWith(fetchOidcProviders({ apiUrl: `${s.url}/bad` }), 'BACKEND_INVALID_RESPONSE');
  });
});
