/** The lifecycle's pure decisions, by example and by property. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { classifyFailure } from '../../../src/main/core/lifecycle/failures.ts';
import {
  DEFAULT_WARNING_THRESHOLDS_MS, accessRefreshDueAt, deriveState, dueWarnings, nextWakeUp,
  refreshDueAt, retryDelayMs,
} from '../../../src/main/core/lifecycle/schedule.ts';
import type { IdentityRuntime } from '../../../src/main/core/lifecycle/schedule.ts';
import type { Identity, RefreshTokenExpiry } from '../../../src/shared/model.ts';
import { D, H, MIN, S, makeIdentity } from './fake-host.ts';

const NOW = Date.UTC(2025, 5, 1);
const thresholds = DEFAULT_WARNING_THRESHOLDS_MS;
const problem = { code: 'X', message: 'x' };

describe('accessRefreshDueAt', () => {
  const due = (lifeMs: number): number | null =>
    accessRefreshDueAt(makeIdentity('a', NOW, { accessTokenObtainedAt: NOW, accessTokenExpiresAt: NOW + lifeMs }));

  test('at 80% of the life, never later than 60 s before expiry, never before half of it', () => {
    assert.equal(due(300 * S), NOW + 240 * S);
    assert.equal(due(H), NOW + 2_880 * S);
    assert.equal(due(200 * S), NOW + 140 * S, '60 s before expiry comes before 80%');
    assert.equal(due(100 * S), NOW + 50 * S, 'a short-lived token: half its life, not at once');
    assert.equal(due(0), NOW);
  });

  test('without an expiry nothing is due; without the obtained time, 60 s before expiry', () => {
    assert.equal(accessRefreshDueAt(makeIdentity('a', NOW, { accessTokenExpiresAt: null })), null);
    assert.equal(accessRefreshDueAt(makeIdentity('a', NOW, { accessTokenObtainedAt: null })), NOW + 240 * S);
  });
});

describe('deriveState', () => {
  const at = (ms: number): RefreshTokenExpiry => ({ kind: 'at', at: NOW + ms });
  const personal = (o: Partial<Identity> = {}): Identity => makeIdentity('p', NOW - H, o);
  const service = (o: Partial<Identity> = {}): Identity =>
    makeIdentity('s', NOW - H, { kind: 'client-credentials', refreshTokenExpiry: { kind: 'none' }, ...o });

  test('first matching rule wins', () => {
    const cases: Array<[string, Identity, IdentityRuntime, string]> = [
      ['keychain beats expired', personal({ expiredAt: NOW }), { keychainProblem: problem }, 'keychain-unavailable'],
      ['known dead', personal({ expiredAt: NOW - 1 }), { offlineSince: NOW }, 'expired'],
      ['refresh token expired now', personal({ refreshTokenExpiry: at(0) }), {}, 'expired'],
      ['no tokens', personal({ refreshTokenExpiry: { kind: 'none' }, accessTokenExpiresAt: null }), {}, 'signed-out'],
      ['offline beats error', personal(), { offlineSince: NOW - MIN, lastError: problem }, 'offline'],
      ['error', personal({ refreshTokenExpiry: at(H) }), { lastError: problem }, 'error'],
      ['within 7 days', personal({ refreshTokenExpiry: at(7 * D) }), {}, 'expiring-soon'],
      ['beyond 7 days', personal({ refreshTokenExpiry: at(7 * D + 1) }), {}, 'active'],
      ['offline token', personal({ refreshTokenExpiry: { kind: 'never' } }), {}, 'active'],
      ['service account', service(), {}, 'active'],
      ['service account, no secret', service(), { noSecret: true }, 'signed-out'],
      ['service account never expiring-soon', service({ refreshTokenExpiry: at(H) }), {}, 'active'],
    ];
    for (const [name, identity, runtime, state] of cases) {
      assert.equal(deriveState(identity, runtime, NOW, thresholds), state, name);
    }
  });

  test('expiring-soon follows the largest configured threshold', () => {
    const identity = personal({ refreshTokenExpiry: at(10 * D) });
    assert.equal(deriveState(identity, {}, NOW, [14 * D, H]), 'expiring-soon');
    assert.equal(deriveState(identity, {}, NOW, []), 'active');
  });
});

describe('dueWarnings', () => {
  const login = (warningsSent: number[] = [], obtainedAgo = 20 * D): Identity =>
    makeIdentity('w', NOW - obtainedAgo, { refreshTokenExpiry: { kind: 'at', at: NOW + 12 * H }, warningsSent });

  test('all crossed and unsent thresholds, most urgent first', () => {
    assert.deepEqual(dueWarnings(login(), NOW, thresholds), [D, 7 * D]);
    assert.deepEqual(dueWarnings(login([7 * D]), NOW, thresholds), [D]);
    assert.deepEqual(dueWarnings(login([7 * D, D]), NOW, thresholds), []);
    assert.deepEqual(dueWarnings(login(), NOW + 11 * H, thresholds), [H, D, 7 * D]);
  });

  test('none once expired, none without a known expiry', () => {
    assert.deepEqual(dueWarnings(login(), NOW + 12 * H, thresholds), []);
    assert.deepEqual(dueWarnings(makeIdentity('n', NOW, { refreshTokenExpiry: { kind: 'never' } }), NOW, thresholds), []);
  });

  test('thresholds at least as long as the refresh token lives are skipped', () => {
    assert.deepEqual(dueWarnings(login([], 2 * D), NOW, thresholds), [D], '2.5-day token: never "within 7 days"');
    assert.deepEqual(dueWarnings(login([], 2 * D), NOW + 11 * H, thresholds), [H, D]);
  });
});

describe('retryDelayMs', () => {
  test('5 s doubling to 5 minutes', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 1_000].map((n) => retryDelayMs(n) / S), [5, 10, 20, 40, 80, 160, 300, 300, 300]);
    assert.equal(retryDelayMs(0), 5 * S);
  });

  test("a longer Retry-After wins, capped at one hour; a shorter or invalid one is ignored", () => {
    assert.equal(retryDelayMs(1, 120 * S), 120 * S);
    assert.equal(retryDelayMs(3, 2 * S), 20 * S);
    assert.equal(retryDelayMs(1, 2 * H), H);
    assert.equal(retryDelayMs(1, Number.NaN), 5 * S);
  });
});

test('classifyFailure', () => {
  const table: Array<[string, 'personal' | 'client-credentials', string]> = [
    ['IDP_UNREACHABLE', 'personal', 'offline'], ['BACKEND_UNREACHABLE', 'personal', 'offline'],
    ['IDP_ERROR', 'personal', 'error'], ['LOCK_TIMEOUT', 'personal', 'busy'],
    ['REFRESH_TOKEN_INVALID', 'personal', 'needs-login'], ['SECRET_MISSING', 'personal', 'needs-login'],
    ['SECRET_MISSING', 'client-credentials', 'no-secret'], ['CLIENT_CREDENTIALS_REFUSED', 'client-credentials', 'needs-login'],
    ['KEYCHAIN_LOCKED', 'personal', 'keychain'], ['KEYCHAIN_UNAVAILABLE', 'personal', 'keychain'],
    ['INTERNAL', 'personal', 'error'],
  ];
  for (const [code, kind, expected] of table) assert.equal(classifyFailure({ code }, kind), expected, `${code} ${kind}`);
  // A server error that asked to be retried later is the IdP being unavailable, not a refusal.
  assert.equal(classifyFailure({ code: 'IDP_ERROR', retryAfterMs: 60_000 }, 'personal'), 'offline');
});

describe('nextWakeUp', () => {
  test('the earliest event over all identities, overdue work at now, null when nothing is to come', () => {
    const a = makeIdentity('a', NOW, { accessTokenExpiresAt: NOW + H });
    const b = makeIdentity('b', NOW, { refreshTokenExpiry: { kind: 'at', at: NOW + 7 * D + MIN } });
    assert.deepEqual(nextWakeUp([a, b], new Map(), NOW, thresholds), { at: NOW + MIN, identityId: 'b', reason: 'warn' });
    assert.deepEqual(nextWakeUp([a], new Map([['a', { retryAt: NOW - S }]]), NOW, thresholds), { at: NOW, identityId: 'a', reason: 'retry' });
    assert.equal(nextWakeUp([a], new Map([['a', { refreshing: true }]]), NOW, thresholds), null);
    assert.equal(nextWakeUp([{ ...a, expiredAt: NOW }], new Map(), NOW, thresholds), null);
    assert.equal(nextWakeUp([], new Map(), NOW, thresholds), null);
  });
});

describe('properties', () => {
  const offset = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max }).map((o) => NOW + o);
  const identityArb: fc.Arbitrary<Identity> = fc
    .record({
      kind: fc.constantFrom('personal' as const, 'client-credentials' as const),
      accessExpiresAt: fc.option(offset(-2 * D, 2 * D)),
      accessObtainedAt: fc.option(offset(-3 * D, 0)),
      refresh: fc.oneof(
        fc.constantFrom<RefreshTokenExpiry>({ kind: 'none' }, { kind: 'never' }, { kind: 'unknown' }),
        offset(-2 * D, 60 * D).map((at): RefreshTokenExpiry => ({ kind: 'at', at })),
      ),
      refreshObtainedAt: fc.option(offset(-90 * D, 0)),
      warningsSent: fc.subarray([7 * D, D, H, 3 * D]),
      expiredAt: fc.option(offset(-D, 0), { freq: 8 }),
    })
    .map((r) =>
      makeIdentity('x', NOW, {
        kind: r.kind,
        accessTokenExpiresAt: r.accessExpiresAt,
        accessTokenObtainedAt: r.accessObtainedAt,
        refreshTokenExpiry: r.refresh,
        refreshTokenObtainedAt: r.refreshObtainedAt,
        warningsSent: r.warningsSent,
        ...(r.expiredAt === null ? {} : { expiredAt: r.expiredAt }),
      }),
    );
  const runtimeArb: fc.Arbitrary<IdentityRuntime> = fc.record({
    offlineSince: fc.option(offset(-H, 0)),
    keychainProblem: fc.option(fc.constant(problem)),
    lastError: fc.option(fc.constant(problem)),
    noSecret: fc.boolean(),
    retryAt: fc.option(offset(-H, H)),
    refreshing: fc.boolean(),
    refreshNotBefore: fc.option(offset(-MIN, MIN)),
  });
  const worldArb = fc.record({
    entries: fc.array(fc.tuple(identityArb, runtimeArb), { maxLength: 4 }),
    thresholds: fc.subarray([14 * D, 7 * D, 3 * D, D, 6 * H, H, 5 * MIN]),
    now: offset(-D, 40 * D),
  });
  const build = (w: { entries: Array<[Identity, IdentityRuntime]> }): [Identity[], Map<string, IdentityRuntime>] => {
    const identities = w.entries.map(([identity], i) => ({ ...identity, id: `id${i}` }));
    return [identities, new Map(w.entries.map(([, rt], i) => [`id${i}`, rt]))];
  };

  test('nextWakeUp is never in the past, and "now" only for work that is due', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const [identities, runtimes] = build(w);
        const next = nextWakeUp(identities, runtimes, w.now, w.thresholds);
        if (next === null) return true;
        assert.ok(next.at >= w.now, 'not in the past');
        if (next.at === w.now) {
          const identity = identities.find((i) => i.id === next.identityId) as Identity;
          const rt = runtimes.get(next.identityId) ?? {};
          const refresh = refreshDueAt(identity, rt, w.now);
          assert.ok(dueWarnings(identity, w.now, w.thresholds).length > 0 || (refresh !== null && refresh.at <= w.now));
        }
        return true;
      }),
      { numRuns: 2_000 },
    );
  });

  test('once the due work is taken up, the next wake-up is in the future (no busy loop)', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const [identities, runtimes] = build(w);
        const handled = identities.map((identity) => {
          const rt = runtimes.get(identity.id) ?? {};
          const due = refreshDueAt(identity, rt, w.now);
          if (due && due.at <= w.now) runtimes.set(identity.id, { ...rt, refreshing: true });
          return { ...identity, warningsSent: [...identity.warningsSent, ...dueWarnings(identity, w.now, w.thresholds)] };
        });
        const next = nextWakeUp(handled, runtimes, w.now, w.thresholds);
        assert.ok(next === null || next.at > w.now, `still due at now: ${JSON.stringify(next)}`);
      }),
      { numRuns: 2_000 },
    );
  });

  test('refresh time lies within the token life, at least 60 s before expiry for lives of 2 minutes or more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * D }), (life) => {
        const due = accessRefreshDueAt(makeIdentity('a', NOW, { accessTokenExpiresAt: NOW + life })) ?? NaN;
        assert.ok(due >= NOW + life / 2 - 1 && due <= NOW + life);
        if (life >= 2 * MIN) assert.ok(due <= NOW + life - MIN);
      }),
    );
  });

  test('backoff never shrinks and stays within bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.option(fc.integer({ min: 0, max: 10 * H })), (n, retryAfter) => {
        const d = retryDelayMs(n, retryAfter ?? undefined);
        assert.ok(retryDelayMs(n + 1) >= retryDelayMs(n));
        assert.ok(d >= 5 * S && d <= H);
        if (retryAfter !== null) assert.ok(d >= Math.min(retryAfter, H));
        else assert.ok(d <= 5 * MIN);
      }),
    );
  });
});
