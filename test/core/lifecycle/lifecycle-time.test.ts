/** The lifecycle over simulated weeks: refresh times, expiry warnings, sleep, long waits. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { TokenLifecycle } from '../../../src/main/core/lifecycle/lifecycle.ts';
import { MAX_TIMER_DELAY_MS } from '../../../src/main/core/ports.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/**
 * These tests drive the refresh loop while the access token is wanted fresh all the time (the
 * window shows its countdown): refreshes at 80% of its life. What runs without that demand (only
 * what keeps a login alive) is in keep-alive.test.ts.
 */
const ALWAYS_FRESH = (): boolean => true;
import { D, FakeHost, H, S, gapsSeconds, makeIdentity } from './fake-host.ts';

function setUp(): { clock: FakeClock; host: FakeHost; lifecycle: TokenLifecycle; t0: number } {
  const clock = new FakeClock();
  const host = new FakeHost(clock);
  const lifecycle = new TokenLifecycle({ clock, timers: clock, host, accessDemand: ALWAYS_FRESH });
  return { clock, host, lifecycle, t0: clock.now() };
}

/** Personal login: 600 s access tokens, refresh token valid 10 days from t0 (absolute). */
function tenDayLogin(host: FakeHost, t0: number, id = 'ten-days'): void {
  host.add(
    makeIdentity(id, t0, {
      accessTokenExpiresAt: t0 + 600 * S,
      refreshTokenExpiry: { kind: 'at', at: t0 + 10 * D },
    }),
    { accessLifetimeMs: 600 * S },
  );
}

describe('a month of simulated time', () => {
  test('refreshes on time, warns at 7 d / 1 d / 1 h once each, then expires once', async (t) => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.add(
      makeIdentity('short', t0, { refreshTokenExpiry: { kind: 'at', at: t0 + 14 * D } }),
      { accessLifetimeMs: 300 * S, slidingRefreshMs: 14 * D },
    );
    host.add(
      makeIdentity('service', t0, {
        kind: 'client-credentials',
        flow: 'client-credentials',
        accessTokenExpiresAt: t0 + H,
        refreshTokenExpiry: { kind: 'none' },
        refreshTokenObtainedAt: null,
      }),
      { accessLifetimeMs: H },
    );
    tenDayLogin(host, t0);

    const started = performance.now();
    lifecycle.start();
    await clock.advance(30 * D);
    t.diagnostic(`30 simulated days, ${clock.stats.fired} timer firings: ${Math.round(performance.now() - started)} ms`);

    const short = host.callsFor('short');
    assert.equal(short.length, 10_800, '300 s tokens: one refresh every 240 s for 30 days');
    assert.equal(short[0], t0 + 240 * S);
    assert.ok(gapsSeconds(short).every((g) => g === 240), 'every gap is 240 s');

    const service = host.callsFor('service');
    assert.equal(service.length, 900, '1 h client-credentials tokens: fetched anew every 48 min');
    assert.ok(gapsSeconds(service).every((g) => g === 2_880));

    const tenDays = host.callsFor('ten-days');
    assert.equal(tenDays.length, 1_799, 'every 480 s until the refresh token dies at day 10');
    assert.ok(gapsSeconds(tenDays).every((g) => g === 480));
    assert.ok((tenDays.at(-1) ?? Infinity) < t0 + 10 * D);

    assert.deepEqual(host.eventsFor('ten-days'), [
      { type: 'refresh-token-expiring', identityId: 'ten-days', thresholdMs: 7 * D, expiresAt: t0 + 10 * D, at: t0 + 3 * D },
      { type: 'refresh-token-expiring', identityId: 'ten-days', thresholdMs: D, expiresAt: t0 + 10 * D, at: t0 + 9 * D },
      { type: 'refresh-token-expiring', identityId: 'ten-days', thresholdMs: H, expiresAt: t0 + 10 * D, at: t0 + 10 * D - H },
      { type: 'expired', identityId: 'ten-days', at: t0 + 10 * D },
    ]);
    assert.deepEqual(host.statesOf('ten-days'), ['active', 'expiring-soon', 'expired']);
    assert.deepEqual(host.expiredCalls, [{ id: 'ten-days', at: t0 + 10 * D }]);
    assert.deepEqual(host.warningCalls.map((c) => c.thresholds), [[7 * D], [7 * D, D], [7 * D, D, H]]);
    assert.deepEqual(host.eventsFor('short'), [], 'a sliding refresh token never comes near its expiry');
    assert.deepEqual(host.statesOf('short'), ['active']);
    assert.deepEqual(host.statesOf('service'), ['active']);
    assert.equal(lifecycle.status('ten-days'), 'expired');

    assert.equal(clock.stats.maxPending, 1, 'never more than one timer armed');
    lifecycle.stop();
    assert.equal(clock.pendingTimers, 0, 'stop() leaves no timer');
  });

  test('warnings are announced once per process even while the settings store lags', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.persist = false; // warningsSent and expiredAt are never written back
    tenDayLogin(host, t0);
    lifecycle.start();
    await clock.advance(12 * D);
    assert.deepEqual(
      host.eventsFor('ten-days').map((e) => e.type === 'refresh-token-expiring' ? e.thresholdMs : e.type),
      [7 * D, D, H, 'expired'],
    );
    assert.equal(clock.stats.maxPending, 1);
  });
});

