/**
 * The token service on its own: a real OpenID Provider (oidc-provider, rotating refresh tokens,
 * reuse detection on), an in-memory keychain, a fake wall clock for the app's side. Requests are
 * counted at the IdP, so "no request" and "one request" are what the IdP saw.
 */
import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestIdp, type TestIdp, type TestIdpOptions } from '../../fixtures/oidc-provider.ts';
import { approveDevice } from '../../fixtures/device-user.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { createMemorySecretStore } from '../../helpers/memory-store.ts';
import { AuthTrayError, isAuthTrayError } from '../../../src/main/core/errors.ts';
import { connectIssuer, forgetDiscoveredIssuers, startDeviceLogin } from '../../../src/main/core/oidc/index.ts';
import type { FetchLike, SecretStore } from '../../../src/main/core/ports.ts';
import { identityFromLogin } from '../../../src/main/core/session/identity-records.ts';
import type { IdentityRepository } from '../../../src/main/core/session/ports.ts';
import { TokenService, type TokenServiceDeps } from '../../../src/main/core/session/token-service.ts';
import { secretKey, type Identity } from '../../../src/shared/model.ts';

const ID = 'fixture-0a1b2c';
const S = 1_000;
const MIN = 60 * S;
const REFRESH_KEY = secretKey(ID, 'refresh_token');
const ACCESS_KEY = secretKey(ID, 'access_token');

/** One login at a fresh IdP: the settings file and the keychain as every process of the app sees them. */
interface World {
  idp: TestIdp;
  clock: FakeClock;
  memory: ReturnType<typeof createMemorySecretStore>;
  /** The keychain as the service sees it; `refuseRefreshTokenWrites` makes it refuse that many writes of the refresh token. */
  secrets: SecretStore & { refuseRefreshTokenWrites: number };
  identities: IdentityRepository & { current(): Identity };
  lockDir: string;
  /** The refresh token of the sign-in. */
  firstRefreshToken: string;
  /** A token service as one process has it (its own in-flight map and memory). */
  service(extra?: Partial<TokenServiceDeps>): TokenService;
  refreshGrants(): number;
}

async function world(t: TestContext, options: TestIdpOptions = {}): Promise<World> {
  const idp = await startTestIdp({ accessTokenTtl: 300, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'oat-token-service-'));
  t.after(async () => {
    await idp.stop();
    forgetDiscoveredIssuers();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = new FakeClock(Date.now());
  const conn = await connectIssuer(idp.issuer, idp.publicClientId);
  const login = await startDeviceLogin(conn, { scopes: ['openid', 'offline_access'], usePkce: true, clock });
  await approveDevice(login.authorization.verificationUriComplete!);
  const tokens = await login.result;
  assert.ok(tokens.refreshToken, 'the sign-in gave a refresh token');

  let identity = identityFromLogin(ID, {
    kind: 'personal', flow: 'device', label: 'Fixture', backendUrl: 'https://openeo.example.org', apiUrl: 'https://openeo.example.org/openeo/1.2',
    providerId: 'fixture', issuer: idp.issuer, clientId: idp.publicClientId, scopes: ['openid', 'offline_access'], jwtBearer: false,
  }, tokens, clock.now());
  const identities = {
    current: () => identity,
    listIdentities: () => [identity],
    getIdentity: (id: string) => (id === identity.id ? identity : undefined),
    upsertIdentity: async (i: Identity) => { identity = i; },
    updateIdentity: async (_id: string, patch: Partial<Omit<Identity, 'id'>>) => (identity = { ...identity, ...patch }),
    removeIdentity: async () => false,
  };
  const memory = createMemorySecretStore({ [REFRESH_KEY]: tokens.refreshToken, [ACCESS_KEY]: tokens.accessToken });
  const secrets = {
    refuseRefreshTokenWrites: 0,
    get: (key: string) => memory.get(key),
    delete: (key: string) => memory.delete(key),
    health: () => memory.health(),
    set(key: string, value: string): Promise<void> {
      if (key === REFRESH_KEY && secrets.refuseRefreshTokenWrites > 0) {
        secrets.refuseRefreshTokenWrites -= 1;
        return Promise.reject(new AuthTrayError('KEYCHAIN_LOCKED', 'The keychain is locked.'));
      }
      return memory.set(key, value);
    },
  };
  const lockDir = join(dir, 'locks');
  return {
    idp, clock, memory, secrets, identities, lockDir,
    firstRefreshToken: tokens.refreshToken,
    service: (extra = {}) => new TokenService({ identities, secrets, clock, lockDir, ...extra }),
    refreshGrants: () => idp.counters.byGrant['refresh_token'] ?? 0,
  };
}

/** A fetch that holds every token request at the IdP until `release()`; `reached` resolves when the first one is held. */
function gatedFetch(): { fetch: FetchLike; reached: Promise<void>; release: () => void } {
  let arrived!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (arrived = r));
  const gate = new Promise<void>((r) => (open = r));
  const fetchGated: FetchLike = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (new URL(url).pathname === '/token') {
      arrived();
      await gate;
    }
    return fetch(input, init);
  };
  return { fetch: fetchGated, reached, release: () => open() };
}

