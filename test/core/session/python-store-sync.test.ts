/**
 * The sync hooks' refusals that need no IdP (issue 10, item 2): a token in the Python client's
 * store that is provably not this identity's is never even tried, so it is not spent either.
 * A real store file in a temporary folder; the identities in memory.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../../../src/shared/model.ts';
import { readRefreshTokenStore, writeRefreshToken } from '../../../src/main/core/python/refresh-token-store.ts';
import { refreshTokenFingerprint } from '../../../src/main/core/python/sync-policy.ts';
import type { IdentityRepository } from '../../../src/main/core/session/ports.ts';
import { createPythonSync, exportRefreshToken } from '../../../src/main/core/session/python-store-sync.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';

const ISSUER = 'https://identity.example/realms/x';
const T0 = Date.parse('2026-03-01T10:00:00Z');

function memoryIdentities(list: Identity[]): IdentityRepository {
  const byId = new Map(list.map((i) => [i.id, i]));
  return {
    listIdentities: () => [...byId.values()],
    getIdentity: (id) => byId.get(id),
    upsertIdentity: async (i) => { byId.set(i.id, i); },
    updateIdentity: async (id, patch) => {
      const next = { ...byId.get(id)!, ...patch };
      byId.set(id, next);
      return next;
    },
    removeIdentity: async (id) => byId.delete(id),
  };
}

/** A JWT-shaped refresh token (as Keycloak issues them) naming `sub`; unsigned, as only its payload is read. */
const jwtFor = (sub: string): string => ['eyJhbGciOiJIUzI1NiJ9', Buffer.from(JSON.stringify({ sub, typ: 'Refresh' })).toString('base64url'), 'c2lnbmF0dXJl'].join('.');

let dir: string;
let storePath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oat-pysync-'));
  storePath = join(dir, 'refresh-tokens.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const person = (id: string, who: string, extra: Partial<Identity> = {}): Identity => sampleIdentity({
  id, label: who, issuer: ISSUER, clientId: 'openeo', userId: who, subject: `sub-${who}`,
  accessTokenObtainedAt: T0, pythonSync: { enabled: true, fingerprint: null, writtenAt: null }, ...extra,
});

describe('a store token that is provably someone else\'s is not tried', () => {
  test('a JWT naming another subject', async () => {
    const alice = person('alice-1', 'alice');
    const sync = createPythonSync({ storePath, identities: memoryIdentities([alice]), clock: { now: () => T0 + 60_000 } });
    await writeRefreshToken(storePath, ISSUER, 'openeo', jwtFor('sub-bob'), T0 + 30_000);
    assert.equal(await sync.choose(alice, 'alices-own-token'), 'alices-own-token');
    const refusal = { refused: 'alices-own-token', ours: 'alices-own-token', tried: new Set(['alices-own-token']) };
    assert.equal(await sync.afterRefusal(alice, refusal), null);
    // The same shape naming alice is adopted (and then proven by the token service).
    await writeRefreshToken(storePath, ISSUER, 'openeo', jwtFor('sub-alice'), T0 + 30_000);
    assert.equal(await sync.choose(alice, 'alices-own-token'), jwtFor('sub-alice'));
  });

  test('the token another identity of ours wrote into the slot', async () => {
    const alice = person('alice-1', 'alice');
    const bob = person('bob-1', 'bob');
    const identities = memoryIdentities([alice, bob]);
    const deps = { storePath, identities, clock: { now: () => T0 + 30_000 } };
    await exportRefreshToken(deps, bob, 'bobs-opaque-refresh-token', true);
    const sync = createPythonSync(deps);
    const aliceNow = { ...identities.getIdentity('alice-1')!, pythonSync: { enabled: true, fingerprint: null, writtenAt: null } };
    assert.equal(await sync.choose(aliceNow, 'alices-own-token'), 'alices-own-token');
    const refusal = { refused: 'alices-own-token', ours: 'alices-own-token', tried: new Set(['alices-own-token']) };
    assert.equal(await sync.afterRefusal(aliceNow, refusal), null);
  });

  test('nothing to prove it against: an identity with neither subject nor user id never adopts', async () => {
    const anonymous = person('anon-1', 'anon', { userId: undefined, subject: undefined });
    delete anonymous.userId;
    delete anonymous.subject;
    const sync = createPythonSync({ storePath, identities: memoryIdentities([anonymous]), clock: { now: () => T0 + 60_000 } });
    await writeRefreshToken(storePath, ISSUER, 'openeo', 'a-newer-opaque-token-from-python', T0 + 30_000);
    assert.equal(await sync.choose(anonymous, 'ours'), 'ours');
  });
});

