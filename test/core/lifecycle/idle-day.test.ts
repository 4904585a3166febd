/**
 * A day of the real lifecycle and job tracker on a fake clock, 20 identities (see
 * test/helpers/idle-day-sim.ts): with the window open only the refreshes the token lifetimes call
 * for, one timer wake-up per refresh time, nothing else; with it closed, keep-alives only.
 * `npm run bench` reports the same figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateIdleDay } from '../../helpers/idle-day-sim.ts';

test('window open: exactly the scheduled refreshes and one wake-up per refresh time', async () => {
  const day = await simulateIdleDay(true);
  assert.equal(day.refreshesAtStart, 0, 'nothing is due when the day starts');
  assert.equal(day.refreshes, day.expectedRefreshes);
  assert.equal(day.wakeUps, day.expectedWakeUps);
  assert.equal(day.laterListings, 0, 'finished jobs are not listed again');
  assert.equal(day.marks, 0);
  assert.deepEqual(day.otherEvents, []);
});

test('window closed: at least ten times fewer requests, still some (keep-alives)', async () => {
  const open = await simulateIdleDay(true);
  const closed = await simulateIdleDay(false);
  assert.ok(closed.refreshes > 0, 'offline and sliding logins are kept alive');
  assert.ok(closed.refreshes * 10 <= open.refreshes, `${closed.refreshes} vs ${open.refreshes}`);
});
