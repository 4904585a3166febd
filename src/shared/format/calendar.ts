/**
 * Calendar wording: "12 Dec" (with the year only when it is not this year), "10:42",
 * and "10:42" / "12 Dec, 10:42" for "since when". Locale and time zone are injectable so tests
 * are deterministic; by default both are the system's.
 */
import type { FormatOptions } from './relative-time.ts';

function parts(at: number, opts: FormatOptions): { year: string; month: string; day: string } {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone: opts.timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
  });
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    fmt.formatToParts(at).find((p) => p.type === type)?.value ?? '';
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** Whether two instants fall on the same calendar day in the chosen time zone. */
export function isSameDay(a: number, b: number, opts: FormatOptions = {}): boolean {
  const pa = parts(a, opts);
  const pb = parts(b, opts);
  return pa.year === pb.year && pa.month === pb.month && pa.day === pb.day;
}

/** A day: "12 Dec" (en-GB), with the year when `at` is not in the same year as `now`: "12 Dec 2026". */
export function formatDay(at: number, now: number, opts: FormatOptions = {}): string {
  const sameYear = parts(at, opts).year === parts(now, opts).year;
  return new Intl.DateTimeFormat(opts.locale, {
    timeZone: opts.timeZone, day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }),
  }).format(at);
}

/** A clock time: "10:42" (en-GB), "10:42 AM" (en-US). */
export function formatTime(at: number, opts: FormatOptions = {}): string {
  return new Intl.DateTimeFormat(opts.locale, { timeZone: opts.timeZone, hour: '2-digit', minute: '2-digit' }).format(at);
}

/**
 * A moment for "since …" or "until …": the time alone when it is today ("10:42"), otherwise day
 * and time ("12 Dec, 10:42"), with the year when it is not this year.
 */
export function formatSince(at: number, now: number, opts: FormatOptions = {}): string {
  if (isSameDay(at, now, opts)) return formatTime(at, opts);
  const sameYear = parts(at, opts).year === parts(now, opts).year;
  return new Intl.DateTimeFormat(opts.locale, {
    timeZone: opts.timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(at);
}
