/**
 * How the window puts an identity's state into words. Durations and dates come from the same
 * pure formatters the tray uses (src/shared/format), so both say "expires in 13 days" alike.
 */
import type { IdentityStatus, RefreshTokenExpiry } from '../shared/api.ts';
import type { IdentityState } from '../shared/model.ts';
import { DAY_MS, HOUR_MS, formatDuration } from '../shared/format/relative-time.ts';
import { EXPIRING_SOON_MS, effectiveState, isExpiringSoon } from '../shared/status/look.ts';
import { loginEnd, loginEndShortWords } from '../shared/format/login-end.ts';
import { forwardLine, scriptUseLine, timesWords } from '../shared/format/script-words.ts';
import type { ForwardView, ScriptAccess, ScriptsView } from '../shared/api.ts';

export { effectiveState, timesWords };

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral';

export const STATE_WORDS: Readonly<Record<IdentityState, { label: string; tone: Tone }>> = {
  active: { label: 'Active', tone: 'ok' },
  'expiring-soon': { label: 'Expires soon', tone: 'warn' },
  expired: { label: 'Expired', tone: 'bad' },
  offline: { label: 'Offline', tone: 'warn' },
  'keychain-unavailable': { label: 'Keychain unavailable', tone: 'bad' },
  error: { label: 'Problem', tone: 'bad' },
  'signing-in': { label: 'Signing in…', tone: 'info' },
  'signed-out': { label: 'Signed out', tone: 'neutral' },
};

export function kindWords(kind: IdentityStatus['kind']): string {
  return kind === 'client-credentials' ? 'Service account' : 'Personal account';
}

/** States in which only a new login helps. */
export function needsLogin(state: IdentityState): boolean {
  return state === 'expired' || state === 'signed-out';
}

/** "9:42" or "1:02:03", for a code that is about to expire. Never negative. */
export function clockCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "4 min 32 s" under an hour, otherwise the whole-unit duration ("5 hours"). */
export function shortDuration(ms: number): string {
  if (ms >= HOUR_MS) return formatDuration(ms);
  const total = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(total / 60);
  return m > 0 ? `${m} min ${total % 60} s` : `${total} s`;
}

/** The access token's countdown: "valid for 4 min 32 s", or what happens now that it ran out. */
export function accessTokenWords(status: IdentityStatus, now: number): string {
  const at = status.accessTokenExpiresAt;
  if (at === null) return status.state === 'active' ? 'lifetime not given by the provider' : 'none at the moment';
  if (at > now) return `valid for ${shortDuration(at - now)}`;
  return needsLogin(effectiveState(status, now)) ? 'expired' : 'expired · renewed when next needed';
}

/** A date and time in the user's locale: "12 Dec 2025, 14:05". */
export function formatDateTime(at: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** "expires in 13 days", "ends if unused in 9 minutes · …", "no fixed end (offline login): …" (format/login-end.ts). */
export function refreshTokenWords(status: IdentityStatus, now: number): string {
  return loginEndShortWords(status, now);
}

/** Without the refresh token's start, the bar is drawn on this scale (full at 30 days or more). */
const FALLBACK_SCALE_MS = 30 * DAY_MS;

/** Share of the refresh token's life that is left, 0..1, or null when there is nothing to draw. */
export function timeLeftFraction(expiry: RefreshTokenExpiry, obtainedAt: number | null | undefined, now: number): number | null {
  // The bar runs to the end no use can move; a sliding window the app keeps moving has none.
  const end = loginEnd(expiry).warnAt;
  if (end === null) return null;
  const left = end - now;
  if (left <= 0) return 0;
  const total = typeof obtainedAt === 'number' && obtainedAt < end ? end - obtainedAt : Math.max(left, FALLBACK_SCALE_MS);
  return Math.min(1, left / total);
}

/**
 * Tone of the time-left bar: amber once the login is "expiring soon" by the person's warning
 * thresholds (`warnWithinMs`, the one rule of status/look.ts), red in the last day of that.
 */
export function timeLeftTone(expiry: RefreshTokenExpiry, now: number, warnWithinMs: number = EXPIRING_SOON_MS): Tone {
  const end = loginEnd(expiry).warnAt;
  if (end === null) return 'neutral';
  if (!isExpiringSoon(end, now, warnWithinMs)) return 'ok';
  return end - now <= Math.min(DAY_MS, warnWithinMs) ? 'bad' : 'warn';
}

/** A warning threshold in its own unit: "7 days", "1 day", "1 hour", "30 minutes". */
export function thresholdWords(seconds: number): string {
  const unit = seconds % 86_400 === 0 ? 'day' : seconds % 3600 === 0 ? 'hour' : 'minute';
  const size = { day: 86_400, hour: 3600, minute: 60 }[unit];
  return new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay: 'long' }).format(Math.round(seconds / size));
}

