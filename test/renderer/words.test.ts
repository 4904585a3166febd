import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityStatus } from '../../src/shared/api.ts';
import {
  accessTokenWords, clockCountdown, copiedWords, costWords, forwardWords, progressWords, refreshTokenWords, scriptAccessChangedWords, shortDuration, thresholdWords,
  timeLeftFraction, timeLeftTone,
} from '../../src/renderer/words.ts';

const NOW = Date.UTC(2025, 10, 29, 10, 0, 0);
const DAY = 86_400_000;
const row = (over: Partial<IdentityStatus> = {}): IdentityStatus => ({
  id: 'cdse-1', label: 'CDSE', kind: 'personal', backend: 'https://openeo.example', apiUrl: 'https://openeo.example/openeo/1.2',
  provider: 'CDSE', issuer: 'https://idp.example', clientId: 'c', userId: null, state: 'active', accessTokenExpiresAt: NOW + 60_000,
  refreshTokenExpiry: { kind: 'at', at: NOW + 13 * DAY + 3_600_000 }, offlineSince: null, problem: null, ...over,
});

describe('window wording', () => {
  test('a user code countdown never goes negative and shows hours when needed', () => {
    assert.equal(clockCountdown(600_000), '10:00');
    assert.equal(clockCountdown(61_001), '1:02');
    assert.equal(clockCountdown(3_723_000), '1:02:03');
    assert.equal(clockCountdown(-5000), '0:00');
  });

  test('short durations: minutes and seconds under an hour', () => {
    assert.equal(shortDuration(272_000), '4 min 32 s');
    assert.equal(shortDuration(42_900), '42 s');
    assert.equal(shortDuration(5 * 3_600_000), '5 hours');
  });

  test('refresh-token expiry in words for every kind', () => {
    assert.equal(refreshTokenWords(row(), NOW), 'expires in 13 days');
    assert.equal(refreshTokenWords(row({ refreshTokenExpiry: { kind: 'at', at: NOW - 2 * DAY } }), NOW), 'expired 2 days ago');
    assert.match(refreshTokenWords(row({ refreshTokenExpiry: { kind: 'never' } }), NOW), /no fixed end \(offline login\): lasts while it is used/);
    assert.match(refreshTokenWords(row({ refreshTokenExpiry: { kind: 'unknown' } }), NOW), /not known/);
    assert.match(refreshTokenWords(row({ kind: 'client-credentials', refreshTokenExpiry: { kind: 'none' } }), NOW), /client secret/);
  });

  test('access token: countdown, then what happens next', () => {
    assert.equal(accessTokenWords(row(), NOW), 'valid for 1 min 0 s');
    assert.equal(accessTokenWords(row({ accessTokenExpiresAt: NOW - 1 }), NOW), 'expired · renewed when next needed');
    assert.equal(accessTokenWords(row({ state: 'expired', accessTokenExpiresAt: NOW - 1 }), NOW), 'expired');
  });

  test('time-left bar: share of the refresh token life, or a 30-day scale without its start', () => {
    const expiry = { kind: 'at' as const, at: NOW + 10 * DAY };
    assert.equal(timeLeftFraction(expiry, NOW - 30 * DAY, NOW), 0.25);
    assert.equal(timeLeftFraction(expiry, null, NOW), 10 / 30);
    assert.equal(timeLeftFraction({ kind: 'at', at: NOW + 60 * DAY }, undefined, NOW), 1);
    assert.equal(timeLeftFraction({ kind: 'at', at: NOW - 1 }, NOW - DAY, NOW), 0);
    assert.equal(timeLeftFraction({ kind: 'never' }, null, NOW), null);
    assert.equal(timeLeftTone(expiry, NOW), 'ok');
    assert.equal(timeLeftTone({ kind: 'at', at: NOW + 3 * DAY }, NOW), 'warn');
    assert.equal(timeLeftTone({ kind: 'at', at: NOW + 3_600_000 }, NOW), 'bad');
  });

  test('thresholds and copy confirmations', () => {
    assert.equal(thresholdWords(86_400), '1 day');
    assert.equal(thresholdWords(7 * 86_400), '7 days');
    assert.equal(thresholdWords(3600), '1 hour');
    assert.equal(thresholdWords(1800), '30 minutes');
    assert.equal(copiedWords('the code', 30), 'Copied the code. The clipboard is cleared in 30 seconds.');
    assert.equal(copiedWords('the code', 0), 'Copied the code.');
  });

  test('job costs carry their unit; progress only where the API gives one', () => {
    assert.equal(costWords(12.5, 'credits'), '12.5 credits');
    assert.equal(costWords(12.5, 'EUR'), new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(12.5));
    assert.equal(costWords(0.4, null), new Intl.NumberFormat().format(0.4), 'no unit when the backend names none (the page says so)');
    assert.equal(costWords(3, 'CPU hours'), '3 CPU hours');
    assert.equal(progressWords('running', 41.6), '42 %');
    assert.equal(progressWords('error', 31), 'stopped at 31 %');
    assert.equal(progressWords('finished', 100), null, 'a finished job needs no progress');
    assert.equal(progressWords('running', undefined), null);
  });

  test('a script setting changed, and a forward, in words', () => {
    assert.equal(scriptAccessChangedWords('CDSE', 'allow'), 'Scripts may now use CDSE.');
    assert.equal(scriptAccessChangedWords('CDSE', 'ask'), 'CDSE now asks before a new script uses it.');
    assert.equal(scriptAccessChangedWords('CDSE', 'deny'), 'Scripts may no longer use CDSE.');
    const forward = { id: '0a1b2c3d', identities: [{ id: 'cdse-1', label: 'old name' }, { id: 'gone-1', label: 'Gone' }], until: NOW + 3_600_000, ssh: 'ssh -R a:b HOST' };
    // The window's locale and zone are the system's: only the names are fixed here.
    assert.match(forwardWords(forward, [row({ label: 'alice' })], NOW), /^Forwarded: CDSE \(alice\), Gone until \S/);
  });
});