describe('one identity owns the store\'s slot', () => {
  test('exporting bob with sync turns alice\'s sync off; alice\'s write-back does not replace bob\'s token', async () => {
    const identities = memoryIdentities([person('alice-1', 'alice'), person('bob-1', 'bob')]);
    const deps = { storePath, identities, clock: { now: () => T0 } };
    await exportRefreshToken(deps, identities.getIdentity('alice-1')!, 'alices-token', true);
    await exportRefreshToken(deps, identities.getIdentity('bob-1')!, 'bobs-token', true);
    assert.equal(identities.getIdentity('alice-1')?.pythonSync?.enabled, false);
    assert.equal(identities.getIdentity('bob-1')?.pythonSync?.enabled, true);

    // Even if alice's sync is switched on again, her rotated token does not overwrite bob's slot.
    await identities.updateIdentity('alice-1', { pythonSync: { ...identities.getIdentity('alice-1')!.pythonSync!, enabled: true } });
    await createPythonSync(deps).saved(identities.getIdentity('alice-1')!, 'alices-rotated-token');
    const contents = await readRefreshTokenStore(storePath);
    assert.equal(contents?.[ISSUER]?.['openeo']?.refresh_token, 'bobs-token');
    assert.equal(identities.getIdentity('alice-1')?.pythonSync?.enabled, false);
  });

  test('sign-out removes the entry only when it is this login\'s', async () => {
    const identities = memoryIdentities([person('alice-1', 'alice')]);
    const deps = { storePath, identities, clock: { now: () => T0 } };
    await exportRefreshToken(deps, identities.getIdentity('alice-1')!, 'alices-token', true);
    const sync = createPythonSync(deps);
    const alice = identities.getIdentity('alice-1')!;
    assert.equal(alice.pythonSync?.fingerprint, refreshTokenFingerprint('alices-token'));
    await writeRefreshToken(storePath, ISSUER, 'openeo', 'the-python-clients-own-login', T0 + 1000);
    assert.equal(await sync.forget(alice, 'alices-token'), 'left');
    await writeRefreshToken(storePath, ISSUER, 'openeo', 'alices-token', T0 + 2000);
    assert.equal(await sync.forget(alice, 'alices-token'), 'removed');
    assert.deepEqual(await readRefreshTokenStore(storePath), {});
  });
});

describe('a refused refresh token: the other known one is tried once', () => {
  test('ours refused → the store\'s token; that one refused too → the login has ended', async () => {
    const alice = person('alice-1', 'alice');
    const sync = createPythonSync({ storePath, identities: memoryIdentities([alice]), clock: { now: () => T0 + 60_000 } });
    await writeRefreshToken(storePath, ISSUER, 'openeo', 'rotated-by-python', T0 + 30_000);
    assert.equal(await sync.afterRefusal(alice, { refused: 'ours', ours: 'ours', tried: new Set(['ours']) }), 'rotated-by-python');
    assert.equal(await sync.afterRefusal(alice, { refused: 'rotated-by-python', ours: 'ours', tried: new Set(['ours', 'rotated-by-python']) }), null);
  });

  test('an adopted store token refused → ours, once', async () => {
    const alice = person('alice-1', 'alice');
    const sync = createPythonSync({ storePath, identities: memoryIdentities([alice]), clock: { now: () => T0 + 60_000 } });
    await writeRefreshToken(storePath, ISSUER, 'openeo', 'adopted', T0 + 30_000);
    assert.equal(await sync.afterRefusal(alice, { refused: 'adopted', ours: 'ours', tried: new Set(['adopted']) }), 'ours');
    assert.equal(await sync.afterRefusal(alice, { refused: 'ours', ours: 'ours', tried: new Set(['adopted', 'ours']) }), null);
  });

  test('sync off: the store is not read, and ours once tried is the end', async () => {
    const alice = person('alice-1', 'alice', { pythonSync: { enabled: false, fingerprint: null, writtenAt: null } });
    const sync = createPythonSync({ storePath, identities: memoryIdentities([alice]), clock: { now: () => T0 + 60_000 } });
    await writeRefreshToken(storePath, ISSUER, 'openeo', 'rotated-by-python', T0 + 30_000);
    assert.equal(await sync.afterRefusal(alice, { refused: 'ours', ours: 'ours', tried: new Set(['ours']) }), null);
  });
});
