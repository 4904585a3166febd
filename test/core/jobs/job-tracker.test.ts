import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createJobTracker, JOB_POLL_BACKOFF_MS } from '../../../src/main/core/jobs/job-tracker.ts';
import type { JobTransition } from '../../../src/main/core/jobs/job-tracker.ts';
import type { BatchJob, JobStatus } from '../../../src/shared/model.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/** The shared fake clock, with the two counters these tests read. */
function sharedFakeClock() {
  const clock = new FakeClock();
  return Object.assign(clock, {
    pendingCount: () => clock.pendingTimers,
    maxPending: () => clock.stats.maxPending,
  });
}

const job = (id: string, status: JobStatus): BatchJob => ({ id, status, created: '2025-01-01T00:00:00Z' });

function setup(opts: { ids?: string[]; canPoll?: (id: string) => boolean } = {}) {
  const clock = sharedFakeClock();
  const t0 = clock.now();
  const listings = new Map<string, BatchJob[]>();
  const calls: Array<{ id: string; at: number }> = [];
  const transitions: JobTransition[] = [];
  const tracker = createJobTracker({
    clock,
    timers: clock,
    listJobs: async (id) => {
      calls.push({ id, at: clock.now() - t0 });
      return (listings.get(id) ?? []).map((j) => ({ ...j }));
    },
    canPoll: opts.canPoll ?? (() => true),
    onTransition: (e) => transitions.push(e),
    identities: () => opts.ids ?? ['a'],
  });
  return { clock, listings, calls, transitions, tracker };
}

const DAY = 24 * 3600_000;

describe('job tracker', () => {
  test('no requests over a simulated day when nothing runs (after the initial listing)', async () => {
    const { clock, listings, calls, tracker } = setup();
    listings.set('a', [job('j1', 'finished'), job('j2', 'created'), job('j3', 'error')]);
    await tracker.start();
    assert.equal(calls.length, 1);
    await clock.advance(DAY);
    assert.equal(calls.length, 1, 'listJobs was called although nothing runs');
    assert.equal(clock.pendingCount(), 0, 'a timer is armed although nothing runs');
    tracker.stop();
  });

  test('backs off 30 s → 60 s → 120 s → 300 s while a job keeps running', async () => {
    const { clock, listings, calls, tracker } = setup();
    listings.set('a', [job('j1', 'running')]);
    await tracker.start();
    await clock.advance(1_410_000);
    assert.deepEqual(
      calls.map((c) => c.at / 1000),
      [0, 30, 90, 210, 510, 810, 1110, 1410],
    );
    assert.deepEqual(JOB_POLL_BACKOFF_MS, [30_000, 60_000, 120_000, 300_000]);
    tracker.stop();
    await clock.advance(DAY);
    assert.equal(calls.length, 8, 'polled after stop()');
  });

  test('a transition resets the backoff to 30 s; polling stops once nothing runs', async () => {
    const { clock, listings, calls, transitions, tracker } = setup();
    listings.set('a', [job('j1', 'queued'), job('j2', 'running')]);
    await tracker.start(); // t=0
    await clock.advance(90_000); // polls at 30, 90
    listings.set('a', [job('j1', 'running'), job('j2', 'running')]);
    await clock.advance(120_000); // poll at 210 sees the change → next at 240
    await clock.advance(30_000);
    listings.set('a', [job('j1', 'finished'), job('j2', 'error')]);
    await clock.advance(60_000); // poll at 300 sees the end
    await clock.advance(DAY);
    assert.deepEqual(calls.map((c) => c.at / 1000), [0, 30, 90, 210, 240, 300]);
    assert.deepEqual(
      transitions.map((t) => `${t.job.id}:${t.from}->${t.to}`),
      ['j1:queued->running', 'j1:running->finished', 'j2:running->error'],
    );
  });

  test('exactly one event per status change; the first listing makes none; new jobs come from null', async () => {
    const { clock, listings, transitions, tracker } = setup();
    listings.set('a', [job('j1', 'queued')]);
    await tracker.start();
    assert.equal(transitions.length, 0, 'baseline must not notify');
    listings.set('a', [job('j1', 'running')]);
    await clock.advance(30_000);
    await clock.advance(30_000); // j1 still running: no repeat
    listings.set('a', [job('j1', 'running'), job('j2', 'queued')]);
    await tracker.refreshNow('a');
    listings.set('a', [job('j1', 'canceled'), job('j2', 'queued')]);
    await clock.advance(300_000);
    await tracker.refreshNow();
    assert.deepEqual(
      transitions.map((t) => [t.identityId, t.job.id, t.from, t.to]),
      [
        ['a', 'j1', 'queued', 'running'],
        ['a', 'j2', null, 'queued'],
        ['a', 'j1', 'running', 'canceled'],
      ],
    );
    assert.deepEqual(tracker.jobs('a').map((j) => j.status), ['canceled', 'queued']);
  });

  test('never requests while canPoll is false, resumes when it is true again', async () => {
    let allowed = false;
    const { clock, listings, calls, tracker } = setup({ canPoll: () => allowed });
    listings.set('a', [job('j1', 'running')]);
    await tracker.start();
    await tracker.refreshNow('a');
    await clock.advance(DAY);
    assert.equal(calls.length, 0, 'listed without a usable token');

    allowed = true;
    await tracker.refreshNow('a');
    assert.equal(calls.length, 1);
    allowed = false;
    await clock.advance(DAY);
    assert.equal(calls.length, 1, 'polled while the token was unusable');
    allowed = true;
    await clock.advance(Math.max(...JOB_POLL_BACKOFF_MS));
    assert.equal(calls.length, 2, 'did not resume once the token was usable again');
    tracker.stop();
  });

  test('one timer at a time across identities; each identity keeps its own schedule', async () => {
    const { clock, listings, calls, tracker } = setup({ ids: ['a', 'b', 'c'] });
    listings.set('a', [job('a1', 'running')]);
    listings.set('b', [job('b1', 'queued')]);
    listings.set('c', [job('c1', 'finished')]);
    await tracker.start();
    await clock.advance(210_000);
    const at = (id: string) => calls.filter((c) => c.id === id).map((c) => c.at / 1000);
    assert.deepEqual(at('a'), [0, 30, 90, 210]);
    assert.deepEqual(at('b'), [0, 30, 90, 210]);
    assert.deepEqual(at('c'), [0]);
    assert.equal(clock.maxPending(), 1, 'more than one timer was armed at once');
    tracker.stop();
    assert.equal(clock.pendingCount(), 0);
  });

  test('a failed listing keeps the last jobs, is reported, and the backoff continues', async () => {
    const clock = sharedFakeClock();
    const errors: string[] = [];
    let fail = false;
    let calls = 0;
    const tracker = createJobTracker({
      clock,
      timers: clock,
      listJobs: async () => {
        calls++;
        if (fail) throw new Error('backend down');
        return [job('j1', 'running')];
      },
      canPoll: () => true,
      onTransition: () => assert.fail('no transition expected'),
      identities: () => ['a'],
      onError: (id) => errors.push(id),
    });
    await tracker.start();
    fail = true;
    await clock.advance(90_000);
    assert.equal(calls, 3);
    assert.deepEqual(errors, ['a', 'a']);
    assert.deepEqual(tracker.jobs('a').map((j) => j.id), ['j1']);
    tracker.stop();
  });
});
