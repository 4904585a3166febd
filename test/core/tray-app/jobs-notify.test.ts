/**
 * Batch-job notifications and polling in the real app core (real settings file, real keychain,
 * real oidc-provider and fixture backend), on a fake clock so that hours pass in milliseconds.
 *
 * The fake clock and the IdP: the IdP stamps tokens with the REAL clock, the app computes expiry
 * times with the FAKE one. So the IdP's lifetimes are chosen to hold for the real seconds a test
 * takes (they always do), while the app's view of them is driven by the fake clock: access tokens
 * of an hour (the app refreshes them about every 48 simulated minutes, for real, at the IdP) and a
 * 30-day login (so no expiry warning or expiry falls into the simulated day). Each fake-clock step
 * fires one timer; the test then waits (bounded, real time) for what that timer started — a job
 * listing, a token refresh — to finish before taking the next step, so no timer is skipped while
 * the real I/O it caused is under way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { approveDevice } from '../../fixtures/device-user.ts';
import { startAppCore, type AppCoreHarness } from '../../helpers/app-core.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { refreshDueAt } from '../../../src/main/core/lifecycle/schedule.ts';
import { readSettingsFast } from '../../../src/main/core/settings/settings-file.ts';
import type { TrayMenuItem } from '../../../src/main/core/tray/menu-item.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Waits (real time, bounded) until `ok()` holds. */
async function waitFor(ok: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const jobListings = (h: AppCoreHarness): Array<{ path: string; auth: string }> => h.backend.requests.filter((r) => r.path.startsWith('/openeo/1.2/jobs'));

/** The labels of the identity's "Jobs" submenu in the tray. */
function trayJobLines(h: AppCoreHarness, identityId: string): string[] {
  const find = (items: TrayMenuItem[]): TrayMenuItem | undefined => {
    for (const item of items) {
      if (item.id === `${identityId}:jobs`) return item;
      const inner = item.submenu && find(item.submenu);
      if (inner) return inner;
    }
    return undefined;
  };
  const menu = find(h.core.trayMenu());
  return menu ? [menu.label, ...(menu.submenu ?? []).map((i) => i.label)] : [];
}

/** Signs alice in through the window's API; the "Signed in" notification is taken off the list. */
async function signIn(h: AppCoreHarness): Promise<string> {
  const started = await h.api.startDeviceLogin({ backendUrl: h.backend.url });
  assert.ok(started.ok, JSON.stringify(started));
  await approveDevice(started.value.verificationUriComplete!);
  const done = await h.api.awaitLogin(started.value.loginId);
  assert.ok(done.ok, JSON.stringify(done));
  assert.deepEqual(h.notifications.map((n) => n.title), ['Signed in to Fixture openEO backend']);
  h.notifications.length = 0;
  return done.value.identityId;
}

/** Fires the earliest pending timer (fake time jumps to it); returns its time. */
async function fireNextTimer(clock: FakeClock): Promise<number> {
  const next = clock.pendingTimerTimes()[0];
  assert.ok(next !== undefined, 'a timer is pending');
  await clock.advanceTo(next);
  return next;
}

/** The app has finished any token refresh that was due (the lifecycle's work after its timer). */
function noRefreshDue(h: AppCoreHarness, clock: FakeClock): boolean {
  return readSettingsFast(h.dir).identities.every((i) => {
    // The window is not open: the lifecycle's refreshes are keep-alives.
    const due = refreshDueAt(i, {}, clock.now())?.at ?? null;
    return due === null || due > clock.now();
  });
}

function newClock(): FakeClock {
  return new FakeClock(Date.now());
}

const IDP = { accessTokenTtl: 3600, refreshTokenTtl: 30 * 24 * 3600 };

describe('batch jobs in the app core (fake clock)', () => {
  let h: AppCoreHarness;
  let clock: FakeClock;
  let id: string;

  before(async () => {
    clock = newClock();
    h = await startAppCore({ clock, idp: IDP });
  });
  after(async () => {
    await h.stop();
  });

  test('queued → running → finished, running → error, queued → canceled: exactly one notification each, opening the jobs page', async () => {
    h.backend.addJob('alice', { id: 'f-1', title: 'NDVI', status: 'queued' });
    h.backend.addJob('alice', { id: 'e-1', title: 'Mosaic', status: 'running', progress: 10 });
    h.backend.addJob('alice', { id: 'c-1', title: 'Export', status: 'queued' });
    h.backend.addJob('alice', { id: 'old-1', title: 'Done long ago', status: 'finished' });
    id = await signIn(h);
    // The first listing is the baseline: no notification for what was already there.
    await waitFor(() => trayJobLines(h, id)[0] === 'Jobs (3 in progress)', 'the baseline listing in the tray');
    await waitFor(() => clock.pendingTimers === 2, 'the lifecycle timer and the job poll timer');

    h.backend.updateJob('alice', 'f-1', { status: 'running', progress: 0 });
    let listings = jobListings(h).length;
    const firstPoll = await fireNextTimer(clock);
    await waitFor(() => jobListings(h).length === listings + 1 && clock.pendingTimers === 2, 'the first poll, and the next one armed');
    await waitFor(() => trayJobLines(h, id).includes('NDVI — running 0%'), 'NDVI running in the tray');
    assert.equal(h.notifications.length, 0, 'a job that starts running is not announced');

    h.backend.updateJob('alice', 'f-1', { status: 'finished', progress: 100, costs: 3 });
    h.backend.updateJob('alice', 'e-1', { status: 'error' });
    h.backend.updateJob('alice', 'c-1', { status: 'canceled' });
    listings = jobListings(h).length;
    const secondPoll = await fireNextTimer(clock);
    assert.equal(secondPoll - firstPoll, 30_000, 'after a change the next poll comes 30 s later');
    await waitFor(() => h.notifications.length >= 3 && clock.pendingTimers === 1, 'three notifications, and no more job polls armed');

    const jobsPage = { page: 'jobs', identityId: id };
    assert.deepEqual(h.notifications.map((n) => [n.title, n.onClick]), [
      ['Job finished: NDVI', jobsPage],
      ['Job failed: Mosaic', jobsPage],
      ['Job canceled: Export', jobsPage],
    ]);
    assert.match(h.notifications[0]!.body, /on 127\.0\.0\.1.*Costs: 3\./);

    // Listing again (resume from sleep, later polls) announces nothing twice.
    listings = jobListings(h).length;
    h.core.resume();
    await waitFor(() => jobListings(h).length > listings, 'the listing after resume');
    for (let i = 0; i < 3; i++) {
      await fireNextTimer(clock);
      await waitFor(() => noRefreshDue(h, clock) && clock.pendingTimers >= 1, 'the refresh after the lifecycle timer');
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // let any listing started meanwhile land
    // (The later lifecycle timers are now the 30-day login's expiry warnings: nothing needs a refresh.)
    const jobNotices = h.notifications.filter((n) => n.title.startsWith('Job '));
    assert.equal(jobNotices.length, 3, `exactly one notification per transition: ${JSON.stringify(h.notifications.map((n) => n.title))}`);
    assert.ok(jobListings(h).every((r) => r.auth === 'valid'), 'never listed with an invalid token');
  });
});

describe('job polling (fake clock)', () => {
  let h: AppCoreHarness;
  let clock: FakeClock;

  before(async () => {
    clock = newClock();
    h = await startAppCore({ clock, idp: IDP });
  });
  after(async () => {
    await h.stop();
  });

  test('polls with backoff while a job runs, then not at all for a simulated day', async () => {
    h.backend.addJob('alice', { id: 'r-1', title: 'Long run', status: 'running', progress: 1 });
    const id = await signIn(h);
    await waitFor(() => clock.pendingTimers === 2, 'the baseline listing armed the poll timer');
    const baselineAt = clock.now();

    // While it runs: 30 s, then 60 s, 120 s and every 5 minutes (no change seen).
    const pollOffsets: number[] = [];
    while (clock.pendingTimerTimes()[0]! - baselineAt <= 30 * MINUTE) {
      const listings = jobListings(h).length;
      const at = await fireNextTimer(clock);
      await waitFor(() => jobListings(h).length === listings + 1 && clock.pendingTimers === 2, 'a poll, and the next one armed');
      pollOffsets.push((at - baselineAt) / 1000);
    }
    assert.deepEqual(pollOffsets, [30, 90, 210, 510, 810, 1110, 1410, 1710]);

    h.backend.updateJob('alice', 'r-1', { status: 'finished', progress: 100 });
    await fireNextTimer(clock);
    await waitFor(() => h.notifications.length === 1 && clock.pendingTimers === 1, 'the finish noticed; job polling stopped');
    assert.equal(h.notifications[0]!.title, 'Job finished: Long run');

    // Nothing runs: a whole simulated day without a single job listing. The window is not open,
    // so the lifecycle refreshes only to keep the login alive: its 30-day end is not yet known to
    // be fixed, so it renews once, learns that the end did not move, and stops — instead of
    // renewing at every access token's 80%.
    const quietFrom = jobListings(h).length;
    const refreshesBefore = h.idp.counters.byGrant['refresh_token'] ?? 0;
    const end = clock.now() + 24 * HOUR;
    while ((clock.pendingTimerTimes()[0] ?? Infinity) <= end) {
      await fireNextTimer(clock);
      await waitFor(() => noRefreshDue(h, clock) && clock.pendingTimers >= 1, 'the lifecycle\'s refresh finished and re-armed');
    }
    await clock.advanceTo(end);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let any request started by the last step land
    const refreshes = (h.idp.counters.byGrant['refresh_token'] ?? 0) - refreshesBefore;
    assert.equal(refreshes, 1, `one keep-alive refresh in the day (${refreshes} refreshes)`);
    const expiry = h.core.statuses().find((s) => s.id === id)?.refreshTokenExpiry;
    assert.equal(expiry?.kind === 'at' ? expiry.end : expiry?.kind, 'fixed', 'the refresh showed that the end does not move');
    assert.deepEqual(jobListings(h).slice(quietFrom).map((r) => r.path), [], 'no job listing at all while nothing runs');
    assert.equal(h.core.statuses().find((s) => s.id === id)?.state, 'active');
  });
});
