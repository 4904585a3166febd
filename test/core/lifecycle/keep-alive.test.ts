/**
 * The keep-alive: without someone wanting fresh access tokens, background refreshes happen only
 * where a login would otherwise end. Rules one by one, then 30 simulated days (20 identities,
 * nights asleep, weekends off) against IdPs that end sessions the way Keycloak does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KEEP_ALIVE_MAX_GAP_MS, KEEP_ALIVE_SLIDING_MAX_GAP_MS, keepAliveDueAt, refreshDueAt } from '../../../src/main/core/lifecycle/schedule.ts';
import { TokenLifecycle } from '../../../src/main/core/lifecycle/lifecycle.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { requestsPerIdentityDay, simulateKeepAlive } from '../../helpers/keep-alive-sim.ts';
import { D, FakeHost, H, MIN, S, makeIdentity } from './fake-host.ts';

const t0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const when = (at: number): string => (Number.isFinite(at) ? new Date(at).toISOString() : 'still alive');

describe('keepAliveDueAt', () => {
  test('an offline login (no fixed end) is renewed daily; an unknown end too', () => {
    const offline = makeIdentity('a', t0, { refreshTokenExpiry: { kind: 'never' }, accessTokenObtainedAt: t0 });
    assert.equal(keepAliveDueAt(offline), t0 + KEEP_ALIVE_MAX_GAP_MS);
    assert.equal(keepAliveDueAt({ ...offline, refreshTokenExpiry: { kind: 'unknown' } }), t0 + D);
  });

  test('a fixed end: nothing keeps it alive, so no background refresh at all', () => {
    const fixed = makeIdentity('a', t0, { refreshTokenExpiry: { kind: 'at', at: t0 + 3 * D, end: 'fixed' } });
    assert.equal(keepAliveDueAt(fixed), null);
  });

  test('a sliding end: a quarter of the window before it closes, and at least hourly', () => {
    const sliding = makeIdentity('a', t0, { accessTokenObtainedAt: t0, refreshTokenExpiry: { kind: 'at', at: t0 + 30 * MIN, end: 'sliding', idleMs: 30 * MIN } });
    assert.equal(keepAliveDueAt(sliding), t0 + 22.5 * MIN);
    const long = { ...sliding, refreshTokenExpiry: { kind: 'at' as const, at: t0 + 3 * D, end: 'sliding' as const, idleMs: 3 * D } };
    assert.equal(keepAliveDueAt(long), t0 + KEEP_ALIVE_SLIDING_MAX_GAP_MS);
  });

  test('a sliding end that reached its maximum: nothing more to keep alive', () => {
    const capped = makeIdentity('a', t0, { refreshTokenExpiry: { kind: 'at', at: t0 + 10 * MIN, end: 'sliding', idleMs: 30 * MIN, maxAt: t0 + 10 * MIN } });
    assert.equal(keepAliveDueAt(capped), null);
  });

  test('an end not confirmed yet: renewed before it closes (which tells sliding from fixed)', () => {
    const fresh = makeIdentity('a', t0, { accessTokenObtainedAt: t0, refreshTokenExpiry: { kind: 'at', at: t0 + 10 * MIN } });
    assert.equal(keepAliveDueAt(fresh), t0 + 7.5 * MIN);
  });

  test('a very short window is never renewed before half of it has passed (no hot loop)', () => {
    const tiny = makeIdentity('a', t0, { accessTokenObtainedAt: t0, refreshTokenExpiry: { kind: 'at', at: t0 + 60 * S, end: 'sliding', idleMs: 60 * S } });
    assert.equal(keepAliveDueAt(tiny), t0 + 30 * S);
  });

  test('service accounts have nothing to keep alive; with demand their tokens are kept fresh', () => {
    const service = makeIdentity('s', t0, { kind: 'client-credentials', flow: 'client-credentials', refreshTokenExpiry: { kind: 'none' }, accessTokenObtainedAt: t0, accessTokenExpiresAt: t0 + 300 * S });
    assert.equal(keepAliveDueAt(service), null);
    assert.equal(refreshDueAt(service, {}, t0), null);
    assert.equal(refreshDueAt(service, { accessDemand: true }, t0)?.at, t0 + 240 * S);
  });
});

describe('the lifecycle without demand', () => {
  test('an offline login with 10-minute tokens: one refresh a day, not 180', async () => {
    const clock = new FakeClock(t0);
    const host = new FakeHost(clock);
    host.add(makeIdentity('cdse', t0, { accessTokenObtainedAt: t0, accessTokenExpiresAt: t0 + 600 * S, refreshTokenExpiry: { kind: 'never' } }), { accessLifetimeMs: 600 * S });
    const lifecycle = new TokenLifecycle({ clock, timers: clock, host });
    lifecycle.start();
    await clock.advance(3 * D);
    await lifecycle.idle();
    assert.equal(host.refreshCalls.length, 3);
    lifecycle.stop();
  });

  test('demand switched on (the window opens) and off again: 80% refreshes only meanwhile', async () => {
    const clock = new FakeClock(t0);
    const host = new FakeHost(clock);
    host.add(makeIdentity('cdse', t0, { accessTokenObtainedAt: t0, accessTokenExpiresAt: t0 + 600 * S, refreshTokenExpiry: { kind: 'never' } }), { accessLifetimeMs: 600 * S });
    let visible = false;
    const lifecycle = new TokenLifecycle({ clock, timers: clock, host, accessDemand: () => visible });
    lifecycle.start();
    await clock.advance(H);
    assert.equal(host.refreshCalls.length, 0);
    visible = true;
    lifecycle.reevaluate();
    await clock.advance(H);
    await lifecycle.idle();
    const during = host.refreshCalls.length;
    assert.ok(during >= 7 && during <= 8, `every 8 minutes while visible (${during})`);
    visible = false;
    lifecycle.reevaluate();
    await clock.advance(10 * H);
    await lifecycle.idle();
    assert.equal(host.refreshCalls.length, during, 'nothing more until the daily keep-alive');
    lifecycle.stop();
  });

  test('recheckEveryMs: a wall-clock change is seen within that time, without a request', async () => {
    const clock = new FakeClock(t0);
    const host = new FakeHost(clock);
    host.add(makeIdentity('cdse', t0, { accessTokenObtainedAt: t0, accessTokenExpiresAt: t0 + 600 * S, refreshTokenExpiry: { kind: 'never' } }), { accessLifetimeMs: 600 * S });
    const lifecycle = new TokenLifecycle({ clock, timers: clock, host, recheckEveryMs: 5 * MIN });
    lifecycle.start();
    clock.jump(2 * D); // the clock is set forward; no timer moves
    await clock.advance(5 * MIN);
    await lifecycle.idle();
    assert.equal(host.refreshCalls.length, 1, 'the overdue keep-alive ran at the next recheck');
    lifecycle.stop();
  });
});

describe('30 simulated days, 20 identities, nights asleep and weekends off', () => {
  test('no login is lost that a client could keep, at least 10x fewer requests on CDSE-like rules', async (t) => {
    const before = await simulateKeepAlive({ accessDemand: true });
    const after = await simulateKeepAlive({ accessDemand: false });
    for (const p of after.perIdentity) {
      assert.equal(p.lostNeedlessly, false, `${p.rules.name}: ended ${when(p.endedAt)}, a client renewing at every waking moment: ${when(p.bestEndedAt)}`);
    }
    for (const p of before.perIdentity) assert.equal(p.lostNeedlessly, false, `before: ${p.rules.name}`);
    const cdseBefore = requestsPerIdentityDay(before, (r) => r.cdseLike === true);
    const cdseAfter = requestsPerIdentityDay(after, (r) => r.cdseLike === true);
    t.diagnostic(`CDSE-like: ${cdseBefore.toFixed(1)} → ${cdseAfter.toFixed(2)} refreshes per identity-day; all: ${requestsPerIdentityDay(before, () => true).toFixed(1)} → ${requestsPerIdentityDay(after, () => true).toFixed(2)}`);
    assert.ok(cdseBefore / cdseAfter >= 10, `${cdseBefore} → ${cdseAfter}`);
    const offline = after.perIdentity.filter((p) => p.rules.kind === 'offline');
    assert.ok(offline.every((p) => p.endedAt === Infinity), 'every offline login is still alive after 30 days');
  });
});
