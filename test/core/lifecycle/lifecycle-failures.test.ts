/** The lifecycle when refreshing fails: offline, dead logins, keychain, concurrency, stopping. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthTrayError } from '../../../src/main/core/errors.ts';
import type { ErrorCode } from '../../../src/main/core/errors.ts';
import { TokenLifecycle } from '../../../src/main/core/lifecycle/lifecycle.ts';
import type { LifecycleDeps } from '../../../src/main/core/lifecycle/lifecycle.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/**
 * These tests drive the refresh loop while the access token is wanted fresh all the time (the
 * window shows its countdown): refreshes at 80% of its life. What runs without that demand (only
 * what keeps a login alive) is in keep-alive.test.ts.
 */
const ALWAYS_FRESH = (): boolean => true;
import { D, FakeHost, H, MIN, S, gapsSeconds, makeIdentity } from './fake-host.ts';

function setUp(deps: Partial<LifecycleDeps> = {}): { clock: FakeClock; host: FakeHost; lifecycle: TokenLifecycle; t0: number } {
  const clock = new FakeClock();
  const host = new FakeHost(clock);
  const lifecycle = new TokenLifecycle({ clock, timers: clock, host, accessDemand: ALWAYS_FRESH, ...deps });
  const t0 = clock.now();
  host.add(makeIdentity('alice', t0), { accessLifetimeMs: 300 * S });
  return { clock, host, lifecycle, t0 };
}

const failure = (code: ErrorCode, retryAfterMs?: number): AuthTrayError =>
  new AuthTrayError(code, `Failure ${code}.`, retryAfterMs === undefined ? {} : { retryAfterMs });

describe('IdP unreachable', () => {
  test('offline with backoff 5, 10, 20 ... 300 s, tokens kept, then recovered', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    const before = host.identities.get('alice');
    host.failures.set('alice', failure('IDP_UNREACHABLE'));
    lifecycle.start();
    await clock.advanceTo(t0 + 1_455 * S);

    const calls = host.callsFor('alice');
    assert.equal(calls[0], t0 + 240 * S);
    assert.deepEqual(gapsSeconds(calls), [5, 10, 20, 40, 80, 160, 300, 300, 300]);
    assert.equal(lifecycle.status('alice'), 'offline');
    const detail = lifecycle.detail('alice');
    assert.equal(detail?.offlineSince, t0 + 240 * S);
    assert.equal(detail?.problem?.code, 'IDP_UNREACHABLE');
    assert.equal(host.identities.get('alice'), before, 'nothing about the stored tokens changed');
    assert.deepEqual(host.eventsFor('alice'), [
      {
        type: 'refresh-failing', identityId: 'alice', since: t0 + 240 * S,
        error: { code: 'IDP_UNREACHABLE', message: 'Failure IDP_UNREACHABLE.' }, at: t0 + 555 * S,
      },
    ], 'announced once, after failing for more than 5 minutes');

    host.failures.delete('alice'); // the IdP is back; the next retry is at +300 s
    await clock.advanceTo(t0 + 1_755 * S + 240 * S);
    assert.deepEqual(host.callsFor('alice').slice(-2), [t0 + 1_755 * S, t0 + 1_995 * S]);
    assert.deepEqual(host.eventsFor('alice').slice(1), [{ type: 'recovered', identityId: 'alice', at: t0 + 1_755 * S }]);
    assert.deepEqual(host.statesOf('alice'), ['active', 'offline', 'active']);
    assert.equal(lifecycle.detail('alice')?.problem, null);
    assert.equal(host.expiredCalls.length, 0);
    assert.equal(clock.stats.maxPending, 1);
  });

  test("a server's Retry-After wins when longer, capped at one hour", async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.failures.set('alice', failure('IDP_ERROR', 120 * S));
    lifecycle.start();
    await clock.advanceTo(t0 + 241 * S);
    host.failures.set('alice', failure('IDP_ERROR', 2 * H));
    await clock.advanceTo(t0 + 360 * S + 2 * H);
    assert.deepEqual(gapsSeconds(host.callsFor('alice')), [120, 3_600, 3_600]);
  });

  test('a short outage recovers silently (no refresh-failing, no recovered)', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.failures.set('alice', failure('BACKEND_UNREACHABLE'));
    lifecycle.start();
    await clock.advanceTo(t0 + 250 * S);
    host.failures.delete('alice');
    await clock.advanceTo(t0 + 260 * S);
    assert.deepEqual(host.eventsFor('alice'), []);
    assert.deepEqual(host.statesOf('alice'), ['active', 'offline', 'active']);
  });

  test('reevaluate({ retryNow }) after resume retries at once', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.failures.set('alice', failure('IDP_UNREACHABLE'));
    lifecycle.start();
    await clock.advanceTo(t0 + 245 * S); // second failure; next retry at +10 s
    host.failures.delete('alice');
    lifecycle.reevaluate({ retryNow: true });
    await clock.runDue();
    assert.deepEqual(host.callsFor('alice'), [t0 + 240 * S, t0 + 245 * S, t0 + 245 * S]);
    assert.equal(lifecycle.status('alice'), 'active');
  });
});

