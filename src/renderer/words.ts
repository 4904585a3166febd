/**
 * The window's sentences, in one place: states, the one line per account that says when to act,
 * the login's end in full, jobs, credits and costs — with English plural rules ("1 credit",
 * "14 times"). Durations and dates come from the same pure formatters as the tray's
 * (src/shared/format), so both say "in 13 days" alike. The "expiring soon" rule is the person's
 * thresholds (`warnWithinMs`, status/look.ts), never a fixed number of days.
 */
import type { BatchJob, ForwardView, IdentityStatus, ScriptAccess, ScriptsView } from '../shared/api.ts';
import type { IdentityState } from '../shared/model.ts';
import { formatDay, formatSince } from '../shared/format/calendar.ts';
import { formatDuration, formatRelative } from '../shared/format/relative-time.ts';
import { effectiveState } from '../shared/status/look.ts';
import { loginEnd } from '../shared/format/login-end.ts';
import { forwardLine, scriptUseLine, timesWords } from '../shared/format/script-words.ts';

export { effectiveState, timesWords };

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral';

const PLURAL = new Intl.PluralRules('en');

/** A number with its noun, by English plural rules: "1 credit", "12.5 credits", "0 jobs". */
export function counted(n: number, one: string, other: string): string {
  const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 }).format(n);
  return `${number} ${PLURAL.select(n) === 'one' ? one : other}`;
}

export function kindWords(kind: IdentityStatus['kind']): string {
  return kind === 'client-credentials' ? 'Service account' : 'Personal account';
}

/** States in which only a new login helps. */
export function needsLogin(state: IdentityState): boolean {
  return state === 'expired' || state === 'signed-out';
}

/**
 * The one line under an account's name that says where it stands and when to act: "Signed in ·
 * renews itself", "Sign in again within 3 days", "Ended — sign in again". "No connection" is the
 * network; a Keycloak offline token is never called "offline" here.
 */
export function accountStateLine(identity: IdentityStatus, now: number): { text: string; tone: Tone } {
  const end = loginEnd(identity.refreshTokenExpiry);
  switch (effectiveState(identity, now)) {
    case 'active':
      if (end.type === 'none' && identity.kind === 'personal') {
        return { text: 'Signed in · sign in again when the access token runs out', tone: 'ok' };
      }
      return { text: end.warnAt === null ? 'Signed in · renews itself' : `Signed in · renews itself until ${formatDay(end.warnAt, now)}`, tone: 'ok' };
    case 'expiring-soon':
      return { text: end.warnAt === null ? 'Sign in again soon' : `Sign in again within ${formatDuration(end.warnAt - now)}`, tone: 'warn' };
    case 'expired':
      return { text: 'Ended — sign in again', tone: 'bad' };
    case 'signed-out':
      return { text: 'Signed out — sign in again to use it', tone: 'neutral' };
    case 'signing-in':
      return { text: 'Signing in — finish it on the sign-in page', tone: 'info' };
    case 'offline':
      return {
        text: identity.offlineSince === null ? 'No connection — retrying by itself' : `No connection since ${formatSince(identity.offlineSince, now)} — retrying by itself`,
        tone: 'warn',
      };
    case 'keychain-unavailable':
      return identity.problem?.code === 'KEYCHAIN_UNAVAILABLE'
        ? { text: 'No usable keychain — its tokens cannot be read', tone: 'bad' }
        : { text: 'Keychain locked — unlock it to continue', tone: 'bad' };
    case 'error':
      return identity.kind === 'client-credentials'
        ? { text: 'Getting tokens fails — try again, or give it a new secret', tone: 'bad' }
        : { text: 'Renewing fails — try again, or sign in again', tone: 'bad' };
  }
}

