/**
 * One simulated idle day of the real core: TokenLifecycle and the job tracker on a FakeClock with
 * 20 identities and a host that counts every request. The refreshes the lifetimes call for are
 * computed here from the rule (with the window open, access tokens are kept fresh: refresh at 80%
 * of the access token's life, never later than 60 s before expiry, never before half of it), not
 * from the lifecycle's own code. Shared by test/core/lifecycle/idle-day.test.ts, which asserts the
 * counts, and `npm run bench`, which reports them.
 */
import { createJobTracker } from '../../src/main/core/jobs/job-tracker.ts';
import { TokenLifecycle } from '../../src/main/core/lifecycle/lifecycle.ts';
import type { LifecycleEvent, LifecycleHost } from '../../src/main/core/lifecycle/host.ts';
import type { BatchJob, Identity } from '../../src/shared/model.ts';
import { FakeClock } from './fake-clock.ts';

const S = 1_000;
const DAY = 86_400 * S;

/** Access-token lifetimes of the 20 identities (Keycloak's 5 min default up to a 10 h token). */
const LIFETIMES_S = [300, 300, 300, 300, 300, 600, 600, 600, 600, 900, 900, 1800, 1800, 1800, 1800, 3600, 3600, 36_000, 300, 3600];
/** The last two are service accounts (client credentials: fetched anew, no refresh token). */
const SERVICE_ACCOUNTS = new Set([18, 19]);

/** How often a token living `life` ms is refreshed while access tokens are kept fresh. */
function expectedPeriod(lifeMs: number): number {
  return Math.floor(Math.max(Math.min(0.8 * lifeMs, lifeMs - 60 * S), lifeMs / 2));
}

class CountingHost implements LifecycleHost {
  readonly identities = new Map<string, Identity>();
  readonly lifetimes = new Map<string, number>();
  refreshes = 0;
  marks = 0;
  readonly events = new Map<string, number>();
  constructor(private readonly clock: FakeClock) {}

  listIdentities(): Identity[] {
    return [...this.identities.values()];
  }
  async refreshAccess(id: string): Promise<void> {
    this.refreshes += 1;
    const identity = this.identities.get(id)!;
    const now = this.clock.now();
    // What TokenService.persist writes after a rotation: new access-token times; the
    // refresh token's absolute expiry and the session start stay.
    this.identities.set(id, { ...identity, accessTokenObtainedAt: now, accessTokenExpiresAt: now + this.lifetimes.get(id)! });
  }
  async markWarningsSent(): Promise<void> {
    this.marks += 1;
  }
  async markExpired(): Promise<void> {
    this.marks += 1;
  }
  onEvent(event: LifecycleEvent): void {
    this.events.set(event.type, (this.events.get(event.type) ?? 0) + 1);
  }
}

/** What one simulated day came to. */
export interface IdleDay {
  /** Refreshes during the day (none may happen at the start). */
  refreshes: number;
  refreshesAtStart: number;
  expectedRefreshes: number;
  /** Timer callbacks that ran during the day, and the distinct refresh times they should be. */
  wakeUps: number;
  expectedWakeUps: number;
  timersArmed: number;
  timersCleared: number;
  listingsAtStart: number;
  /** Job listings after the start (finished jobs: none should follow). */
  laterListings: number;
  /** Warnings marked or logins marked expired (none falls in this day). */
  marks: number;
  /** Lifecycle events other than state changes, "type count". */
  otherEvents: string[];
  cpuMs: number;
}

/** Simulates one day with the window open (access tokens wanted fresh) or closed (keep-alive only). */
export async function simulateIdleDay(windowOpen: boolean): Promise<IdleDay> {
  const clock = new FakeClock();
  const t0 = clock.now();
  const host = new CountingHost(clock);
  const expectedTimes: number[] = [];
  for (const [i, lifeS] of LIFETIMES_S.entries()) {
    const id = `idle-${String(i).padStart(2, '0')}`;
    const life = lifeS * S;
    const period = expectedPeriod(life);
    // Logins made at different moments before the day starts, none of them due yet.
    const obtained = t0 - ((i * 37 * S) % period);
    const service = SERVICE_ACCOUNTS.has(i);
    host.lifetimes.set(id, life);
    host.identities.set(id, {
      id, label: id, kind: service ? 'client-credentials' : 'personal', flow: service ? 'client-credentials' : 'device',
      backendUrl: 'https://openeo.example', apiUrl: 'https://openeo.example/openeo/1.2', providerId: 'example',
      issuer: 'https://idp.example/realms/x', clientId: 'client', scopes: ['openid', 'offline_access'], jwtBearer: false,
      userId: `user-${i}`, createdAt: obtained, accessTokenObtainedAt: obtained, accessTokenExpiresAt: obtained + life,
      // Half are Keycloak offline tokens, half expire in 30 days (absolute): no warning falls in this day.
      refreshTokenExpiry: service ? { kind: 'none' } : i % 2 ? { kind: 'never' } : { kind: 'at', at: t0 + 30 * DAY },
      refreshTokenObtainedAt: service ? null : obtained, warningsSent: [],
    });
    for (let at = obtained + period; at <= t0 + DAY; at += period) expectedTimes.push(at);
  }
  const expectedRefreshes = expectedTimes.length;
  const expectedWakeUps = new Set(expectedTimes).size;

  let listings = 0;
  const finished: BatchJob[] = [{ id: 'j1', status: 'finished', created: '2025-01-01T00:00:00Z' }, { id: 'j2', status: 'error', created: '2025-01-01T00:00:00Z' }];
  const tracker = createJobTracker({
    clock, timers: clock,
    listJobs: async () => {
      listings += 1;
      return finished;
    },
    canPoll: () => true,
    onTransition: () => undefined,
    identities: () => [...host.identities.keys()],
  });
  const lifecycle = new TokenLifecycle({ clock, timers: clock, host, accessDemand: () => windowOpen });

  const started = performance.now();
  lifecycle.start();
  await tracker.start();
  await clock.runDue();
  const atStart = { refreshes: host.refreshes, listings, fired: clock.stats.fired };
  await clock.advance(DAY);
  await lifecycle.idle();
  lifecycle.stop();
  tracker.stop();
  const cpuMs = performance.now() - started;

  return {
    refreshes: host.refreshes - atStart.refreshes,
    refreshesAtStart: atStart.refreshes,
    expectedRefreshes,
    wakeUps: clock.stats.fired - atStart.fired,
    expectedWakeUps,
    timersArmed: clock.stats.armed,
    timersCleared: clock.stats.cleared,
    listingsAtStart: atStart.listings,
    laterListings: listings - atStart.listings,
    marks: host.marks,
    otherEvents: [...host.events].filter(([type]) => type !== 'state-changed').map(([t, n]) => `${t} ${n}`),
    cpuMs,
  };
}
