/** The fake clock the lifecycle tests rely on (test/helpers/fake-clock.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, NODE_MAX_TIMER_MS } from '../../helpers/fake-clock.ts';

test('advance fires due timers in order, each at its own time; counts them', async () => {
  const clock = new FakeClock(1_000);
  const fired: Array<[string, number]> = [];
  clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
  clock.setTimeout(() => fired.push(['a', clock.now()]), 10);
  clock.setTimeout(() => fired.push(['a2', clock.now()]), 10);
  const never = clock.setTimeout(() => fired.push(['cleared', clock.now()]), 15);
  clock.clearTimeout(never);
  clock.setTimeout(() => fired.push(['late', clock.now()]), 31);
  await clock.advance(30);
  assert.deepEqual(fired, [['a', 1_010], ['a2', 1_010], ['b', 1_020]]);
  assert.equal(clock.now(), 1_030);
  assert.deepEqual(clock.stats, { armed: 5, fired: 3, cleared: 1, maxPending: 4, longestDelayMs: 31 });
  assert.equal(clock.pendingTimers, 1);
});

test('timers armed by promise continuations inside the window fire too', async () => {
  const clock = new FakeClock(0);
  const fired: number[] = [];
  clock.setTimeout(() => {
    void Promise.resolve().then(() => clock.setTimeout(() => fired.push(clock.now()), 0));
  }, 5);
  await clock.advance(5);
  assert.deepEqual(fired, [5]);
});

test('jump moves the wall clock only: timers wait on the monotonic clock', async () => {
  const clock = new FakeClock(0);
  let firedAt: number | null = null;
  clock.setTimeout(() => (firedAt = clock.now()), 100);
  clock.jump(1_000);
  await clock.runDue();
  assert.equal(firedAt, null);
  assert.deepEqual(clock.pendingTimerTimes(), [1_100]);
  await clock.advanceTo(1_100);
  assert.equal(firedAt, 1_100);
});

test('refuses what Node would silently turn into 1 ms, and runaway loops', async () => {
  const clock = new FakeClock(0);
  assert.throws(() => clock.setTimeout(() => undefined, NODE_MAX_TIMER_MS + 1), RangeError);
  assert.throws(() => clock.setTimeout(() => undefined, Number.NaN), RangeError);
  await assert.rejects(clock.advance(-1), RangeError);
  const loop = (): void => void clock.setTimeout(loop, 0);
  loop();
  await assert.rejects(clock.advance(1, 100), /more than 100 timers/);
});
