import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideInvalidGrantFallback,
  decideSync,
  importCandidates,
  refreshTokenFingerprint,
} from '../../../src/main/core/python/sync-policy.ts';
import { pythonStoreDate } from '../../../src/main/core/python/refresh-token-store.ts';

const T0 = Date.UTC(2025, 2, 1, 12, 0, 0, 500);
const at = (ms: number) => pythonStoreDate(ms);

describe('refresh token fingerprint', () => {
  test('stable, hex, and does not contain the token', () => {
    const fp = refreshTokenFingerprint('rt-secret-value-123');
    assert.match(fp, /^[0-9a-f]{64}$/);
    assert.equal(fp, refreshTokenFingerprint('rt-secret-value-123'));
    assert.notEqual(fp, refreshTokenFingerprint('rt-secret-value-124'));
    assert.ok(!fp.includes('rt-secret'));
  });
});

describe('decideSync', () => {
  const ours = { refreshToken: 'OURS-1', obtainedAt: T0 };
  const mark = { fingerprint: refreshTokenFingerprint('OURS-1'), writtenAt: T0 };

  test('no entry in the store → store-missing', () => {
    assert.equal(decideSync({ ours, store: null, lastWritten: mark }), 'store-missing');
    assert.equal(decideSync({ ours: null, store: null, lastWritten: null }), 'store-missing');
  });

  test('same token on both sides → use-ours', () => {
    assert.equal(decideSync({ ours, store: { refreshToken: 'OURS-1', date: at(T0) }, lastWritten: mark }), 'use-ours');
  });

  test('the Python side saved a rotated token after our write → adopt-store', () => {
    const store = { refreshToken: 'PY-2', date: at(T0 + 60_000) };
    assert.equal(decideSync({ ours, store, lastWritten: mark }), 'adopt-store');
    // Same second as our write (the store has whole seconds) still counts as after it.
    assert.equal(decideSync({ ours, store: { refreshToken: 'PY-2', date: at(T0) }, lastWritten: mark }), 'adopt-store');
  });

  test('the store still holds what we wrote before our latest refresh → use-ours (we write back next)', () => {
    const newer = { refreshToken: 'OURS-2', obtainedAt: T0 + 120_000 };
    const store = { refreshToken: 'OURS-1', date: at(T0) };
    assert.equal(decideSync({ ours: newer, store, lastWritten: mark }), 'use-ours');
  });

  test('a different token dated before our last write → use-ours', () => {
    const store = { refreshToken: 'OLD', date: at(T0 - 3600_000) };
    assert.equal(decideSync({ ours, store, lastWritten: mark }), 'use-ours');
  });

  test('never wrote there: compare with when we obtained ours', () => {
    assert.equal(decideSync({ ours, store: { refreshToken: 'PY', date: at(T0 + 5000) }, lastWritten: null }), 'adopt-store');
    assert.equal(decideSync({ ours, store: { refreshToken: 'PY', date: at(T0 - 5000) }, lastWritten: null }), 'use-ours');
    assert.equal(decideSync({ ours: { refreshToken: 'X', obtainedAt: null }, store: { refreshToken: 'PY', date: at(T0) }, lastWritten: null }), 'adopt-store');
  });

  test('no token of ours → adopt-store; unreadable date decided by whether we wrote before', () => {
    assert.equal(decideSync({ ours: null, store: { refreshToken: 'PY', date: '' }, lastWritten: null }), 'adopt-store');
    assert.equal(decideSync({ ours, store: { refreshToken: 'PY', date: 'garbage' }, lastWritten: mark }), 'adopt-store');
    assert.equal(decideSync({ ours, store: { refreshToken: 'PY', date: '' }, lastWritten: null }), 'use-ours');
  });
});

describe('decideInvalidGrantFallback', () => {
  test('ours failed and the store holds another token → try it once', () => {
    const input = { failedRefreshToken: 'OURS', ours: { refreshToken: 'OURS' }, store: { refreshToken: 'PY' }, alreadyTried: [] };
    assert.equal(decideInvalidGrantFallback(input), 'try-store');
    assert.equal(decideInvalidGrantFallback({ ...input, alreadyTried: [refreshTokenFingerprint('PY')] }), 'give-up');
  });

  test('the store holds the same token, or nothing → give up', () => {
    assert.equal(decideInvalidGrantFallback({ failedRefreshToken: 'OURS', ours: { refreshToken: 'OURS' }, store: { refreshToken: 'OURS' }, alreadyTried: [] }), 'give-up');
    assert.equal(decideInvalidGrantFallback({ failedRefreshToken: 'OURS', ours: { refreshToken: 'OURS' }, store: null, alreadyTried: [] }), 'give-up');
  });

  test('an adopted store token failed → try ours once', () => {
    const input = { failedRefreshToken: 'PY', ours: { refreshToken: 'OURS' }, store: { refreshToken: 'PY' }, alreadyTried: [] };
    assert.equal(decideInvalidGrantFallback(input), 'try-ours');
    assert.equal(decideInvalidGrantFallback({ ...input, alreadyTried: [refreshTokenFingerprint('OURS')] }), 'give-up');
  });
});

describe('importCandidates', () => {
  test('entries not yet known as identities, newest first, no token in them', () => {
    const contents = {
      'https://idp.example/realms/a': {
        known: { date: '2025-01-01T00:00:00Z', refresh_token: 'T1' },
        other: { date: '2025-03-01T00:00:00Z', refresh_token: 'T2' },
      },
      'https://idp.example/realms/b': { c: { refresh_token: 'T3' }, d: { date: '2025-02-01T00:00:00Z', refresh_token: 'T4' } },
    };
    const out = importCandidates(contents, [{ issuer: 'https://idp.example/realms/a/', clientId: 'known' }]);
    assert.deepEqual(out, [
      { issuer: 'https://idp.example/realms/a', clientId: 'other', date: '2025-03-01T00:00:00Z' },
      { issuer: 'https://idp.example/realms/b', clientId: 'd', date: '2025-02-01T00:00:00Z' },
      { issuer: 'https://idp.example/realms/b', clientId: 'c', date: '' },
    ]);
    assert.ok(!JSON.stringify(out).includes('"T'), 'a token leaked into the candidates');
    assert.deepEqual(importCandidates(null, []), []);
  });
});
