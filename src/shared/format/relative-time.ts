/**
 * Human wording for "how long until / since": "in 13 days", "in 5 hours", "2 days ago",
 * "7 minutes". Words come from Intl, so the locale only changes the language, never the rules.
 */

/** Locale and time zone for every human-facing date or duration; both default to the system's. */
export interface FormatOptions {
  /** BCP 47 tag, e.g. `en-GB`. */
  locale?: string;
  /** IANA zone, e.g. `Europe/Berlin`; tests pass `UTC`. */
  timeZone?: string;
}

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

type Unit = 'second' | 'minute' | 'hour' | 'day';

/**
 * The largest unit that still reads naturally, and the whole count of it. Counts round toward
 * zero: "in 13 days" while 13.9 days remain, so a warning never promises more time than is left.
 * Hours are used up to two days ("in 36 hours" says more than "in 1 day").
 */
function wholeUnits(ms: number): { value: number; unit: Unit } {
  const abs = Math.abs(ms);
  if (abs < MINUTE_MS) return { value: Math.floor(abs / SECOND_MS), unit: 'second' };
  if (abs < HOUR_MS) return { value: Math.floor(abs / MINUTE_MS), unit: 'minute' };
  if (abs < 2 * DAY_MS) return { value: Math.floor(abs / HOUR_MS), unit: 'hour' };
  return { value: Math.floor(abs / DAY_MS), unit: 'day' };
}

/**
 * `at` relative to `now`: "in 13 days", "in 5 hours", "in 3 minutes", "2 days ago";
 * "now" when less than a second apart.
 */
export function formatRelative(at: number, now: number, opts: FormatOptions = {}): string {
  const diff = at - now;
  const { value, unit } = wholeUnits(diff);
  if (value === 0) {
    return new Intl.RelativeTimeFormat(opts.locale, { numeric: 'auto' }).format(0, 'second');
  }
  return new Intl.RelativeTimeFormat(opts.locale, { numeric: 'always' }).format(diff < 0 ? -value : value, unit);
}

/** A length of time without direction: "7 minutes", "2 days", "1 hour". */
export function formatDuration(ms: number, opts: FormatOptions = {}): string {
  const { value, unit } = wholeUnits(ms);
  return new Intl.NumberFormat(opts.locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}