describe('TokenService: the cached access token', () => {
  test('while it is valid for minValid it is handed out without a request; near its expiry it is refreshed', async (t) => {
    const w = await world(t);
    const service = w.service();
    const before = await w.memory.get(ACCESS_KEY);

    const cached = await service.accessToken(ID);
    assert.equal(cached.renewed, false);
    assert.equal(cached.accessToken, before);
    assert.equal(w.idp.counters.token, 1, 'only the sign-in reached the IdP');

    // 200 s left: enough for the default minute, not for four minutes.
    await w.clock.advance(100 * S);
    assert.equal((await service.accessToken(ID)).renewed, false);
    const longer = await service.accessToken(ID, { minValidMs: 4 * MIN });
    assert.equal(longer.renewed, true);
    assert.notEqual(longer.accessToken, before);
    assert.equal(w.refreshGrants(), 1);

    // 50 s left of the new one: less than the default minute.
    await w.clock.advance(250 * S);
    const near = await service.accessToken(ID);
    assert.equal(near.renewed, true);
    assert.notEqual(near.accessToken, longer.accessToken);
    assert.equal(w.refreshGrants(), 2);
    assert.equal(near.expiresAt, w.clock.now() + 300 * S);
    assert.equal(w.identities.current().accessTokenExpiresAt, near.expiresAt);
    assert.equal(await w.memory.get(ACCESS_KEY), near.accessToken);
  });

  test('`force` refreshes a token that is still valid', async (t) => {
    const w = await world(t);
    const service = w.service();
    const before = await w.memory.get(ACCESS_KEY);
    // A second later (a token obtained in the very millisecond of the call counts as just renewed).
    await w.clock.advance(S);
    const forced = await service.accessToken(ID, { force: true });
    assert.equal(forced.renewed, true);
    assert.notEqual(forced.accessToken, before);
    assert.equal(w.refreshGrants(), 1);
  });

  test('the clock went back: a token "obtained in the future" is not trusted; a few seconds\' drift is', async (t) => {
    const w = await world(t);
    const service = w.service();
    w.clock.jump(-2 * S);
    assert.equal((await service.accessToken(ID)).renewed, false, 'within the slack');
    assert.equal(w.refreshGrants(), 0);
    // An hour back, the stored expiry reads as an hour and five minutes away: not to be believed.
    w.clock.jump(-60 * MIN);
    const renewed = await service.accessToken(ID);
    assert.equal(renewed.renewed, true);
    assert.equal(w.refreshGrants(), 1);
    assert.equal(w.identities.current().accessTokenObtainedAt, w.clock.now());
  });
});

