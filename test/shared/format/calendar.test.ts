import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatDay, formatSince, formatTime, isSameDay } from '../../../src/shared/format/calendar.ts';

const en = { locale: 'en-GB', timeZone: 'UTC' };
const now = Date.UTC(2025, 10, 29, 9, 0);

describe('calendar wording', () => {
  test('a day this year has no year; another year has one', () => {
    assert.equal(formatDay(Date.UTC(2025, 11, 12, 15, 0), now, en), '12 Dec');
    assert.equal(formatDay(Date.UTC(2026, 0, 3), now, en), '3 Jan 2026');
  });

  test('a time is hours and minutes', () => {
    assert.equal(formatTime(Date.UTC(2025, 10, 29, 10, 42, 59), en), '10:42');
    assert.equal(formatTime(Date.UTC(2025, 10, 29, 22, 5), { locale: 'en-US', timeZone: 'UTC' }), '10:05 PM');
  });

  test('the time zone decides the day and the hour', () => {
    const at = Date.UTC(2025, 11, 31, 23, 30);
    assert.equal(formatDay(at, now, en), '31 Dec');
    assert.equal(formatDay(at, now, { locale: 'en-GB', timeZone: 'Europe/Berlin' }), '1 Jan 2026');
    assert.equal(formatTime(at, { locale: 'en-GB', timeZone: 'Asia/Tokyo' }), '08:30');
  });

  test('"since" is the time alone today, day and time otherwise', () => {
    assert.equal(formatSince(Date.UTC(2025, 10, 29, 8, 12), now, en), '08:12');
    assert.equal(formatSince(Date.UTC(2025, 10, 28, 10, 42), now, en), '28 Nov, 10:42');
    assert.equal(formatSince(Date.UTC(2024, 10, 28, 10, 42), now, en), '28 Nov 2024, 10:42');
  });

  test('isSameDay follows the time zone', () => {
    const a = Date.UTC(2025, 10, 29, 23, 30);
    const b = Date.UTC(2025, 10, 29, 0, 30);
    assert.equal(isSameDay(a, b, { timeZone: 'UTC' }), true);
    assert.equal(isSameDay(a, b, { timeZone: 'Europe/Berlin' }), false);
  });
});