/** A date and time in the user's locale: "12 Dec 2025, 14:05". */
export function formatDateTime(at: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** "12 Dec 2025, 14:05 (in 13 days)". */
function dateAndDistance(at: number, now: number): string {
  return `${formatDateTime(at)} (${formatRelative(at, now)})`;
}

/**
 * The login's end in full, for the account's details. Each date belongs to what it says: on a
 * sliding login, "ends if unused" has the idle end and "at the latest" the maximum.
 */
export function loginEndWords(identity: IdentityStatus, now: number): string {
  const end = loginEnd(identity.refreshTokenExpiry);
  switch (end.type) {
    case 'absolute':
    case 'unconfirmed':
      return end.endsAt! > now
        ? `Renews itself until ${dateAndDistance(end.endsAt!, now)}; then sign in again.`
        : `Ended ${dateAndDistance(end.endsAt!, now)}.`;
    case 'sliding': {
      if (end.endsAt! <= now) return `Ended unused ${dateAndDistance(end.endsAt!, now)}.`;
      const unused = `Ends if unused by ${formatSince(end.endsAt!, now)}; each use moves that on, and this app uses it in time while it runs.`;
      return end.absoluteAt === null ? unused : `${unused} At the latest ${dateAndDistance(end.absoluteAt, now)}; then sign in again.`;
    }
    case 'while-used':
      return 'No fixed end: it lasts while it is used, and this app uses it at least once a day while it runs.';
    case 'unknown':
      return 'The identity provider does not say when it ends.';
    case 'none':
      return identity.kind === 'client-credentials'
        ? 'Nothing to renew: new tokens come from the client secret in the keychain.'
        : 'No refresh token: sign in again when the access token runs out.';
  }
}

/** "09:12 (48 minutes ago)", "27 Nov, 10:00 (2 days ago)", or that it has not been renewed yet. */
export function lastRenewedWords(at: number | null | undefined, now: number): string {
  return typeof at === 'number' ? `${formatSince(at, now)} (${formatRelative(at, now)})` : 'Not yet';
}

/** "9:42" or "1:02:03", for a code that is about to expire. Never negative. */
export function clockCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** What the success panel says a new login does from now on: only what is true of it. */
export function signedInWords(identity: IdentityStatus, now: number): string {
  const end = loginEnd(identity.refreshTokenExpiry);
  if (identity.kind === 'client-credentials') {
    return 'New access tokens come from the client secret in the keychain, so there is nothing to renew. If the secret is revoked, this window says so.';
  }
  if (end.warnAt !== null) {
    return `It renews itself until ${formatDay(end.warnAt, now)}; the tray shows when to sign in again before then.`;
  }
  return end.type === 'none' ? 'It has no refresh token: sign in again when the access token runs out.' : 'It renews itself while this app runs.';
}

/**
 * Which backend a sign-in is for, said on the sign-in panels: "Signing in to Copernicus Data Space
 * Ecosystem (openeo.dataspace.copernicus.eu) with EGI Check-in"; the provider is left out when it
 * has the backend's name.
 */
export function signingInToWords(backendName: string, host: string, provider: string | undefined): string {
  const backend = backendName === host ? host : `${backendName} (${host})`;
  return provider && provider !== backendName ? `Signing in to ${backend} with ${provider}` : `Signing in to ${backend}`;
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

/** What each way of copying a token gives, for the Copy menu. */
export const COPY_WORDS = {
  'access-token': { label: 'Access token', hint: 'The token alone, for tools that add “Bearer” themselves', words: 'the access token' },
  bearer: { label: 'openEO bearer token', hint: 'What openEO clients send after “Bearer”', words: 'the openEO bearer token' },
  'authorization-header': { label: 'Authorization header', hint: 'The whole “Authorization: Bearer …” line, for curl -H', words: 'the Authorization header' },
  'python-snippet': { label: 'Python snippet', hint: 'Code that connects with this login; its token renews itself', words: 'the Python snippet' },
  'refresh-token': { label: 'Refresh token…', hint: 'Signs in as you until it ends; asks first', words: 'the refresh token' },
} as const;

/** A backend's own unit of costs ("credits"), counted: "1 credit", "12.5 credits". */
function unitWords(n: number, unit: string): string {
  if (/^credits?$/i.test(unit)) return counted(n, 'credit', 'credits');
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 }).format(n)} ${unit}`;
}

/**
 * Costs with their unit: "€12.50" for an ISO 4217 currency, "1 credit" / "12.5 credits" for a
 * backend's own unit, the bare number when the backend names no unit (the page says so once).
 */
export function costWords(costs: number, currency: string | null): string {
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(costs);
    } catch {
      // not a currency Intl knows: fall through to "12.5 XYZ"
    }
  }
  return currency ? unitWords(costs, currency) : new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 }).format(costs);
}

/** A balance as the backend reports it: "9,520 credits", "1 credit". */
export function balanceWords(budget: number): string {
  return counted(budget, 'credit', 'credits');
}

/** Each job status as the window says it, capitalised like the account states. */
export const JOB_STATUS_WORDS: Readonly<Record<BatchJob['status'], { label: string; tone: Tone }>> = {
  created: { label: 'Not started', tone: 'neutral' },
  queued: { label: 'Queued', tone: 'info' },
  running: { label: 'Running', tone: 'info' },
  canceled: { label: 'Cancelled', tone: 'neutral' },
  finished: { label: 'Finished', tone: 'ok' },
  error: { label: 'Failed', tone: 'bad' },
};

/** A job's progress in words, where the API gives one: "42 %" while running, "stopped at 80 %" after an error. */
export function progressWords(status: string, progress: number | undefined): string | null {
  if (typeof progress !== 'number') return null;
  const pct = `${Math.round(progress)} %`;
  if (status === 'running' || status === 'queued') return pct;
  if (status === 'error' || status === 'canceled') return `stopped at ${pct}`;
  return null;
}

/** "Showing 12 of 20 jobs loaded", "20 jobs", with "… more on the backend" when it has more pages. */
export function jobsShownWords(shown: number, loaded: number, more: boolean): string {
  const of = shown === loaded ? counted(loaded, 'job', 'jobs') : `${shown} of ${counted(loaded, 'job', 'jobs')}`;
  return more ? `${of} loaded; the backend has more` : of;
}

/** "its job list shows 3 started batch jobs (1 finished)". */
export function startedJobsWords(jobs: { started: number; finished: number }): string {
  return `its job list shows ${counted(jobs.started, 'started batch job', 'started batch jobs')} (${jobs.finished} finished)`;
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