describe('TokenService: refreshes', () => {
  test('single flight: eight concurrent calls make one token request and get the same token', async (t) => {
    const w = await world(t);
    const service = w.service();
    await w.clock.advance(280 * S);
    const results = await Promise.all(Array.from({ length: 8 }, () => service.accessToken(ID)));
    assert.equal(w.refreshGrants(), 1);
    assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
    assert.ok(results.every((r) => r.renewed), 'each call got the one new token, none a cached one');

    await w.clock.advance(S);
    const forced = await Promise.all(Array.from({ length: 8 }, () => service.accessToken(ID, { force: true })));
    assert.equal(w.refreshGrants(), 2, 'forced calls share one refresh too');
    assert.equal(new Set(forced.map((r) => r.accessToken)).size, 1);
    assert.ok(forced.every((r) => r.renewed), 'each call got the one new token, none a cached one');
    assert.equal(w.idp.counters.errors['invalid_grant'], undefined);
  });

  test('an IdP that does not rotate (no new refresh token, no refresh_expires_in) keeps the login\'s known end', async (t) => {
    const w = await world(t, { rotateRefreshTokens: false });
    const end = w.identities.current().refreshTokenExpiry;
    assert.equal(end.kind, 'at', 'the sign-in told the end');
    const withoutRefresh: FetchLike = async (input, init) => {
      const res = await fetch(input, init);
      if (new URL(String(input instanceof Request ? input.url : input)).pathname !== '/token') return res;
      const body = (await res.json()) as Record<string, unknown>;
      delete body.refresh_token;
      delete body.refresh_expires_in;
      return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/json' } });
    };
    await w.clock.advance(S);
    const renewed = await w.service({ fetch: withoutRefresh }).accessToken(ID, { force: true });
    assert.equal(renewed.renewed, true);
    assert.equal(await w.memory.get(REFRESH_KEY), w.firstRefreshToken, 'the one refresh token is kept');
    const after = w.identities.current().refreshTokenExpiry;
    assert.ok(after.kind === 'at' && end.kind === 'at' && after.at === end.at, `the end is still known: ${JSON.stringify(after)}`);
  });

  test('the rotated refresh token is saved to the keychain, and the next refresh spends it', async (t) => {
    const w = await world(t);
    await w.clock.advance(S);
    await w.service().accessToken(ID, { force: true });
    const rotated = await w.memory.get(REFRESH_KEY);
    assert.ok(rotated);
    assert.notEqual(rotated, w.firstRefreshToken);
    // Another process (a new service) starts from the keychain: the rotated token works there.
    await w.clock.advance(S);
    await w.service().accessToken(ID, { force: true });
    const again = await w.memory.get(REFRESH_KEY);
    assert.notEqual(again, rotated);
    assert.equal(w.refreshGrants(), 2);
    assert.equal(w.idp.counters.errors['invalid_grant'], undefined, 'no spent token was sent');
  });

  test('a rotated token the keychain refused is kept and saved first at the next refresh', async (t) => {
    const w = await world(t);
    const logged: string[] = [];
    const service = w.service({ log: (_level, message) => logged.push(message) });
    w.secrets.refuseRefreshTokenWrites = 1;
    await w.clock.advance(S);
    await assert.rejects(service.accessToken(ID, { force: true }), (e: unknown) => isAuthTrayError(e, 'KEYCHAIN_LOCKED'));
    assert.equal(await w.memory.get(REFRESH_KEY), w.firstRefreshToken, 'the keychain still holds the spent one');

    await w.clock.advance(S);
    const next = await service.accessToken(ID, { force: true });
    assert.equal(next.renewed, true);
    assert.equal(w.refreshGrants(), 2);
    assert.equal(w.idp.counters.errors['invalid_grant'], undefined, 'the spent token was never sent again');
    assert.ok(logged.some((m) => /saved the rotated refresh token the keychain refused earlier/.test(m)));
    const saved = await w.memory.get(REFRESH_KEY);
    assert.notEqual(saved, w.firstRefreshToken);
    // What the keychain holds now is the live token: a new process can refresh with it.
    await w.clock.advance(S);
    await w.service().accessToken(ID, { force: true });
    assert.equal(w.idp.counters.errors['invalid_grant'], undefined);
  });

  test('the IdP refuses the refresh token: REFRESH_TOKEN_INVALID with a next step, no secret in it, the login marked expired', async (t) => {
    const w = await world(t);
    await w.clock.advance(S);
    await w.service().accessToken(ID, { force: true });
    const live = (await w.memory.get(REFRESH_KEY))!;
    const access = (await w.memory.get(ACCESS_KEY))!;
    // The keychain goes back to the spent token (a restored backup): the IdP sees it reused.
    await w.memory.set(REFRESH_KEY, w.firstRefreshToken);
    await w.clock.advance(S);
    let caught: unknown;
    await w.service().accessToken(ID, { force: true }).catch((e: unknown) => (caught = e));
    assert.ok(isAuthTrayError(caught, 'REFRESH_TOKEN_INVALID'), String(caught));
    const err = caught;
    assert.match(err.nextStep ?? '', /Sign in again/);
    assert.match(err.nextStep ?? '', /openeo-auth-tray login https:\/\/openeo\.example\.org/);
    for (const secret of [w.firstRefreshToken, live, access]) {
      assert.equal(err.sentence.includes(secret), false, 'no token in what the user reads');
    }
    assert.equal(w.idp.counters.errors['invalid_grant'], 1);
    assert.equal(w.identities.current().expiredAt, w.clock.now());
    // Marked expired: the still-unexpired access token is not handed out as if nothing happened.
    await assert.rejects(w.service().accessToken(ID), (e: unknown) => isAuthTrayError(e, 'REFRESH_TOKEN_INVALID'));
  });
});

/** The world's keychain with every write held until `release()`; `saves()` counts the writes begun. */
function gatedKeychain(w: World): { secrets: World['secrets']; release: () => void; saves: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let saves = 0;
  const secrets = {
    ...w.secrets,
    get: (k: string) => w.secrets.get(k),
    delete: (k: string) => w.secrets.delete(k),
    health: () => w.secrets.health(),
    async set(k: string, v: string) {
      saves++;
      await gate;
      return w.secrets.set(k, v);
    },
  };
  return { secrets, release, saves: () => saves };
}

