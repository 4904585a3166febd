/**
 * Thirty days of the real TokenLifecycle on the FakeClock against simulated identity providers
 * whose sessions end the way Keycloak's do (an offline idle window, an SSO idle window with a
 * maximum, an absolute end, an end the IdP does not tell), with a laptop that sleeps 8 hours a
 * night and is off at weekends. Shared by test/core/lifecycle/keep-alive.test.ts (which asserts)
 * and the bench (which reports). Not a test file.
 */
import { AuthTrayError } from '../../src/main/core/errors.ts';
import { learnEnd } from '../../src/shared/format/login-end.ts';
import { TokenLifecycle } from '../../src/main/core/lifecycle/lifecycle.ts';
import type { LifecycleEvent, LifecycleHost } from '../../src/main/core/lifecycle/host.ts';
import type { Identity, RefreshTokenExpiry } from '../../src/shared/model.ts';
import { FakeClock } from './fake-clock.ts';

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

/** How one IdP ends a session, and what its token responses say about it. */
export interface SessionRules {
  name: string;
  /** Access-token lifetime. */
  accessMs: number;
  /**
   * `offline`: Keycloak offline token (`refresh_expires_in: 0`, no `exp`), ended after `idleMs` unused.
   * `sliding`: `refresh_expires_in` = the sooner of idle end and maximum. `absolute`: ends `maxMs` after sign-in.
   * `unknown`: the IdP says nothing, but ends it after `idleMs` unused. `service`: client credentials.
   */
  kind: 'offline' | 'sliding' | 'absolute' | 'unknown' | 'service';
  idleMs?: number;
  maxMs?: number;
  /** CDSE's own shape (counted separately for the goal). */
  cdseLike?: boolean;
}

/** The 20 identities of the simulation. */
export const SIMULATED_RULES: readonly SessionRules[] = [
  ...Array.from({ length: 8 }, (_, i): SessionRules => ({ name: `cdse-${i}`, accessMs: 600 * S, kind: 'offline', idleMs: 30 * D, cdseLike: true })),
  ...Array.from({ length: 4 }, (_, i): SessionRules => ({ name: `kc-default-${i}`, accessMs: 300 * S, kind: 'sliding', idleMs: 30 * MIN, maxMs: 10 * H })),
  ...Array.from({ length: 2 }, (_, i): SessionRules => ({ name: `kc-lab-${i}`, accessMs: 300 * S, kind: 'sliding', idleMs: 3 * D, maxMs: 14 * D })),
  ...Array.from({ length: 2 }, (_, i): SessionRules => ({ name: `absolute-${i}`, accessMs: H, kind: 'absolute', maxMs: 20 * D })),
  ...Array.from({ length: 2 }, (_, i): SessionRules => ({ name: `egi-like-${i}`, accessMs: H, kind: 'unknown', idleMs: 7 * D })),
  ...Array.from({ length: 2 }, (_, i): SessionRules => ({ name: `service-${i}`, accessMs: 300 * S, kind: 'service' })),
];

/** Awake on weekdays 07:00–23:00 (UTC), asleep at night, off from Friday 23:00 to Monday 07:00. */
export function awakeIntervals(from: number, days: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  const day0 = from - (from % D);
  for (let d = 0; d <= days; d++) {
    const dayStart = day0 + d * D;
    const weekday = new Date(dayStart).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const start = Math.max(dayStart + 7 * H, from);
    const end = Math.min(dayStart + 23 * H, from + days * D);
    if (end > start) out.push({ start, end });
  }
  return out;
}

class SimulatedIdp {
  lastUse: number;
  readonly start: number;
  refreshes = 0;
  constructor(readonly rules: SessionRules, signedInAt: number) {
    this.start = signedInAt;
    this.lastUse = signedInAt;
  }

  /** When the IdP ends (or ended) the session, given its last use. */
  endAt(): number {
    const { kind, idleMs, maxMs } = this.rules;
    if (kind === 'service') return Infinity;
    const idleEnd = idleMs === undefined || kind === 'absolute' ? Infinity : this.lastUse + idleMs;
    const maxEnd = maxMs === undefined ? Infinity : this.start + maxMs;
    return Math.min(idleEnd, maxEnd);
  }

  /** What the token response says about the refresh token's end, at `now`. */
  expiry(now: number): RefreshTokenExpiry {
    switch (this.rules.kind) {
      case 'offline': return { kind: 'never' };
      case 'unknown': return { kind: 'unknown' };
      case 'service': return { kind: 'none' };
      case 'absolute':
      case 'sliding': return { kind: 'at', at: Math.max(now, this.endAt()) };
    }
  }

  refresh(now: number): void {
    this.refreshes += 1;
    if (now >= this.endAt()) throw new AuthTrayError('REFRESH_TOKEN_INVALID', 'Session not active');
    if (this.rules.kind !== 'service') this.lastUse = now;
  }
}

class SimHost implements LifecycleHost {
  readonly identities = new Map<string, Identity>();
  readonly idps = new Map<string, SimulatedIdp>();
  readonly expired = new Map<string, number>();
  constructor(private readonly clock: FakeClock) {}

