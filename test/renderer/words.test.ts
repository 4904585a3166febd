import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityStatus } from '../../src/shared/api.ts';
import {
  clockCountdown, copiedWords, costWords, counted, forwardWords, jobsShownWords, lastRenewedWords, loginEndWords, progressWords, scriptAccessChangedWords,
  signedInWords, signingInToWords, thresholdWords,
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

  test('plural rules: "1 credit", "14 times", "1 job"', () => {
    assert.equal(counted(1, 'credit', 'credits'), '1 credit');
    assert.equal(counted(0, 'credit', 'credits'), '0 credits');
    assert.equal(counted(1.5, 'credit', 'credits'), '1.5 credits');
    assert.equal(counted(9520, 'credit', 'credits'), `${new Intl.NumberFormat().format(9520)} credits`);
    assert.equal(jobsShownWords(1, 1, false), '1 job');
    assert.equal(jobsShownWords(3, 20, true), '3 of 20 jobs loaded; the backend has more');
  });

  test('the login\'s end in full: each date belongs to what it says', () => {
    const at = (ms: number) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
    assert.equal(loginEndWords(row({ refreshTokenExpiry: { kind: 'at', at: NOW + 13 * DAY, end: 'fixed' } }), NOW),
      `Renews itself until ${at(NOW + 13 * DAY)} (in 13 days); then sign in again.`);
    const sliding = loginEndWords(row({ refreshTokenExpiry: { kind: 'at', at: NOW + 9 * 60_000, end: 'sliding', idleMs: 600_000, maxAt: NOW + 9 * 3_600_000 } }), NOW);
    assert.match(sliding, /^Ends if unused by .+?; each use moves that on, and this app uses it in time while it runs\. At the latest (.*) \(in 9 hours\); then sign in again\.$/);
    assert.equal(/At the latest (.*) \(in/.exec(sliding)?.[1], at(NOW + 9 * 3_600_000), 'the date after "at the latest" is the maximum, not the idle end');
    assert.match(loginEndWords(row({ refreshTokenExpiry: { kind: 'never' } }), NOW), /^No fixed end: it lasts while it is used/);
    assert.doesNotMatch(loginEndWords(row({ refreshTokenExpiry: { kind: 'never' } }), NOW), /offline/i);
    assert.match(loginEndWords(row({ refreshTokenExpiry: { kind: 'unknown' } }), NOW), /does not say/);
    assert.match(loginEndWords(row({ kind: 'client-credentials', refreshTokenExpiry: { kind: 'none' } }), NOW), /client secret/);
    assert.equal(lastRenewedWords(null, NOW), 'Not yet');
    assert.match(lastRenewedWords(NOW - 48 * 60_000, NOW), /\(48 minutes ago\)$/);
  });

  test('a new login: only promises that hold (a service account never gets a warning)', () => {
    assert.doesNotMatch(signedInWords(row({ kind: 'client-credentials', refreshTokenExpiry: { kind: 'none' } }), NOW), /warn|expire/i);
    assert.match(signedInWords(row({ kind: 'client-credentials', refreshTokenExpiry: { kind: 'none' } }), NOW), /client secret/);
    assert.match(signedInWords(row({ refreshTokenExpiry: { kind: 'at', at: NOW + 13 * DAY, end: 'fixed' } }), NOW), /^It renews itself until (12 Dec|Dec 12); the tray shows when to sign in again before then\.$/);
    assert.equal(signedInWords(row({ refreshTokenExpiry: { kind: 'never' } }), NOW), 'It renews itself while this app runs.');
    assert.equal(signingInToWords('Copernicus Data Space Ecosystem', 'openeo.dataspace.copernicus.eu', 'EGI Check-in'),
      'Signing in to Copernicus Data Space Ecosystem (openeo.dataspace.copernicus.eu) with EGI Check-in');
    assert.equal(signingInToWords('openeo.vito.be', 'openeo.vito.be', 'openeo.vito.be'), 'Signing in to openeo.vito.be');
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
    assert.equal(costWords(1, 'credits'), '1 credit', 'not "1 credits"');
    assert.equal(costWords(1, 'Credits'), '1 credit');
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
