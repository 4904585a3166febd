/** What an account's row shows and offers in each state (src/renderer/account-model.ts), in plain Node. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityStatus } from '../../src/shared/api.ts';
import { accountModel, actionLabel, type AccountAction } from '../../src/renderer/account-model.ts';

const NOW = Date.UTC(2025, 10, 29, 10, 0, 0);
const DAY = 86_400_000;
const row = (over: Partial<IdentityStatus> = {}): IdentityStatus => ({
  id: 'cdse-1', label: 'CDSE', kind: 'personal', backend: 'https://openeo.example', apiUrl: 'https://openeo.example/openeo/1.2',
  provider: 'CDSE', issuer: 'https://idp.example', clientId: 'c', userId: 'u-1', state: 'active', accessTokenExpiresAt: NOW + 298_000,
  refreshTokenExpiry: { kind: 'at', at: NOW + 29 * DAY, end: 'fixed' }, refreshTokenObtainedAt: NOW - DAY, offlineSince: null, problem: null,
  warnWithinMs: 7 * DAY, ...over,
});
const labels = (identity: IdentityStatus, actions: AccountAction[]): string[] =>
  actions.map((a) => actionLabel(a, identity, accountModel(identity, NOW).state));

describe('account row model', () => {
  test('a healthy login: one quiet line that says until when it renews itself; Copy on the row, the rest in the details', () => {
    const model = accountModel(row(), NOW);
    assert.equal(model.state, 'active');
    // The day in the system's locale ("28 Dec", "Dec 28"): only the words around it are fixed here.
    assert.match(model.line.text, /^Signed in · renews itself until (28 Dec|Dec 28)$/);
    assert.equal(model.line.tone, 'ok');
    assert.equal(model.main, 'copy');
    assert.equal(model.urgent, false, 'nothing asked of the person: nothing stands out');
    assert.equal(model.callout, null);
    assert.equal(model.loginFacts, true);
    assert.deepEqual(labels(row(), model.actions), ['Jobs', 'Credits']);
    assert.deepEqual(labels(row(), model.more), ['Rename…', 'Refresh now', 'Sign in again', 'Sign out']);
  });

  test('a login without a fixed end, and a service account: "Signed in · renews itself"', () => {
    assert.equal(accountModel(row({ refreshTokenExpiry: { kind: 'never' } }), NOW).line.text, 'Signed in · renews itself');
    assert.equal(accountModel(row({ refreshTokenExpiry: { kind: 'at', at: NOW + 600_000, end: 'sliding', idleMs: 600_000 } }), NOW).line.text,
      'Signed in · renews itself', 'a sliding window the app keeps moving is not an end to act on');
    const robot = row({ kind: 'client-credentials', refreshTokenExpiry: { kind: 'none' } });
    assert.equal(accountModel(robot, NOW).line.text, 'Signed in · renews itself');
    assert.equal(actionLabel('credits', robot, 'active'), 'Link credits…');
  });

  test('a login that ends soon by the person\'s thresholds: "Sign in again within 3 days", and that is the row\'s action', () => {
    const soon = row({ refreshTokenExpiry: { kind: 'at', at: NOW + 3 * DAY + 5 * 3_600_000, end: 'fixed' } });
    const model = accountModel(soon, NOW);
    assert.equal(model.state, 'expiring-soon');
    assert.deepEqual(model.line, { text: 'Sign in again within 3 days', tone: 'warn' });
    assert.equal(model.main, 'sign-in-again');
    assert.equal(model.urgent, true);
    assert.ok(!model.more.includes('sign-in-again') && !model.actions.includes('sign-in-again'), 'once');
    // With a one-day threshold the same login is simply signed in: the rule is the person's, not 7 days.
    assert.equal(accountModel({ ...soon, warnWithinMs: DAY }, NOW).state, 'active');
    // A sliding login's maximum is what "soon" is about.
    const sliding = row({ refreshTokenExpiry: { kind: 'at', at: NOW + 9 * 3_600_000, end: 'sliding', idleMs: 10 * 3_600_000, maxAt: NOW + 9 * 3_600_000 + 2 * DAY } });
    assert.equal(accountModel(sliding, NOW).line.text, 'Sign in again within 2 days');
  });

  test('an expired login: "Ended — sign in again", no login facts, the reason in the details', () => {
    const expired = row({ state: 'expired', accessTokenExpiresAt: NOW + 298_000 });
    const model = accountModel(expired, NOW);
    assert.deepEqual(model.line, { text: 'Ended — sign in again', tone: 'bad' });
    assert.equal(model.main, 'sign-in-again');
    assert.equal(model.loginFacts, false, 'nothing about tokens of a login that has ended');
    assert.deepEqual(model.actions, []);
    assert.deepEqual(model.more, ['rename', 'sign-out']);
    assert.equal(model.callout?.alert, false);
    const failed = accountModel(expired, NOW, { message: 'The login has ended at the identity provider.', nextStep: 'Sign in again.' });
    assert.equal(failed.callout?.text, 'The login has ended at the identity provider.', 'a failure just caused is said once, as an alert');
    assert.equal(failed.callout?.alert, true);
    const passed = accountModel(row({ refreshTokenExpiry: { kind: 'at', at: NOW - 2 * DAY } }), NOW);
    assert.equal(passed.state, 'expired', 'an end that has passed is expired whatever the row says');
    assert.match(passed.callout?.text ?? '', /^This login ended on .*2025.*\.$/);
  });

  test('no connection, a renewal that fails, a locked keychain: "Try again now" on the row, the problem in the details', () => {
    const offline = row({ state: 'offline', offlineSince: NOW - 18 * 60_000, problem: { code: 'IDP_UNREACHABLE', message: 'The identity provider did not answer.' } });
    const model = accountModel(offline, NOW);
    assert.match(model.line.text, /^No connection since .+ — retrying by itself$/);
    assert.doesNotMatch(model.line.text, /offline/i, '"offline" is kept for nothing here');
    assert.deepEqual(labels(offline, [model.main]), ['Try again now']);
    assert.equal(model.callout?.text, 'The identity provider did not answer.');
    const error = accountModel(row({ state: 'error', problem: { code: 'IDP_ERROR', message: 'HTTP 500.' } }), NOW);
    assert.equal(error.line.text, 'Renewing fails — try again, or sign in again');
    assert.equal(error.callout?.text, 'HTTP 500.');
    const locked = accountModel(row({ state: 'keychain-unavailable', problem: { code: 'KEYCHAIN_LOCKED', message: 'The keychain is locked.' } }), NOW);
    assert.equal(locked.line.text, 'Keychain locked — unlock it to continue');
    assert.equal(locked.loginFacts, false);
    assert.deepEqual(locked.actions, [], 'nothing that needs a token');
  });

  test('every state: one line, one action on the row, no action twice, and Sign out and Rename always there', () => {
    const states: IdentityStatus['state'][] = ['active', 'expiring-soon', 'expired', 'offline', 'keychain-unavailable', 'error', 'signing-in', 'signed-out'];
    const lines = new Set<string>();
    for (const state of states) {
      const model = accountModel(row({ state }), NOW);
      const all = [model.main, ...model.actions, ...model.more];
      assert.equal(new Set(all).size, all.length, `${state}: no action twice`);
      assert.ok(all.includes('sign-out') && all.includes('rename'), `${state}: sign out and rename are always possible`);
      assert.ok(model.line.text.length > 0);
      lines.add(model.line.text);
    }
    assert.equal(lines.size, states.length, 'each state its own words');
  });

  test('scripts: wherever the app serves the agent (the row has them), in every state', () => {
    const scripts = { access: 'ask' as const, lastUseAt: null, lastHint: '', lastHour: 0 };
    for (const state of ['active', 'expired', 'signed-out', 'offline', 'keychain-unavailable'] as const) {
      assert.equal(accountModel(row({ state, scripts }), NOW).scripts, true, state);
    }
    assert.equal(accountModel(row(), NOW).scripts, false, 'no agent (Windows): nothing about scripts');
  });
});