describe('dead logins', () => {
  test('invalid refresh token: expired once, nothing deleted, no further attempts; a new login revives it', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.add(makeIdentity('bob', t0, { accessTokenExpiresAt: t0 + H }), { accessLifetimeMs: H });
    host.failures.set('alice', failure('REFRESH_TOKEN_INVALID'));
    lifecycle.start();
    await clock.advance(30 * D);
    assert.deepEqual(host.callsFor('alice'), [t0 + 240 * S], 'one attempt, then never again');
    assert.equal(host.callsFor('bob').length, 900, 'the other identity goes on');
    assert.deepEqual(host.eventsFor('alice'), [{ type: 'expired', identityId: 'alice', at: t0 + 240 * S }]);
    assert.deepEqual(host.statesOf('alice'), ['active', 'expired']);
    assert.deepEqual(host.expiredCalls, [{ id: 'alice', at: t0 + 240 * S }]);
    const alice = host.identities.get('alice');
    assert.equal(alice?.accessTokenObtainedAt, t0, 'token facts kept');
    assert.deepEqual(alice?.refreshTokenExpiry, { kind: 'never' });
    assert.equal(lifecycle.detail('alice')?.problem?.code, 'REFRESH_TOKEN_INVALID');

    // A new login: fresh tokens, expiredAt cleared, and the host says so.
    const now = clock.now();
    host.failures.delete('alice');
    host.identities.set('alice', makeIdentity('alice', now));
    lifecycle.reportSuccess('alice');
    await clock.advance(240 * S);
    assert.deepEqual(host.callsFor('alice').slice(1), [now + 240 * S]);
    assert.equal(lifecycle.status('alice'), 'active');
    assert.equal(clock.stats.maxPending, 1);
  });

  test('a dead login stays dead while the settings store has not saved expiredAt', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.persist = false;
    host.failures.set('alice', failure('REFRESH_TOKEN_INVALID'));
    lifecycle.start();
    await clock.advance(D);
    lifecycle.reevaluate();
    await clock.advance(D);
    assert.deepEqual(host.callsFor('alice'), [t0 + 240 * S]);
    assert.deepEqual(host.eventsFor('alice').map((e) => e.type), ['expired']);
    assert.equal(lifecycle.status('alice'), 'expired');
  });

  test('a login that expired while nothing ran is announced once, and not again after a restart', async () => {
    const clock = new FakeClock();
    const host = new FakeHost(clock);
    const t0 = clock.now();
    host.add(
      makeIdentity('old', t0 - 40 * D, { refreshTokenExpiry: { kind: 'at', at: t0 - D }, accessTokenExpiresAt: t0 - 39 * D }),
      { accessLifetimeMs: 300 * S },
    );
    const first = new TokenLifecycle({ clock, timers: clock, host, accessDemand: ALWAYS_FRESH });
    first.start();
    await first.idle();
    first.stop();
    const second = new TokenLifecycle({ clock, timers: clock, host, accessDemand: ALWAYS_FRESH });
    second.start();
    await clock.advance(D);
    assert.deepEqual(host.eventsFor('old').map((e) => [e.type, e.at]), [['expired', t0]]);
    assert.deepEqual(host.statesOf('old'), ['expired', 'expired'], 'each process reports the state once');
    assert.deepEqual(host.refreshCalls, []);
    assert.equal(clock.pendingTimers, 0);
  });

  test('a personal login without refresh token expires with its access token', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.identities.set('alice', makeIdentity('alice', t0, { refreshTokenExpiry: { kind: 'none' } }));
    lifecycle.start();
    await clock.advance(H);
    assert.deepEqual(host.refreshCalls, []);
    assert.deepEqual(host.eventsFor('alice').map((e) => [e.type, e.at]), [['expired', t0 + 300 * S]]);
  });

  test('SECRET_MISSING: a personal login is expired, a service account is signed out; neither is retried', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.add(
      makeIdentity('robot', t0, { kind: 'client-credentials', flow: 'client-credentials', refreshTokenExpiry: { kind: 'none' }, refreshTokenObtainedAt: null }),
      { accessLifetimeMs: 300 * S },
    );
    host.failures.set('alice', failure('SECRET_MISSING'));
    host.failures.set('robot', failure('SECRET_MISSING'));
    lifecycle.start();
    await clock.advance(D);
    assert.equal(lifecycle.status('alice'), 'expired');
    assert.equal(lifecycle.status('robot'), 'signed-out');
    assert.deepEqual(host.events.filter((e) => e.type === 'expired').map((e) => e.identityId), ['alice']);
    assert.equal(host.refreshCalls.length, 2);
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('other failures', () => {
  test('keychain locked: keychain-unavailable, retried with backoff, back to active after unlock', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.failures.set('alice', failure('KEYCHAIN_LOCKED'));
    lifecycle.start();
    await clock.advanceTo(t0 + 275 * S);
    assert.deepEqual(gapsSeconds(host.callsFor('alice')), [5, 10, 20]);
    assert.equal(lifecycle.status('alice'), 'keychain-unavailable');
    host.failures.delete('alice'); // unlocked: the app re-evaluates on the OS's unlock event
    lifecycle.reevaluate({ retryNow: true });
    await clock.runDue();
    assert.equal(lifecycle.status('alice'), 'active');
    assert.deepEqual(host.statesOf('alice'), ['active', 'keychain-unavailable', 'active']);
  });

  test('LOCK_TIMEOUT (another process is refreshing): retried, state unchanged', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.failures.set('alice', failure('LOCK_TIMEOUT'));
    lifecycle.start();
    await clock.advanceTo(t0 + 245 * S);
    host.failures.delete('alice');
    await clock.advanceTo(t0 + 255 * S);
    assert.deepEqual(gapsSeconds(host.callsFor('alice')), [5, 10]);
    assert.deepEqual(host.statesOf('alice'), ['active']);
  });

  test('an unexpected failure: error, retried with backoff', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    host.failures.set('alice', failure('IDP_INVALID_RESPONSE'));
    lifecycle.start();
    await clock.advanceTo(t0 + 255 * S);
    assert.equal(lifecycle.status('alice'), 'error');
    assert.deepEqual(gapsSeconds(host.callsFor('alice')), [5, 10]);
  });

  test('a failure seen elsewhere (reportError) is retried by the lifecycle', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    lifecycle.start();
    lifecycle.reportError('alice', failure('IDP_UNREACHABLE'));
    assert.equal(lifecycle.status('alice'), 'offline');
    await clock.advance(5 * S);
    assert.deepEqual(host.callsFor('alice'), [t0 + 5 * S]);
    assert.equal(lifecycle.status('alice'), 'active');
  });
});