  listIdentities(): Identity[] {
    return [...this.identities.values()];
  }
  async refreshAccess(id: string): Promise<void> {
    const idp = this.idps.get(id)!;
    const now = this.clock.now();
    idp.refresh(now);
    const identity = this.identities.get(id)!;
    // What TokenService.persist does: new access-token times; what the refresh taught about the end.
    this.identities.set(id, {
      ...identity,
      accessTokenObtainedAt: now,
      accessTokenExpiresAt: now + idp.rules.accessMs,
      refreshTokenExpiry: identity.kind === 'personal' ? learnEnd(identity.refreshTokenExpiry, idp.expiry(now), now) : { kind: 'none' },
    });
  }
  async markWarningsSent(id: string, sent: number[]): Promise<void> {
    this.identities.set(id, { ...this.identities.get(id)!, warningsSent: sent });
  }
  async markExpired(id: string, at: number): Promise<void> {
    this.expired.set(id, at);
    this.identities.set(id, { ...this.identities.get(id)!, expiredAt: at });
  }
  onEvent(_event: LifecycleEvent): void {}
}

export interface SimulationResult {
  days: number;
  perIdentity: Array<{
    rules: SessionRules;
    refreshes: number;
    /** When the IdP ended the session (Infinity: alive at the end). */
    endedAt: number;
    /** When the best possible client (renewing at every waking moment) would have lost it. */
    bestEndedAt: number;
    /** Lost although a client could have kept it: ended while awake, or in a sleep the best client survived. */
    lostNeedlessly: boolean;
  }>;
  wakeUps: number;
}

/** When a client renewing at every waking moment loses the session (Infinity: never in the window). */
function bestEnd(rules: SessionRules, signedInAt: number, awake: Array<{ start: number; end: number }>, until: number): number {
  if (rules.kind === 'service') return Infinity;
  const maxEnd = rules.maxMs === undefined ? Infinity : signedInAt + rules.maxMs;
  if (rules.kind === 'absolute' || rules.idleMs === undefined) return maxEnd > until ? Infinity : maxEnd;
  for (let i = 0; i < awake.length; i++) {
    const sleepStart = awake[i]!.end;
    const wake = awake[i + 1]?.start ?? until;
    if (sleepStart >= maxEnd) break;
    if (wake - sleepStart >= rules.idleMs) return Math.min(sleepStart + rules.idleMs, maxEnd);
  }
  return maxEnd > until ? Infinity : maxEnd;
}

/**
 * Runs the simulation. `accessDemand: true` is the behaviour before the keep-alive (every access
 * token renewed at 80% of its life, whether or not anything needed one).
 */
export async function simulateKeepAlive(opts: { days?: number; accessDemand: boolean; recheckEveryMs?: number }): Promise<SimulationResult> {
  const days = opts.days ?? 30;
  const clock = new FakeClock(Date.UTC(2025, 0, 6, 7, 0, 0)); // a Monday, 07:00
  const t0 = clock.now();
  const until = t0 + days * D;
  const awake = awakeIntervals(t0, days);
  const host = new SimHost(clock);
  for (const [i, rules] of SIMULATED_RULES.entries()) {
    const id = `sim-${String(i).padStart(2, '0')}-${rules.name}`;
    const idp = new SimulatedIdp(rules, t0);
    host.idps.set(id, idp);
    const service = rules.kind === 'service';
    host.identities.set(id, {
      id, label: rules.name, kind: service ? 'client-credentials' : 'personal', flow: service ? 'client-credentials' : 'device',
      backendUrl: 'https://openeo.example', apiUrl: 'https://openeo.example/openeo/1.2', providerId: 'CDSE',
      issuer: 'https://idp.example/realms/CDSE', clientId: 'client', scopes: ['openid', 'offline_access'], jwtBearer: false,
      createdAt: t0, accessTokenObtainedAt: t0, accessTokenExpiresAt: t0 + rules.accessMs,
      refreshTokenExpiry: service ? { kind: 'none' } : idp.expiry(t0),
      refreshTokenObtainedAt: service ? null : t0, warningsSent: [],
    });
  }
  const lifecycle = new TokenLifecycle({
    clock, timers: clock, host,
    accessDemand: () => opts.accessDemand,
    ...(opts.recheckEveryMs ? { recheckEveryMs: opts.recheckEveryMs } : {}),
  });
  const firedBefore = clock.stats.fired;
  lifecycle.start();
  for (const [i, period] of awake.entries()) {
    if (i > 0) {
      // Waking up: the wall clock jumped over the sleep; the app re-evaluates at once (resume).
      clock.jump(period.start - clock.now());
      lifecycle.reevaluate({ retryNow: true });
    }
    await clock.advanceTo(period.end);
    await lifecycle.idle();
  }
  clock.jump(until - clock.now());
  lifecycle.stop();

  const perIdentity = [...host.idps.entries()].map(([, idp]) => {
    const endedAt = idp.endAt() > until ? Infinity : idp.endAt();
    const bestEndedAt = bestEnd(idp.rules, t0, awake, until);
    const sleepOf = (t: number) => awake.findIndex((p) => t < p.start);
    const endedAwake = awake.some((p) => endedAt >= p.start && endedAt < p.end);
    const lostNeedlessly = endedAt < bestEndedAt && (endedAwake || sleepOf(endedAt) !== sleepOf(bestEndedAt));
    return { rules: idp.rules, refreshes: idp.refreshes, endedAt, bestEndedAt, lostNeedlessly };
  });
  return { days, perIdentity, wakeUps: clock.stats.fired - firedBefore };
}

/** Refresh requests per identity and day, over the identities `which` picks. */
export function requestsPerIdentityDay(result: SimulationResult, which: (r: SessionRules) => boolean): number {
  const picked = result.perIdentity.filter((p) => which(p.rules));
  return picked.reduce((sum, p) => sum + p.refreshes, 0) / picked.length / result.days;
}