describe('TokenService: answering before the save (the agent)', () => {
  test('the renewed token is handed out before the keychain has it; the lock is held until it does, so another process waits and spends nothing', async (t) => {
    const w = await world(t);
    const { secrets, release, saves } = gatedKeychain(w);
    const agent = w.service({ secrets });
    await w.clock.advance(S);
    const answered = await agent.accessToken(ID, { force: true, answerBeforeSaved: true });
    assert.equal(answered.renewed, true);
    assert.ok(saves() >= 1, 'the save has begun');
    assert.equal(await w.memory.get(REFRESH_KEY), w.firstRefreshToken, 'not yet in the keychain');
    // Another process asking now waits for the lock the save holds, then finds the new token.
    const other = w.service().accessToken(ID, { force: true });
    await new Promise((r) => setTimeout(r, 50));
    release();
    const [, second] = await Promise.all([agent.idle(), other]);
    assert.notEqual(await w.memory.get(REFRESH_KEY), w.firstRefreshToken, 'saved once the keychain answered');
    assert.equal(second.accessToken, answered.accessToken, 'the waiting process took the renewed token');
    assert.equal(w.refreshGrants(), 1, 'one refresh in all');
    assert.equal(w.idp.counters.errors['invalid_grant'], undefined);
  });
});

test('TokenService: while the save goes on, the same service hands out the renewed token, and a forced request waits for the save and gets a newer one', async (t) => {
  const w = await world(t);
  const { secrets, release } = gatedKeychain(w);
  const agent = w.service({ secrets });
  const before = await agent.accessToken(ID);
  await w.clock.advance(S);
  const answered = await agent.accessToken(ID, { force: true, answerBeforeSaved: true });
  assert.ok(answered.accessToken !== before.accessToken, 'force: a new token');
  // The settings and the keychain still hold the token before; the next script must not get it.
  const next = await agent.accessToken(ID, { answerBeforeSaved: true });
  assert.ok(next.accessToken === answered.accessToken, 'the next request during the save gets the renewed token, not the one before');
  assert.equal(next.renewed, false);
  await w.clock.advance(S);
  const forced = agent.accessToken(ID, { force: true, answerBeforeSaved: true });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(w.refreshGrants(), 1, 'a forced request waits for the save before it refreshes');
  release();
  const newer = await forced;
  await agent.idle();
  assert.ok(newer.accessToken !== answered.accessToken, 'force: newer than the request');
  assert.equal(w.refreshGrants(), 2);
  const after = await agent.accessToken(ID);
  assert.ok(after.accessToken === newer.accessToken, 'then the newest token is the cached one');
});

describe('TokenService: the refresh lock between processes', () => {
  test('two services on one lock folder: the second waits, finds the first one\'s token, and spends nothing', { timeout: 30_000 }, async (t) => {
    const w = await world(t);
    await w.clock.advance(280 * S);
    const gated = gatedFetch();
    const first = w.service({ fetch: gated.fetch });
    const second = w.service();

    const one = first.accessToken(ID);
    await gated.reached;
    // The first holds the lock file while its request is at the IdP (0700 folder, our pid inside).
    assert.equal(statSync(w.lockDir).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(w.lockDir), [`refresh-${ID}.lock`]);
    assert.equal(JSON.parse(readFileSync(join(w.lockDir, `refresh-${ID}.lock`), 'utf8')).pid, process.pid);
    const two = second.accessToken(ID);
    gated.release();
    const [a, b] = await Promise.all([one, two]);

    assert.equal(w.refreshGrants(), 1, 'one refresh for both');
    assert.equal(a.renewed, true);
    assert.equal(b.renewed, false);
    assert.equal(b.accessToken, a.accessToken);
    assert.equal(w.idp.counters.errors['invalid_grant'], undefined);
    assert.deepEqual(readdirSync(w.lockDir), [], 'released');
  });

  test('underRefreshLock: the work runs after a refresh holding the lock, and sees its rotated token', { timeout: 30_000 }, async (t) => {
    const w = await world(t);
    const gated = gatedFetch();
    const refreshing = w.service({ fetch: gated.fetch });
    const exporting = w.service();
    await w.clock.advance(S);

    const refreshed = refreshing.accessToken(ID, { force: true });
    await gated.reached;
    // Started while the refresh holds the lock, with the spent token still in the keychain.
    const exported = exporting.underRefreshLock(ID, async () => ({
      refreshToken: await w.secrets.get(REFRESH_KEY),
      obtainedAt: w.identities.current().accessTokenObtainedAt,
    }));
    gated.release();
    const [renewed, seen] = await Promise.all([refreshed, exported]);

    assert.equal(renewed.renewed, true);
    assert.notEqual(seen.refreshToken, w.firstRefreshToken, 'not the token the refresh spent');
    assert.equal(seen.refreshToken, await w.memory.get(REFRESH_KEY));
    assert.equal(seen.obtainedAt, renewed.identity.accessTokenObtainedAt, 'the refresh was saved before the work ran');
  });
});
