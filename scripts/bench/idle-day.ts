/**
 * The idle cost of the core over one simulated day (test/helpers/idle-day-sim.ts, asserted by
 * test/core/lifecycle/idle-day.test.ts) with the window open and closed, and the 30-day
 * keep-alive simulation (test/helpers/keep-alive-sim.ts): requests per identity-day.
 */
import { simulateIdleDay } from '../../test/helpers/idle-day-sim.ts';
import { requestsPerIdentityDay, simulateKeepAlive } from '../../test/helpers/keep-alive-sim.ts';
import { verdict, type Row } from './table.ts';

export async function idleDayRows(): Promise<Row[]> {
  const open = await simulateIdleDay(true);
  const closed = await simulateIdleDay(false);
  const requestsOk = open.refreshes === open.expectedRefreshes && open.laterListings === 0 && open.refreshesAtStart === 0 && open.marks === 0;
  return [
    {
      measure: 'idle day, 20 identities (core, FakeClock), window open: network requests',
      value: `${open.refreshes} refreshes + ${open.laterListings} job listings (after the ${open.listingsAtStart} listings at start)`,
      baseline: `${open.expectedRefreshes} scheduled refreshes from the lifetimes`,
      ratioTarget: `${(open.refreshes / open.expectedRefreshes).toFixed(2)}× / only the scheduled refreshes`,
      verdict: verdict(requestsOk),
    },
    {
      measure: 'idle day, 20 identities: timer wake-ups',
      value: `${open.wakeUps} wake-ups (${open.timersArmed} timers armed, ${open.timersCleared} cleared unfired; ${open.otherEvents.length ? open.otherEvents.join(', ') : 'no events besides state changes'}; simulated in ${open.cpuMs.toFixed(0)} ms)`,
      baseline: `${open.expectedWakeUps} distinct refresh times`,
      ratioTarget: `${(open.wakeUps / open.expectedWakeUps).toFixed(2)}× / one wake-up per scheduled refresh`,
      verdict: verdict(open.wakeUps === open.expectedWakeUps && open.otherEvents.length === 0),
    },
    {
      measure: 'idle day, 20 identities, window closed (keep-alive only): network requests',
      value: `${closed.refreshes} refreshes (${(closed.refreshes / 20).toFixed(2)} per identity-day)`,
      baseline: `window open (80% rule): ${open.refreshes} (${(open.refreshes / 20).toFixed(1)} per identity-day)`,
      ratioTarget: `${(open.refreshes / Math.max(1, closed.refreshes)).toFixed(0)}× fewer`,
      verdict: verdict(closed.refreshes * 10 <= open.refreshes),
    },
    ...await thirtyDayRows(),
  ];
}

/** The 30-day simulation: before (80% rule at all times) and after (keep-alive), per identity-day. */
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

