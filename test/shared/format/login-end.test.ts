/** How a login ends (absolute / sliding / while used), what a refresh teaches about it, and the words. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { learnEnd, loginEnd, loginEndPhrase, loginEndShortWords } from '../../../src/shared/format/login-end.ts';
import type { RefreshTokenExpiry } from '../../../src/shared/model.ts';

const NOW = Date.UTC(2025, 2, 3, 10, 0, 0);
const MIN = 60_000;
const opts = { locale: 'en-GB', timeZone: 'UTC' };
const personal = (refreshTokenExpiry: RefreshTokenExpiry, lastRenewedAt: number | null = null) => ({ kind: 'personal' as const, refreshTokenExpiry, accessTokenExpiresAt: NOW + 5 * MIN, lastRenewedAt });

describe('learnEnd', () => {
  test('an end that moved by the time between two refreshes slides; the idle window is what was granted', () => {
    const learnt = learnEnd({ kind: 'at', at: NOW + 20 * MIN }, { kind: 'at', at: NOW + 30 * MIN }, NOW);
    assert.deepEqual(learnt, { kind: 'at', at: NOW + 30 * MIN, end: 'sliding', idleMs: 30 * MIN });
  });
  test('an end that stayed is fixed', () => {
    assert.deepEqual(learnEnd({ kind: 'at', at: NOW + 20 * MIN }, { kind: 'at', at: NOW + 20 * MIN + 1000 }, NOW), { kind: 'at', at: NOW + 20 * MIN + 1000, end: 'fixed' });
  });
  test('a sliding end that stops moving ran into the session maximum', () => {
    const sliding: RefreshTokenExpiry = { kind: 'at', at: NOW + 20 * MIN, end: 'sliding', idleMs: 30 * MIN };
    assert.deepEqual(learnEnd(sliding, { kind: 'at', at: NOW + 20 * MIN }, NOW), { kind: 'at', at: NOW + 20 * MIN, end: 'sliding', idleMs: 30 * MIN, maxAt: NOW + 20 * MIN });
  });
  test('refreshes seconds apart teach nothing: a sliding login stays sliding without a maximum, an unconfirmed one stays unconfirmed', () => {
    const sliding: RefreshTokenExpiry = { kind: 'at', at: NOW + 30 * MIN, end: 'sliding', idleMs: 30 * MIN };
    // 2 s after the last refresh the window moved by 2 s: within the slack, as a fixed end would look.
    assert.deepEqual(learnEnd(sliding, { kind: 'at', at: NOW + 30 * MIN + 2_000 }, NOW + 2_000, NOW), { ...sliding, at: NOW + 30 * MIN + 2_000 });
    const unconfirmed: RefreshTokenExpiry = { kind: 'at', at: NOW + 30 * MIN };
    assert.deepEqual(learnEnd(unconfirmed, { kind: 'at', at: NOW + 30 * MIN + 1_000 }, NOW + 1_000, NOW), { kind: 'at', at: NOW + 30 * MIN + 1_000 });
    // Five refreshes within 10 s on a sliding login: still sliding, never "use no longer extends it".
    let e: RefreshTokenExpiry = sliding;
    for (let i = 1; i <= 5; i++) e = learnEnd(e, { kind: 'at', at: NOW + 30 * MIN + i * 2_000 }, NOW + i * 2_000, NOW + (i - 1) * 2_000);
    assert.equal(loginEnd(e).type, 'sliding');
    assert.equal(loginEnd(e).absoluteAt, null);
    assert.doesNotMatch(loginEndPhrase(personal(e), NOW + 10_000, opts), /no longer extends/);
  });
  test('an absolute end is still learnt from refreshes far enough apart', () => {
    assert.deepEqual(learnEnd({ kind: 'at', at: NOW + 20 * MIN }, { kind: 'at', at: NOW + 20 * MIN }, NOW + 10 * MIN, NOW), { kind: 'at', at: NOW + 20 * MIN, end: 'fixed' });
    const sliding: RefreshTokenExpiry = { kind: 'at', at: NOW + 20 * MIN, end: 'sliding', idleMs: 30 * MIN };
    assert.equal(learnEnd(sliding, { kind: 'at', at: NOW + 20 * MIN }, NOW + MIN, NOW).kind === 'at' && (learnEnd(sliding, { kind: 'at', at: NOW + 20 * MIN }, NOW + MIN, NOW) as { maxAt?: number }).maxAt, NOW + 20 * MIN);
  });
  test('an offline token, or a first answer, passes through as given', () => {
    assert.deepEqual(learnEnd({ kind: 'at', at: NOW }, { kind: 'never' }, NOW), { kind: 'never' });
    assert.deepEqual(learnEnd({ kind: 'never' }, { kind: 'at', at: NOW + MIN }, NOW), { kind: 'at', at: NOW + MIN });
  });
});

describe('loginEnd and its words', () => {
  test('the types', () => {
    assert.equal(loginEnd({ kind: 'at', at: NOW }).type, 'unconfirmed');
    assert.equal(loginEnd({ kind: 'at', at: NOW, end: 'fixed' }).type, 'absolute');
    assert.equal(loginEnd({ kind: 'at', at: NOW, end: 'sliding' }).type, 'sliding');
    assert.equal(loginEnd({ kind: 'never' }).type, 'while-used');
  });
  test('warnings are about the end no use can move, never about a sliding window', () => {
    assert.equal(loginEnd({ kind: 'at', at: NOW + MIN, end: 'sliding', idleMs: MIN }).warnAt, null);
    assert.equal(loginEnd({ kind: 'at', at: NOW + MIN, end: 'sliding', idleMs: MIN, maxAt: NOW + 9 * MIN }).warnAt, NOW + 9 * MIN);
    assert.equal(loginEnd({ kind: 'at', at: NOW + MIN, end: 'fixed' }).warnAt, NOW + MIN);
  });
  test('the phrases say which end it is, and never "never expires"', () => {
    assert.equal(loginEndPhrase(personal({ kind: 'at', at: NOW + 13 * 86_400_000, end: 'fixed' }), NOW, opts), 'refresh token expires 16 Mar (in 13 days)');
    assert.equal(loginEndPhrase(personal({ kind: 'at', at: NOW + 30 * MIN, end: 'sliding', idleMs: 30 * MIN }), NOW, opts), 'ends if unused by 10:30 (in 30 minutes) · each use extends it');
    assert.equal(
      loginEndPhrase(personal({ kind: 'at', at: NOW + 30 * MIN, end: 'sliding', idleMs: 30 * MIN, maxAt: NOW + 2 * 86_400_000 }), NOW, opts),
      'ends if unused by 10:30 (in 30 minutes) · at the latest 5 Mar (in 2 days)');
    assert.equal(loginEndPhrase(personal({ kind: 'never' }, NOW - 2 * MIN), NOW, opts), 'no fixed end: lasts while it is used · last renewed 09:58');
    assert.match(loginEndShortWords(personal({ kind: 'never' }, NOW - 2 * MIN), NOW, opts), /^no fixed end \(offline login\): lasts while it is used · last renewed 09:58$/);
    for (const e of [{ kind: 'never' }, { kind: 'unknown' }, { kind: 'at', at: NOW + MIN, end: 'sliding' }] as RefreshTokenExpiry[]) {
      assert.doesNotMatch(loginEndPhrase(personal(e), NOW, opts), /never expires/);
    }
  });
});