describe('concurrency, sign-in and stopping', () => {
  test('never two refreshes of one identity in flight', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    let release = (): void => undefined;
    host.gate = new Promise<void>((resolve) => (release = resolve));
    lifecycle.start();
    await clock.advanceTo(t0 + 240 * S);
    for (let i = 0; i < 5; i++) lifecycle.reevaluate({ retryNow: true });
    lifecycle.reportError('alice', failure('IDP_UNREACHABLE'));
    await clock.advance(H);
    assert.deepEqual(host.callsFor('alice'), [t0 + 240 * S], 'one refresh while the first is in flight');
    assert.equal(lifecycle.detail('alice')?.refreshing, true);
    host.gate = null;
    release();
    await clock.runDue();
    assert.equal(host.maxInFlight, 1);
    assert.equal(lifecycle.status('alice'), 'active');
    assert.equal(clock.stats.maxPending, 1);
  });

  test('stop() leaves no timer, and a refresh finishing after stop arms none and announces nothing', async () => {
    const { clock, host, lifecycle, t0 } = setUp();
    let release = (): void => undefined;
    host.gate = new Promise<void>((resolve) => (release = resolve));
    host.failures.set('alice', failure('REFRESH_TOKEN_INVALID'));
    lifecycle.start();
    await clock.advanceTo(t0 + 240 * S);
    lifecycle.stop();
    release();
    await lifecycle.idle();
    await clock.advance(30 * D);
    assert.equal(clock.pendingTimers, 0);
    assert.deepEqual(host.callsFor('alice'), [t0 + 240 * S]);
    assert.deepEqual(host.eventsFor('alice'), []);
  });

  test('a throwing event listener is logged and the timer stays armed', async () => {
    const logged: string[] = [];
    const { clock, host, lifecycle } = setUp({ log: (message) => logged.push(message) });
    host.onEvent = () => {
      throw new Error('listener bug');
    };
    lifecycle.start();
    assert.equal(clock.pendingTimers, 1);
    assert.deepEqual(logged, ['lifecycle event listener failed on state-changed']);
    await clock.advance(30 * MIN);
    assert.equal(host.callsFor('alice').length, 7);
  });
});