/** "Copied. The clipboard is cleared in 30 seconds." */
export function copiedWords(what: string, clearsInSeconds: number): string {
  if (clearsInSeconds <= 0) return `Copied ${what}.`;
  return `Copied ${what}. The clipboard is cleared in ${formatDuration(clearsInSeconds * 1000)}.`;
}

/**
 * Costs with their unit: "€12.50" for an ISO 4217 currency, "12.5 credits" for a backend's own
 * unit, the bare number when the backend names no unit (the page says so once).
 */
export function costWords(costs: number, currency: string | null): string {
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(costs);
    } catch {
      // not a currency Intl knows: fall through to "12.5 XYZ"
    }
  }
  const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 }).format(costs);
  return currency ? `${number} ${currency}` : number;
}

/** A job's progress in words, where the API gives one: "42 %" while running, "stopped at 80 %" after an error. */
export function progressWords(status: string, progress: number | undefined): string | null {
  if (typeof progress !== 'number') return null;
  const pct = `${Math.round(progress)} %`;
  if (status === 'running' || status === 'queued') return pct;
  if (status === 'error' || status === 'canceled') return `stopped at ${pct}`;
  return null;
}

/**
 * A login's use by scripts in one line: "Used by scripts: 14 times in the last hour, last by
 * “python (my_job.py)” (unverified name) at 14:02", or "Not used by scripts yet".
 */
export function scriptUseWords(scripts: ScriptsView, now: number): string {
  return scriptUseLine(scripts, now);
}

/** The two settings of a login's scripts, and what each change is announced as. */
export const SCRIPT_SETTING_WORDS = {
  allowed: 'Scripts may use this login',
  ask: 'Ask before a new script uses it',
  askHint: 'A script not seen in the last hour waits until you allow it, in a question from this app.',
} as const;

/** "Scripts may now use CDSE.", "CDSE now asks before a new script uses it.", "Scripts may no longer use CDSE." */
export function scriptAccessChangedWords(label: string, access: ScriptAccess): string {
  switch (access) {
    case 'allow': return `Scripts may now use ${label}.`;
    case 'ask': return `${label} now asks before a new script uses it.`;
    case 'deny': return `Scripts may no longer use ${label}.`;
  }
}

/** "Forwarded: CDSE (alice) until 18:00", the logins named as the tray names them. */
export function forwardWords(forward: ForwardView, identities: readonly IdentityStatus[], now: number): string {
  return forwardLine(forward.identities.map((i) => {
    const row = identities.find((r) => r.id === i.id);
    return { label: row?.label ?? i.label, ...(row ? { provider: row.provider } : {}) };
  }), forward.until, now);
}

/** How long a forward may last, as offered: seconds and words. */
export const FORWARD_DURATIONS: ReadonlyArray<{ seconds: number; words: string }> = [
  { seconds: 3600, words: '1 hour' },
  { seconds: 8 * 3600, words: '8 hours' },
  { seconds: 86_400, words: '1 day' },
  { seconds: 7 * 86_400, words: '7 days' },
];
