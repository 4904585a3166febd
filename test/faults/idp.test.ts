/**
 * The identity provider failing under the tray's token lifecycle: the real app core refreshes
 * through a fault proxy in front of the real oidc-provider. For each fault: what the window
 * shows, that the refresh token in the keychain is kept (read with secret-tool), that retries
 * stay bounded over a simulated hour, and that the login recovers once the fault is gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fault } from '../fixtures/fault-proxy.ts';
import { HOUR, MINUTE, startSignedInStand, stopOwnKeyring, until, type FaultStand } from './harness.ts';

const TOKEN = '/token';

after(stopOwnKeyring);

interface TransientCase {
  name: string;
  /** The fault on POST /token; `refuse` closes the proxy's listening socket instead. */
  fault: Fault | 'refuse';
  code: string;
  state: 'offline' | 'error';
  message: RegExp;
  /** Short client deadline (ms) while the fault lasts. */
  deadlineMs?: number;
  /** The first retry must not come sooner than this. */
  firstRetryAtLeastMs: number;
  /** Most token requests in the failing hour. */
  maxPerHour: number;
}

const transient: TransientCase[] = [
  {
    name: 'connection refused (nothing listens)', fault: 'refuse', code: 'IDP_UNREACHABLE', state: 'offline',
    message: /Could not reach the identity provider/, firstRetryAtLeastMs: 5_000, maxPerHour: 20,
  },
  {
    name: 'connection closed as soon as the request arrives', fault: { kind: 'drop' }, code: 'IDP_UNREACHABLE', state: 'offline',
    message: /Could not reach the identity provider/, firstRetryAtLeastMs: 5_000, maxPerHour: 20,
  },
  {
    name: 'reset mid-response by a gateway (the IdP never saw it)', fault: { kind: 'reset', forward: false }, code: 'IDP_UNREACHABLE', state: 'offline',
    message: /Could not reach the identity provider/, firstRetryAtLeastMs: 5_000, maxPerHour: 20,
  },
  {
    name: 'HTTP 500 with an OAuth server_error, no Retry-After',
    fault: { kind: 'status', status: 500, body: '{"error":"server_error"}', contentType: 'application/json' },
    code: 'IDP_ERROR', state: 'offline', message: /has a problem right now \(HTTP 500\)/, firstRetryAtLeastMs: 60_000, maxPerHour: 20,
  },
  {
    name: 'HTTP 502 HTML page from a gateway, no Retry-After', fault: { kind: 'status', status: 502 },
    code: 'IDP_ERROR', state: 'offline', message: /has a problem right now \(HTTP 502\)/, firstRetryAtLeastMs: 60_000, maxPerHour: 20,
  },
  {
    name: 'HTTP 503 with Retry-After: 600', fault: { kind: 'status', status: 503, retryAfter: '600' },
    code: 'IDP_ERROR', state: 'offline', message: /has a problem right now \(HTTP 503\)/, firstRetryAtLeastMs: 600_000, maxPerHour: 7,
  },
  {
    name: 'truncated JSON body (cut before the IdP answered)',
    fault: { kind: 'body', status: 200, contentType: 'application/json', body: '{"access_token":"abc","token_type":"Bea' },
    code: 'IDP_INVALID_RESPONSE', state: 'error', message: /not valid OpenID Connect/, firstRetryAtLeastMs: 5_000, maxPerHour: 20,
  },
  {
    name: 'HTTP 200 HTML page (captive portal)',
    fault: { kind: 'body', body: '<!DOCTYPE html><html><body>Welcome to Hotel Wi-Fi. Accept the terms.</body></html>' },
    code: 'IDP_INVALID_RESPONSE', state: 'error', message: /not valid OpenID Connect/, firstRetryAtLeastMs: 5_000, maxPerHour: 20,
  },
  {
    name: 'no answer for 60 s (client deadline 200 ms)', fault: { kind: 'delay', ms: 60_000 }, deadlineMs: 200,
    code: 'IDP_UNREACHABLE', state: 'offline', message: /did not answer in time/, firstRetryAtLeastMs: 5_000, maxPerHour: 20,
  },
];

