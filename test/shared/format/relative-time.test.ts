import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, formatDuration, formatRelative } from '../../../src/shared/format/relative-time.ts';

const en = { locale: 'en-GB', timeZone: 'UTC' };
const now = Date.UTC(2025, 10, 29, 9, 0, 0);

describe('formatRelative', () => {
  test('future in the largest natural unit', () => {
    assert.equal(formatRelative(now + 13 * DAY_MS, now, en), 'in 13 days');
    assert.equal(formatRelative(now + 5 * HOUR_MS, now, en), 'in 5 hours');
    assert.equal(formatRelative(now + 3 * MINUTE_MS, now, en), 'in 3 minutes');
    assert.equal(formatRelative(now + 42 * SECOND_MS, now, en), 'in 42 seconds');
  });

  test('past reads "ago"', () => {
    assert.equal(formatRelative(now - 2 * DAY_MS, now, en), '2 days ago');
    assert.equal(formatRelative(now - 1 * HOUR_MS, now, en), '1 hour ago');
  });

  test('rounds toward zero, so a warning never promises more time than is left', () => {
    assert.equal(formatRelative(now + 13 * DAY_MS + 23 * HOUR_MS, now, en), 'in 13 days');
    assert.equal(formatRelative(now + 59 * MINUTE_MS + 59 * SECOND_MS, now, en), 'in 59 minutes');
  });

  test('hours up to two days, then days', () => {
    assert.equal(formatRelative(now + 36 * HOUR_MS, now, en), 'in 36 hours');
    assert.equal(formatRelative(now + 2 * DAY_MS, now, en), 'in 2 days');
  });

  test('less than a second apart is "now"', () => {
    assert.equal(formatRelative(now + 400, now, en), 'now');
    assert.equal(formatRelative(now - 400, now, en), 'now');
  });

  test('the locale changes the language', () => {
    assert.equal(formatRelative(now + 3 * DAY_MS, now, { locale: 'de-DE' }), 'in 3 Tagen');
  });
});

describe('formatDuration', () => {
  test('a length of time without direction', () => {
    assert.equal(formatDuration(7 * MINUTE_MS + 5 * SECOND_MS, en), '7 minutes');
    assert.equal(formatDuration(-2 * DAY_MS, en), '2 days');
    assert.equal(formatDuration(HOUR_MS, en), '1 hour');
  });
});