describe('sleep and clock changes', () => {
  test('after a wall-clock jump, reevaluate() does due work at once and gives only the most urgent warning', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    tenDayLogin(host, t0);
    lifecycle.start();
    await clock.advance(2 * D);
    const callsBefore = host.callsFor('ten-days').length;

    clock.jump(7.5 * D); // the laptop slept; the armed timer still waits on the monotonic clock
    lifecycle.reevaluate();
    await clock.runDue();
    const wokeAt = t0 + 9.5 * D;
    assert.equal(clock.now(), wokeAt);
    assert.deepEqual(host.eventsFor('ten-days'), [
      { type: 'refresh-token-expiring', identityId: 'ten-days', thresholdMs: D, expiresAt: t0 + 10 * D, at: wokeAt },
    ]);
    assert.deepEqual(host.warningCalls.map((c) => c.thresholds), [[7 * D, D]], 'both crossed thresholds marked sent');
    const calls = host.callsFor('ten-days');
    assert.equal(calls.length, callsBefore + 1, 'the overdue refresh ran at once');
    assert.equal(calls.at(-1), wokeAt);

    await clock.advance(2 * D);
    assert.deepEqual(
      host.eventsFor('ten-days').slice(1).map((e) => [e.type, e.at]),
      [['refresh-token-expiring', t0 + 10 * D - H], ['expired', t0 + 10 * D]],
    );
    assert.equal(clock.stats.maxPending, 1);
  });

  test('without reevaluate(), the late timer catches up the same way', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    tenDayLogin(host, t0);
    lifecycle.start();
    await clock.advance(2 * D);
    clock.jump(7.5 * D);
    const [lateTimer] = clock.pendingTimerTimes();
    assert.ok(lateTimer !== undefined && lateTimer <= clock.now() + 480 * S);
    await clock.advance(lateTimer - clock.now());
    assert.deepEqual(host.eventsFor('ten-days').map((e) => e.type === 'refresh-token-expiring' && e.thresholdMs), [D]);
  });

  test('a jump past the expiry announces only the expiry', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    tenDayLogin(host, t0);
    lifecycle.start();
    await clock.advance(D);
    const callsBefore = host.callsFor('ten-days').length;
    clock.jump(11 * D);
    lifecycle.reevaluate();
    await clock.advance(D);
    assert.deepEqual(host.eventsFor('ten-days').map((e) => e.type), ['expired']);
    assert.equal(host.callsFor('ten-days').length, callsBefore, 'no refresh with a dead refresh token');
    assert.equal(clock.pendingTimers, 0, 'nothing left to wait for');
  });

  test('a clock set back does not delay the refresh by the jump: it happens at the token\'s real due time', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    tenDayLogin(host, t0);
    lifecycle.start();
    await clock.advance(100 * S);
    clock.jump(-H);
    // The token was obtained "in the future" now, so its stored wall-clock expiry cannot be
    // trusted: it is refreshed when the armed timer fires (480 s of real time after it was
    // obtained), not an hour later when the wall clock catches up and the token is long dead.
    await clock.advance(380 * S);
    assert.deepEqual(host.callsFor('ten-days'), [t0 + 480 * S - H]);
    await clock.advance(H);
    assert.equal(host.callsFor('ten-days').length, 1 + Math.floor(H / (480 * S)), 'then the normal rhythm');
    assert.equal(clock.stats.maxPending, 1);
  });
});

describe('long waits', () => {
  test('a wait longer than 2^31-1 ms is armed in steps and fires at the right time', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.add(
      makeIdentity('forty-days', t0, {
        accessTokenExpiresAt: null,
        accessTokenObtainedAt: null,
        refreshTokenExpiry: { kind: 'at', at: t0 + 40 * D },
      }),
      { accessLifetimeMs: 300 * S },
    );
    lifecycle.start();
    assert.equal(lifecycle.nextWakeUp()?.at, t0 + 33 * D);
    assert.ok(33 * D > MAX_TIMER_DELAY_MS);
    await clock.advance(41 * D); // the fake refuses any delay above Node's limit
    assert.equal(clock.stats.longestDelayMs, MAX_TIMER_DELAY_MS);
    assert.deepEqual(
      host.eventsFor('forty-days').map((e) => [e.type, e.at]),
      [
        ['refresh-token-expiring', t0 + 33 * D],
        ['refresh-token-expiring', t0 + 39 * D],
        ['refresh-token-expiring', t0 + 40 * D - H],
        ['expired', t0 + 40 * D],
      ],
    );
    assert.equal(clock.stats.maxPending, 1);
  });
});
