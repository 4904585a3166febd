/**
 * Item 5: the idle cost of the core over one simulated day. The real TokenLifecycle and job
 * tracker run on the FakeClock with 20 identities and a host that counts every request. With the
 * window open (access tokens wanted fresh: the behaviour before issue 14 at all times) the count
 * is compared with the refreshes the lifetimes call for, computed here from the rule (refresh at
 * 80% of the access token's life, never later than 60 s before expiry, never before half of it),
 * not from the lifecycle's own code; with the window closed only keep-alives run. Then the
 * 30-day simulation of issue 14 (test/helpers/keep-alive-sim.ts): requests per identity-day.
 */
import { createJobTracker } from '../../src/main/core/jobs/job-tracker.ts';
import { TokenLifecycle } from '../../src/main/core/lifecycle/lifecycle.ts';
import type { LifecycleEvent, LifecycleHost } from '../../src/main/core/lifecycle/host.ts';
import type { BatchJob, Identity } from '../../src/main/core/model.ts';
import { FakeClock } from '../../test/helpers/fake-clock.ts';
import { requestsPerIdentityDay, simulateKeepAlive } from '../../test/helpers/keep-alive-sim.ts';
import { verdict, type Row } from './table.ts';

const S = 1_000;
const DAY = 86_400 * S;

/** Access-token lifetimes of the 20 identities (Keycloak's 5 min default up to a 10 h token). */
const LIFETIMES_S = [300, 300, 300, 300, 300, 600, 600, 600, 600, 900, 900, 1800, 1800, 1800, 1800, 3600, 3600, 36_000, 300, 3600];
/** The last two are service accounts (client credentials: fetched anew, no refresh token). */
const SERVICE_ACCOUNTS = new Set([18, 19]);

/** When a token obtained at `obtained` living `life` ms is refreshed, by the rule. */
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

export async function idleDayRows(): Promise<Row[]> {
  const open = await idleDay(true);
  const closed = await idleDay(false);
  return [...open.rows, {
    measure: 'idle day, 20 identities, window closed (keep-alive only): network requests',
    value: `${closed.refreshes} refreshes (${(closed.refreshes / 20).toFixed(2)} per identity-day)`,
    baseline: `window open (80% rule): ${open.refreshes} (${(open.refreshes / 20).toFixed(1)} per identity-day)`,
    ratioTarget: `${(open.refreshes / Math.max(1, closed.refreshes)).toFixed(0)}× fewer`,
    verdict: verdict(closed.refreshes * 10 <= open.refreshes),
  }, ...await thirtyDayRows()];
}

/** Issue 14's 30-day simulation: before (80% rule at all times) and after (keep-alive), per identity-day. */
async function thirtyDayRows(): Promise<Row[]> {
  const before = await simulateKeepAlive({ accessDemand: true });
  const after = await simulateKeepAlive({ accessDemand: false });
  const cdse = (r: { cdseLike?: boolean }) => r.cdseLike === true;
  const b = requestsPerIdentityDay(before, cdse);
  const a = requestsPerIdentityDay(after, cdse);
  const lost = after.perIdentity.filter((p) => p.lostNeedlessly).length;
  return [{
    measure: '30 days, 20 identities, nights asleep, weekends off: IdP requests per identity-day, CDSE-like (offline token, 10-min access tokens)',
    value: `${a.toFixed(2)} after (all 20: ${requestsPerIdentityDay(after, () => true).toFixed(2)})`,
    baseline: `${b.toFixed(1)} before (all 20: ${requestsPerIdentityDay(before, () => true).toFixed(1)})`,
    ratioTarget: `${(b / a).toFixed(0)}× fewer / ≥ 10×`,
    verdict: verdict(b / a >= 10 && lost === 0),
  }, {
    measure: '30 days: logins lost that a client renewing at every waking moment would have kept',
    value: `${lost} of 20`,
    baseline: `before: ${before.perIdentity.filter((p) => p.lostNeedlessly).length} of 20`,
    ratioTarget: '0',
    verdict: verdict(lost === 0),
  }];
}

async function idleDay(windowOpen: boolean): Promise<{ rows: Row[]; refreshes: number }> {
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

  const refreshes = host.refreshes - atStart.refreshes;
  const laterListings = listings - atStart.listings;
  const wakeUps = clock.stats.fired - atStart.fired;
  const otherEvents = [...host.events].filter(([type]) => type !== 'state-changed').map(([t, n]) => `${t} ${n}`);
  const requestsOk = refreshes === expectedRefreshes && laterListings === 0 && atStart.refreshes === 0 && host.marks === 0;
  if (!windowOpen) return { rows: [], refreshes };
  return { refreshes, rows: [
    {
      measure: 'idle day, 20 identities (core, FakeClock), window open: network requests',
      value: `${refreshes} refreshes + ${laterListings} job listings (after the ${atStart.listings} listings at start)`,
      baseline: `${expectedRefreshes} scheduled refreshes from the lifetimes`,
      ratioTarget: `${(refreshes / expectedRefreshes).toFixed(2)}× / only the scheduled refreshes`,
      verdict: verdict(requestsOk),
    },
    {
      measure: 'idle day, 20 identities: timer wake-ups',
      value: `${wakeUps} wake-ups (${clock.stats.armed} timers armed, ${clock.stats.cleared} cleared unfired; ${otherEvents.length ? otherEvents.join(', ') : 'no events besides state changes'}; simulated in ${cpuMs.toFixed(0)} ms)`,
      baseline: `${expectedWakeUps} distinct refresh times`,
      ratioTarget: `${(wakeUps / expectedWakeUps).toFixed(2)}× / one wake-up per scheduled refresh`,
      verdict: verdict(wakeUps === expectedWakeUps && otherEvents.length === 0),
    },
  ] };
}
