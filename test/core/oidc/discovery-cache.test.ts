/** The discovery documents kept in the settings folder: bounded age, foreign or damaged files ignored, key changes. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createDiscoveryCache, DISCOVERY_MAX_AGE_MS, jwtKeyId } from '../../../src/main/core/oidc/discovery-cache.ts';
import { connectIssuer, forgetDiscoveredIssuers } from '../../../src/main/core/oidc/issuer.ts';
import { startTestIdp } from '../../fixtures/oidc-provider.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'oat-disc-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ISSUER = 'https://idp.example/realms/CDSE';
const doc = { issuer: ISSUER, token_endpoint: `${ISSUER}/protocol/openid-connect/token` };

describe('discovery cache', () => {
  test('kept for a bounded time, in a 0600 file', () => {
    let now = 1_000_000;
    const dir = join(tempDir(), 'cache');
    const cache = createDiscoveryCache(dir, { now: () => now });
    assert.equal(cache.get(ISSUER), null);
    cache.put(ISSUER, doc);
    assert.deepEqual(cache.get(ISSUER)?.metadata, doc);
    const [file] = readdirSync(dir);
    assert.equal(statSync(join(dir, file!)).mode & 0o777, 0o600);
    now += DISCOVERY_MAX_AGE_MS + 1;
    assert.equal(cache.get(ISSUER), null, 'too old');
    now = 0;
    assert.equal(cache.get(ISSUER), null, 'from the future (the clock went back)');
  });

  test('a damaged, foreign or oversized file is a miss, never an error', () => {
    const dir = tempDir();
    const cache = createDiscoveryCache(dir, { now: () => 5 });
    cache.put(ISSUER, doc);
    const file = join(dir, readdirSync(dir)[0]!);
    for (const content of ['{', JSON.stringify({ issuer: 'https://evil.example', fetchedAt: 5, metadata: doc }), JSON.stringify({ issuer: ISSUER, fetchedAt: 5, metadata: { ...doc, token_endpoint: 'javascript:x' } }), 'x'.repeat(300_000)]) {
      writeFileSync(file, content);
      assert.equal(cache.get(ISSUER), null);
    }
  });

  test('a new signing key drops the document; the first key seen is remembered', () => {
    const cache = createDiscoveryCache(tempDir(), { now: () => 5 });
    cache.put(ISSUER, doc);
    cache.noteSigningKey(ISSUER, 'k1');
    cache.noteSigningKey(ISSUER, 'k1');
    assert.ok(cache.get(ISSUER));
    cache.noteSigningKey(ISSUER, 'k2');
    assert.equal(cache.get(ISSUER), null);
    assert.equal(jwtKeyId(`${Buffer.from('{"kid":"abc"}').toString('base64url')}.e30.sig`), 'abc');
    assert.equal(jwtKeyId('opaque'), undefined);
  });

  test('connectIssuer uses a kept document instead of discovering', async () => {
    const idp = await startTestIdp();
    try {
      const cache = createDiscoveryCache(tempDir(), { now: () => Date.now() });
      let discoveries = 0;
      const fetchCounting = (input: string | URL | Request, init?: RequestInit) => {
        if (String(input instanceof Request ? input.url : input).endsWith('/.well-known/openid-configuration')) discoveries += 1;
        return fetch(input, init);
      };
      await connectIssuer(idp.issuer, idp.publicClientId, { discoveryCache: cache, fetch: fetchCounting });
      forgetDiscoveredIssuers(); // a new process
      const again = await connectIssuer(idp.issuer, idp.publicClientId, { discoveryCache: cache, fetch: fetchCounting });
      assert.equal(discoveries, 1);
      assert.ok(again.capabilities.deviceFlow);
    } finally {
      await idp.stop();
      forgetDiscoveredIssuers();
    }
  });
});

describe('the token service with a kept discovery document (the lean refresh path)', () => {
  test('a later process refreshes with one POST and no discovery; a failed refresh drops the document', async () => {
    const { TokenService } = await import('../../../src/main/core/session/token-service.ts');
    const { createMemorySecretStore } = await import('../../helpers/memory-store.ts');
    const { startDeviceLogin } = await import('../../../src/main/core/oidc/device-login.ts');
    const { approveDevice } = await import('../../fixtures/device-user.ts');
    const { sampleIdentity } = await import('../../helpers/sample-identity.ts');
    const idp = await startTestIdp({ accessTokenTtl: 300 });
    try {
      const conn = await connectIssuer(idp.issuer, idp.publicClientId);
      const login = await startDeviceLogin(conn, { scopes: ['openid', 'offline_access'], usePkce: true });
      await approveDevice(login.authorization.verificationUriComplete!);
      const tokens = await login.result;
      const secrets = createMemorySecretStore({ 'kc-1/refresh_token': tokens.refreshToken! });
      let identity = sampleIdentity({ id: 'kc-1', issuer: idp.issuer, clientId: idp.publicClientId, accessTokenExpiresAt: null, refreshTokenExpiry: tokens.refreshTokenExpiry });
      const identities = {
        listIdentities: () => [identity],
        getIdentity: (id: string) => (id === identity.id ? identity : undefined),
        upsertIdentity: async () => undefined,
        updateIdentity: async (_id: string, patch: Partial<typeof identity>) => (identity = { ...identity, ...patch }),
        removeIdentity: async () => false,
      };
      const paths: string[] = [];
      const fetchSeen = (input: string | URL | Request, init?: RequestInit) => {
        paths.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
        return fetch(input, init);
      };
      const cacheDir = tempDir();
      const newProcess = () => {
        // A forced refresh right after another in the same millisecond would take that one's token.
        const until = Date.now() + 3;
        while (Date.now() < until) { /* wait */ }
        forgetDiscoveredIssuers();
        return new TokenService({ identities, secrets, clock: { now: () => Date.now() }, lockDir: join(cacheDir, 'locks'), fetch: fetchSeen, discoveryCache: createDiscoveryCache(join(cacheDir, 'd'), { now: () => Date.now() }) });
      };
      await newProcess().accessToken('kc-1', { force: true });
      assert.deepEqual(paths, ['/.well-known/openid-configuration', '/token']);
      paths.length = 0;
      await newProcess().accessToken('kc-1', { force: true });
      assert.deepEqual(paths, ['/token'], 'no discovery: the kept document named the token endpoint');

      paths.length = 0;
      idp.failNextToken({ status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' });
      await assert.rejects(newProcess().accessToken('kc-1', { force: true }), /HTTP 502/);
      await newProcess().accessToken('kc-1', { force: true });
      assert.deepEqual(paths, ['/token', '/.well-known/openid-configuration', '/token'], 'after the failure the IdP is discovered again');
    } finally {
      await idp.stop();
      forgetDiscoveredIssuers();
    }
  });
});
