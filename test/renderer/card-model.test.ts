/** What an account card shows and offers in each state (src/renderer/card-model.ts), in plain Node. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityStatus } from '../../src/shared/api.ts';
import { accountCard, actionLabel, type CardAction } from '../../src/renderer/card-model.ts';

const NOW = Date.UTC(2025, 10, 29, 10, 0, 0);
const DAY = 86_400_000;
const row = (over: Partial<IdentityStatus> = {}): IdentityStatus => ({
  id: 'cdse-1', label: 'CDSE', kind: 'personal', backend: 'https://openeo.example', apiUrl: 'https://openeo.example/openeo/1.2',
  provider: 'CDSE', issuer: 'https://idp.example', clientId: 'c', userId: 'u-1', state: 'active', accessTokenExpiresAt: NOW + 298_000,
  refreshTokenExpiry: { kind: 'at', at: NOW + 29 * DAY }, refreshTokenObtainedAt: NOW - DAY, offlineSince: null, problem: null, ...over,
});
const labels = (identity: IdentityStatus, actions: CardAction[]): string[] =>
  actions.map((a) => actionLabel(a, identity, accountCard(identity, NOW).state));

describe('account card model', () => {
  test('a healthy login: token facts, its daily actions first, the rare ones under More', () => {
    const card = accountCard(row(), NOW);
    assert.equal(card.state, 'active');
    assert.equal(card.tokenFacts, true);
    assert.equal(card.callout, null);
    assert.equal(card.line, null, 'the pill says it all');
    assert.deepEqual(labels(row(), card.actions), ['Copy', 'Jobs', 'Credits']);
    assert.deepEqual(labels(row(), card.more), ['Refresh now', 'Sign in again', 'Sign out']);
  });

  test('an expired login (the IdP refused the refresh token): no token facts, only "Sign in again" and "Sign out"', () => {
    // The status row still carries the old access token's expiry, as after an invalid_grant.
    const expired = row({ state: 'expired', accessTokenExpiresAt: NOW + 298_000 });
    const card = accountCard(expired, NOW, { message: 'The login has ended at the identity provider.', nextStep: 'Sign in again.' });
    assert.equal(card.tokenFacts, false, 'no "valid for 4 min 58 s" on a login that has ended');
    assert.deepEqual(card.actions, ['sign-in-again', 'sign-out']);
    assert.deepEqual(card.more, []);
    assert.equal(card.line, null);
    assert.equal(card.callout?.text, 'The login has ended at the identity provider.', 'the reason once');
    assert.equal(card.callout?.alert, true);
  });

  test('a refresh token whose expiry has passed is expired whatever the row says, and the card says when it ended', () => {
    const card = accountCard(row({ refreshTokenExpiry: { kind: 'at', at: NOW - 2 * DAY } }), NOW);
    assert.equal(card.state, 'expired');
    assert.equal(card.tokenFacts, false);
    assert.match(card.callout?.text ?? '', /^This login ended on .*2025.*\.$/, 'a date, in the locale');
    assert.equal(card.callout?.alert, false);
  });

  test('a login that ends soon makes "Sign in again" the main action', () => {
    const soon = row({ refreshTokenExpiry: { kind: 'at', at: NOW + 3 * DAY } });
    const card = accountCard(soon, NOW);
    assert.equal(card.state, 'expiring-soon');
    assert.equal(card.actions[0], 'sign-in-again');
    assert.ok(!card.more.includes('sign-in-again'));
    assert.equal(card.line, null, 'the pill and the expiry row say it; no line repeating them');
  });

  test('offline and error: "Try again now" first, the problem said once', () => {
    const offline = row({ state: 'offline', offlineSince: NOW - 60_000, problem: { code: 'IDP_UNREACHABLE', message: 'The identity provider did not answer.' } });
    const card = accountCard(offline, NOW);
    assert.deepEqual(labels(offline, [card.actions[0]!]), ['Try again now']);
    assert.match(card.line ?? '', /^Offline since/);
    assert.equal(card.callout?.text, 'The identity provider did not answer.');
    const error = row({ state: 'error', problem: { code: 'IDP_ERROR', message: 'The identity provider has a problem right now (HTTP 500).' } });
    const errorCard = accountCard(error, NOW);
    assert.equal(errorCard.line, null, 'no "Problem: …" line repeating the callout');
    assert.equal(errorCard.callout?.text, 'The identity provider has a problem right now (HTTP 500).');
  });

  test('a locked keychain: nothing that needs a token is offered', () => {
    const locked = row({ state: 'keychain-unavailable', problem: { code: 'KEYCHAIN_LOCKED', message: 'The keychain is locked.' } });
    const card = accountCard(locked, NOW);
    assert.equal(card.tokenFacts, false);
    assert.deepEqual(card.actions, ['refresh']);
    assert.deepEqual(card.more, ['sign-out']);
  });

  test('every state has exactly one place for each action, and "Sign out" in every state', () => {
    const states: IdentityStatus['state'][] = ['active', 'expiring-soon', 'expired', 'offline', 'keychain-unavailable', 'error', 'signing-in', 'signed-out'];
    for (const state of states) {
      const card = accountCard(row({ state }), NOW);
      const all = [...card.actions, ...card.more];
      assert.equal(new Set(all).size, all.length, `${state}: no action twice`);
      assert.ok(all.includes('sign-out'), `${state}: sign out is always possible`);
    }
  });

  test('a service account links its credits', () => {
    const robot = row({ kind: 'client-credentials', refreshTokenExpiry: { kind: 'none' } });
    assert.equal(actionLabel('credits', robot, 'active'), 'Link credits…');
    assert.equal(accountCard(robot, NOW).state, 'active', 'no refresh token, never "expires soon"');
  });

  test('scripts: shown wherever the app serves the agent (the row has them), in every state', () => {
    const scripts = { access: 'ask' as const, lastUseAt: null, lastHint: '', lastHour: 0 };
    for (const state of ['active', 'expired', 'signed-out', 'offline', 'keychain-unavailable'] as const) {
      assert.equal(accountCard(row({ state, scripts }), NOW).scripts, true, state);
    }
    assert.equal(accountCard(row(), NOW).scripts, false, 'no agent (Windows): nothing about scripts');
  });
});