describe('IdP faults on the refresh (app core + lifecycle)', () => {
  let s: FaultStand;
  let id: string;
  before(async () => ({ s, id } = await startSignedInStand()));
  after(() => s?.stop());

  /** Token requests the app attempted (a refused connection never reaches the proxy). */
  const attempts = (c: TransientCase) => (c.fault === 'refuse' ? s.edge.callsTo(s.idpProxy.url) : s.idpProxy.count(TOKEN));

  for (const c of transient) {
    test(c.name, async (t) => {
      await s.runFor(1_000);
      assert.equal((await s.status(id)).state, 'active', 'starts active');
      const rtBefore = await s.keychainRefreshToken(id);
      assert.ok(rtBefore && (await s.isActiveAtIdp(rtBefore)), 'starts with a working refresh token');
      const notes = s.notifications.length;

      if (c.fault === 'refuse') await s.idpProxy.setRefusing(true);
      else s.idpProxy.inject({ path: TOKEN, method: 'POST', fault: c.fault });
      s.edge.deadlineMs = c.deadlineMs;

      // What the person sees after "Refresh now".
      const result = await s.api.refreshNow(id);
      assert.equal(result.ok, false, 'the refresh fails');
      if (result.ok) return;
      assert.equal(result.code, c.code, result.message);
      assert.match(result.message, c.message);
      t.diagnostic(`shown: ${result.message} ${result.nextStep ?? ''}`);
      const row = await s.status(id);
      assert.equal(row.state, c.state);
      assert.equal(row.problem?.code, c.code);
      const nextRetry = s.clock.pendingTimerTimes()[0];
      assert.ok(nextRetry !== undefined && nextRetry - s.clock.now() >= c.firstRetryAtLeastMs,
        `first retry in ${nextRetry === undefined ? 'never' : nextRetry - s.clock.now()} ms, expected >= ${c.firstRetryAtLeastMs}`);

      // An hour of the fault: bounded retries, nothing lost.
      const before = attempts(c);
      await s.runFor(HOUR);
      const perHour = attempts(c) - before;
      t.diagnostic(`token requests in the failing hour: ${perHour}; notifications: ${s.notifications.length - notes}`);
      assert.ok(perHour >= 2 && perHour <= c.maxPerHour, `${perHour} token requests in an hour (expected 2..${c.maxPerHour})`);
      assert.equal((await s.status(id)).state, c.state, 'still shown as failing');
      assert.equal(await s.keychainRefreshToken(id), rtBefore, 'the refresh token in the keychain is untouched');
      assert.ok(await s.isActiveAtIdp(rtBefore), 'and still valid at the IdP');
      const failing = s.notifications.slice(notes);
      assert.ok(failing.length <= 1, `at most one notification while failing, got ${failing.map((n) => n.title).join(' | ')}`);

      // The fault goes away: the next retry (at most 5 min, or Retry-After) recovers.
      s.idpProxy.clear();
      await s.idpProxy.setRefusing(false);
      s.edge.deadlineMs = undefined;
      await s.runFor(Math.max(c.firstRetryAtLeastMs, 5 * MINUTE) + 1_000);
      const recovered = await s.status(id);
      assert.equal(recovered.state, 'active', `recovered (problem: ${recovered.problem?.message ?? '-'})`);
      const rtAfter = await s.keychainRefreshToken(id);
      assert.ok(rtAfter && rtAfter !== rtBefore, 'the rotated refresh token was saved');
      assert.ok(await s.isActiveAtIdp(rtAfter), 'the saved refresh token is the one the IdP honours');
    });
  }

  /**
   * The IdP acted on the refresh (rotated the token) but the answer never arrived whole. With
   * rotation, the old token is spent and reusing it revokes the grant: the login is lost at the
   * IdP. The app must say so once, stop asking, keep what it has, and take a new sign-in.
   */
  const lostAtIdp: Array<{ name: string; fault: Fault; code: string; deadlineMs?: number }> = [
    { name: 'reset mid-response after the IdP rotated the token', fault: { kind: 'reset' }, code: 'IDP_UNREACHABLE' },
    { name: 'truncated body after the IdP rotated the token', fault: { kind: 'truncate' }, code: 'IDP_INVALID_RESPONSE' },
    { name: 'answer held past the client deadline after the IdP rotated the token', fault: { kind: 'delay', ms: 60_000, forward: 'before' }, code: 'IDP_UNREACHABLE', deadlineMs: 200 },
  ];
  for (const c of lostAtIdp) {
    test(c.name, async (t) => {
      await s.runFor(1_000);
      const rtBefore = await s.keychainRefreshToken(id);
      assert.ok(rtBefore && (await s.isActiveAtIdp(rtBefore)));
      s.idpProxy.inject({ path: TOKEN, method: 'POST', fault: c.fault, times: 1 });
      s.edge.deadlineMs = c.deadlineMs;

      const result = await s.api.refreshNow(id);
      s.edge.deadlineMs = undefined;
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.code, c.code, result.message);
      await until(async () => !(await s.isActiveAtIdp(rtBefore)), 'the IdP has rotated (spent) the refresh token');
      assert.equal(await s.keychainRefreshToken(id), rtBefore, 'the app kept the token it had');

      const before = s.idpProxy.count(TOKEN);
      const notes = s.notifications.length;
      await s.runFor(HOUR);
      const perHour = s.idpProxy.count(TOKEN) - before;
      t.diagnostic(`token requests in the hour after: ${perHour}`);
      assert.equal(perHour, 1, 'one retry finds the login revoked, then nothing more');
      const row = await s.status(id);
      assert.equal(row.state, 'expired');
      assert.equal(row.problem?.code, 'REFRESH_TOKEN_INVALID');
      assert.match(row.problem?.message ?? '', /sign in again/);
      assert.deepEqual(s.notifications.slice(notes).map((n) => n.title), [`${row.label} needs a new sign-in`]);
      assert.equal(await s.keychainRefreshToken(id), rtBefore, 'nothing was deleted');

      // Recovery is a new sign-in for the same identity.
      assert.equal(await s.login(id), id);
      await s.runFor(1_000);
      assert.equal((await s.status(id)).state, 'active');
      const rtNew = await s.keychainRefreshToken(id);
      assert.ok(rtNew && rtNew !== rtBefore && (await s.isActiveAtIdp(rtNew)));
    });
  }
});
