/**
 * The Jobs page's refresh of running jobs (src/renderer/job-refresh.ts) on a fake clock: only while
 * it may run, slower while nothing changes, back to the start on a change, patient after failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_REFRESH_MS, jobRefresher, nextRefreshDelay, type RefreshOutcome } from '../../src/renderer/job-refresh.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

test('the waits: 10 s, ×1.5 while nothing changes up to 2 min, 10 s after a change, 30 s doubling to 5 min after failures', () => {
  const waits: number[] = [];
  let d: number | null = null;
  for (let i = 0; i < 8; i++) waits.push(d = nextRefreshDelay(d ?? JOB_REFRESH_MS.first, 'unchanged'));
  assert.deepEqual(waits, [15_000, 22_500, 33_750, 50_625, 75_938, 113_907, 120_000, 120_000]);
  assert.equal(nextRefreshDelay(120_000, 'changed'), 10_000);
  assert.deepEqual([nextRefreshDelay(10_000, 'failed'), nextRefreshDelay(30_000, 'failed'), nextRefreshDelay(240_000, 'failed')], [30_000, 60_000, 300_000]);
});

function harness(outcomes: RefreshOutcome[]) {
  const clock = new FakeClock();
  const at: number[] = [];
  let may = true;
  const start = clock.now();
  const refresher = jobRefresher({
    timers: clock,
    shouldRun: () => may,
    refresh: async () => {
      at.push((clock.now() - start) / 1000);
      return outcomes.shift() ?? 'unchanged';
    },
  });
  return { clock, at, refresher, set: (v: boolean) => { may = v; } };
}

test('runs while it may, with the waits above; a change starts over', async () => {
  const h = harness(['unchanged', 'unchanged', 'changed', 'unchanged']);
  h.refresher.sync();
  await h.clock.advance(70_000);
  assert.deepEqual(h.at, [10, 25, 47.5, 57.5]);
  h.refresher.stop();
  assert.equal(h.clock.pendingTimers, 0);
});

test('not while it may not (page hidden, window hidden, nothing running): no timer at all, and it picks up again', async () => {
  const h = harness([]);
  h.set(false);
  h.refresher.sync();
  await h.clock.advance(600_000);
  assert.deepEqual(h.at, []);
  assert.equal(h.clock.pendingTimers, 0, 'nothing armed');
  h.set(true);
  h.refresher.sync();
  await h.clock.advance(10_000);
  assert.deepEqual(h.at, [610]);
  // Hidden while a refresh is planned: the timer goes; back again: planned afresh.
  h.set(false);
  h.refresher.sync();
  assert.equal(h.clock.pendingTimers, 0);
  h.set(true);
  h.refresher.sync();
  assert.equal(h.refresher.plannedMs, 15_000);
  h.refresher.stop();
});

test('a failing backend: 30 s, then 1 min, 2 min, 4 min, 5 min between tries', async () => {
  const h = harness(Array(6).fill('failed'));
  h.refresher.sync();
  await h.clock.advance(10_000 + 30_000 + 60_000 + 120_000 + 240_000 + 300_000);
  assert.deepEqual(h.at, [10, 40, 100, 220, 460, 760]);
  h.refresher.stop();
});

test('restart after a reload: the shortest wait again; a refresh that throws counts as failed', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const refresher = jobRefresher({ timers: clock, shouldRun: () => true, refresh: () => { calls++; return Promise.reject(new Error('boom')); } });
  refresher.sync();
  await clock.advance(10_000);
  assert.equal([calls, refresher.plannedMs].join(), '1,30000');
  refresher.restart();
  assert.equal(refresher.plannedMs, 10_000);
  refresher.stop();
});
