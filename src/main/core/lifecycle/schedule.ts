/**
 * The token lifecycle's decisions as pure functions of (identity, what this process observed, now):
 * when to refresh, which state to show, which expiry warnings are due, when to wake up next.
 * No clock, no timers, no I/O: `lifecycle.ts` drives these.
 */
import type { Identity, IdentityState } from '../../../shared/model.ts';
import { loginEnd, reachedMaximum } from '../../../shared/format/login-end.ts';
import { isExpiringSoon } from '../../../shared/status/look.ts';
import { CLOCK_SLACK_MS } from '../ports.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Refresh-token expiry warnings, in ms before expiry: 7 days, 1 day, 1 hour. */
export const DEFAULT_WARNING_THRESHOLDS_MS: readonly number[] = [7 * DAY, DAY, HOUR];
/** Access tokens are refreshed at this fraction of their life... */
export const ACCESS_REFRESH_FRACTION = 0.8;
/** ...and never later than this before they expire. */
export const ACCESS_REFRESH_LEAD_MS = MINUTE;
/** After a success, the next refresh of the same identity waits at least this long (no hot loop). */
export const MIN_REFRESH_GAP_MS = 5 * SECOND;
/** Backoff: first retry after 5 s, doubling, capped at 5 minutes. */
export const RETRY_BASE_MS = 5 * SECOND;
export const RETRY_MAX_MS = 5 * MINUTE;
/** A server's Retry-After is honoured up to this. */
export const RETRY_AFTER_MAX_MS = HOUR;
/** Keep-alive: a login with no known end (offline token, or the IdP does not say) is renewed at least this often. */
export const KEEP_ALIVE_MAX_GAP_MS = DAY;
/**
 * Keep-alive: a sliding (or not yet confirmed) end is renewed at least this often, so that the
 * last renewal before a night or a weekend away is at most this old: the login then survives
 * every absence shorter than its window less this (a client renewing at every waking moment:
 * shorter than its window).
 */
export const KEEP_ALIVE_SLIDING_MAX_GAP_MS = HOUR;
/** Keep-alive: a sliding window is renewed this share of its length before it closes... */
export const KEEP_ALIVE_MARGIN_FRACTION = 0.25;
/** ...but at least this long before. */
export const KEEP_ALIVE_MIN_MARGIN_MS = MINUTE;

/** A failure in words, as shown beside a state. */
export interface LifecycleProblem {
  code: string;
  message: string;
}

/** What this process knows about an identity beyond the settings file. */
export interface IdentityRuntime {
  /** Since when the IdP or backend is unreachable. */
  offlineSince?: number | null;
  keychainProblem?: LifecycleProblem | null;
  lastError?: LifecycleProblem | null;
  /** A client-credentials identity whose secret is not in the keychain. */
  noSecret?: boolean;
  /** A failed refresh is retried at this time (replaces the regular refresh time). */
  retryAt?: number | null;
  /** A refresh is in flight: nothing else is scheduled for it until it ends. */
  refreshing?: boolean;
  /** No refresh before this time (set after a success). */
  refreshNotBefore?: number | null;
  /**
   * Someone wants the access token fresh all the time (a visible countdown): then it is renewed
   * at 80% of its life. Otherwise background refreshes only keep the login alive
   * ({@link keepAliveDueAt}) and access tokens are fetched on demand.
   */
  accessDemand?: boolean;
}

export type WakeUpReason = 'refresh-access' | 'warn' | 'expire' | 'retry';

export interface WakeUp {
  at: number;
  identityId: string;
  reason: WakeUpReason;
}

/** Unique, positive, finite thresholds, largest first. */
export function normalizeThresholds(thresholdsMs: readonly number[]): readonly number[] {
  // Called at every evaluation of every identity: return an already normal list as is.
  let previous = Infinity;
  let normal = true;
  for (const t of thresholdsMs) {
    normal = Number.isFinite(t) && t > 0 && t < previous;
    if (!normal) break;
    previous = t;
  }
  if (normal) return thresholdsMs;
  const valid = thresholdsMs.filter((t) => Number.isFinite(t) && t > 0);
  return [...new Set(valid)].sort((a, b) => b - a);
}

/**
 * When to refresh the access token: at 80% of its life, never later than 60 s before expiry, but
 * never before half its life (a token living under 2 minutes would otherwise be refreshed the
 * moment it arrives, forever). Null when no access-token expiry is known.
 */
export function accessRefreshDueAt(identity: Identity): number | null {
  const expiresAt = identity.accessTokenExpiresAt;
  if (expiresAt === null) return null;
  const obtainedAt = identity.accessTokenObtainedAt;
  if (obtainedAt === null || obtainedAt > expiresAt) return expiresAt - ACCESS_REFRESH_LEAD_MS;
  const life = expiresAt - obtainedAt;
  const due = Math.min(obtainedAt + life * ACCESS_REFRESH_FRACTION, expiresAt - ACCESS_REFRESH_LEAD_MS);
  return Math.floor(Math.max(due, obtainedAt + life / 2));
}

/**
 * When a background refresh keeps this login alive, or null when none can: never for a fixed end
 * (nothing moves it) or a sliding end that reached its maximum; before a sliding (or not yet
 * confirmed) end closes, a quarter of its window ahead (at least a minute, never before half of
 * it has passed) and at least hourly; for a login with no known end (offline token, unknown) at
 * least daily. Client credentials have nothing to keep alive.
 */
export function keepAliveDueAt(identity: Identity): number | null {
  if (identity.kind !== 'personal') return null;
  const expiry = identity.refreshTokenExpiry;
  const renewed = identity.accessTokenObtainedAt ?? identity.refreshTokenObtainedAt;
  if (expiry.kind === 'none') return null;
  if (renewed === null) return null;
  const daily = renewed + KEEP_ALIVE_MAX_GAP_MS;
  if (expiry.kind !== 'at') return daily;
  const end = loginEnd(expiry);
  if (end.type === 'absolute') return null;
  if (reachedMaximum(end)) return null;
  const window = end.type === 'sliding' && expiry.idleMs ? expiry.idleMs : expiry.at - renewed;
  if (!(window > 0)) return null;
  const margin = Math.max(window * KEEP_ALIVE_MARGIN_FRACTION, KEEP_ALIVE_MIN_MARGIN_MS);
  const due = Math.max(expiry.at - margin, renewed + window / 2);
  return Math.floor(Math.min(due, renewed + KEEP_ALIVE_SLIDING_MAX_GAP_MS));
}

/**
 * The login cannot be used any more: known dead (`expiredAt`), its refresh token's expiry has
 * passed, or (a personal login without refresh token) its access token has expired.
 */
export function isLoginDead(identity: Identity, now: number): boolean {
  if (identity.expiredAt !== undefined) return true;
  const expiry = identity.refreshTokenExpiry;
  if (expiry.kind === 'at') return expiry.at <= now;
  return (
    identity.kind === 'personal' &&
    expiry.kind === 'none' &&
    identity.accessTokenExpiresAt !== null &&
    identity.accessTokenExpiresAt <= now
  );
}

function isSignedOut(identity: Identity, runtime: IdentityRuntime): boolean {
  if (identity.kind === 'client-credentials') return runtime.noSecret === true;
  return identity.refreshTokenExpiry.kind === 'none' && identity.accessTokenExpiresAt === null;
}

/** Whether this identity has the means to get a new access token (refresh token or client secret). */
export function canRefresh(identity: Identity, runtime: IdentityRuntime): boolean {
  if (identity.kind === 'client-credentials') return runtime.noSecret !== true;
  return identity.refreshTokenExpiry.kind !== 'none';
}

/**
 * The state shown for an identity. First match wins: keychain-unavailable, expired,
 * signed-out, offline, error, expiring-soon (refresh token expires within the largest threshold),
 * active. Client-credentials identities have no refresh token, so they are never expiring-soon.
 */
export function deriveState(
  identity: Identity,
  runtime: IdentityRuntime,
  now: number,
  thresholdsMs: readonly number[] = DEFAULT_WARNING_THRESHOLDS_MS,
): IdentityState {
  if (runtime.keychainProblem) return 'keychain-unavailable';
  if (isLoginDead(identity, now)) return 'expired';
  if (isSignedOut(identity, runtime)) return 'signed-out';
  if (runtime.offlineSince !== undefined && runtime.offlineSince !== null) return 'offline';
  if (runtime.lastError) return 'error';
  const largest = normalizeThresholds(thresholdsMs)[0];
  if (identity.kind === 'personal' && largest !== undefined && isExpiringSoon(loginEnd(identity.refreshTokenExpiry).warnAt, now, largest)) {
    return 'expiring-soon';
  }
  return 'active';
}

/**
 * Thresholds still to announce for the current refresh token. A threshold at least as long as the
 * token's whole life is skipped: it was "crossed" before the token existed, and warning
 * "expires within 7 days" right after a login that lasts 2 days says nothing useful.
 */
function pendingThresholds(identity: Identity, thresholdsMs: readonly number[]): number[] {
  const warnAt = loginEnd(identity.refreshTokenExpiry).warnAt;
  if (warnAt === null) return [];
  const life = identity.refreshTokenObtainedAt === null ? Infinity : warnAt - identity.refreshTokenObtainedAt;
  return normalizeThresholds(thresholdsMs).filter((t) => t < life && !identity.warningsSent.includes(t));
}

/**
 * Warning thresholds crossed for the current refresh token and not yet in `warningsSent`,
 * most urgent (smallest) first. When several are crossed at once (after sleep, or a clock
 * change) the caller announces only the first one and marks all of them as sent: a person
 * waking the laptop wants "expires within the hour", not three notifications. Empty once the
 * login is dead (the caller announces 'expired' instead).
 */
export function dueWarnings(identity: Identity, now: number, thresholdsMs: readonly number[]): number[] {
  const warnAt = loginEnd(identity.refreshTokenExpiry).warnAt;
  if (warnAt === null || isLoginDead(identity, now)) return [];
  return pendingThresholds(identity, thresholdsMs)
    .filter((t) => now >= warnAt - t)
    .sort((a, b) => a - b);
}

/**
 * When this identity's access token should next be fetched: the pending retry, or the regular
 * refresh time; never before `refreshNotBefore`. Null when nothing is to be fetched (dead,
 * signed out, already refreshing, nothing to refresh with, or no expiry known).
 */
export function refreshDueAt(
  identity: Identity,
  runtime: IdentityRuntime,
  now: number,
): { at: number; reason: 'refresh-access' | 'retry' } | null {
  if (runtime.refreshing) return null;
  if (isLoginDead(identity, now) || isSignedOut(identity, runtime) || !canRefresh(identity, runtime)) return null;
  const retryAt = runtime.retryAt ?? null;
  // The token was obtained "in the future": the clock went back, so its wall-clock expiry
  // cannot be trusted. Refresh now rather than trust it for up to an hour too long.
  const clockWentBack = identity.accessTokenObtainedAt !== null && identity.accessTokenObtainedAt > now + CLOCK_SLACK_MS;
  const at = retryAt ?? (clockWentBack ? now : runtime.accessDemand ? accessRefreshDueAt(identity) : keepAliveDueAt(identity));
  if (at === null) return null;
  // A "not before" set before the clock went back must not hold the refresh back by that much.
  const notBefore = Math.min(runtime.refreshNotBefore ?? -Infinity, now + MIN_REFRESH_GAP_MS);
  return { at: Math.max(at, notBefore), reason: retryAt === null ? 'refresh-access' : 'retry' };
}

/** The earliest future (or overdue) event of one identity, before clamping to `now`. */
function nextEventOf(
  identity: Identity,
  runtime: IdentityRuntime,
  now: number,
  thresholdsMs: readonly number[],
): { at: number; reason: WakeUpReason } | null {
  if (isLoginDead(identity, now) || isSignedOut(identity, runtime)) return null;
  const candidates: Array<{ at: number; reason: WakeUpReason }> = [];
  const expiry = identity.refreshTokenExpiry;
  if (expiry.kind === 'at') {
    candidates.push({ at: expiry.at, reason: 'expire' });
    const pending = pendingThresholds(identity, thresholdsMs);
    const warnAt = loginEnd(expiry).warnAt;
    if (pending.length > 0 && warnAt !== null) candidates.push({ at: warnAt - Math.max(...pending), reason: 'warn' });
  } else if (identity.kind === 'personal' && expiry.kind === 'none' && identity.accessTokenExpiresAt !== null) {
    candidates.push({ at: identity.accessTokenExpiresAt, reason: 'expire' });
  }
  const refresh = refreshDueAt(identity, runtime, now);
  if (refresh) candidates.push(refresh);
  let best: { at: number; reason: WakeUpReason } | null = null;
  for (const c of candidates) if (best === null || c.at < best.at) best = c;
  return best;
}

/**
 * The earliest next event over all identities, or null when nothing is scheduled. Overdue work
 * is reported at `now`, never in the past. `runtimes` may lack identities (treated as `{}`).
 */
export function nextWakeUp(
  identities: readonly Identity[],
  runtimes: ReadonlyMap<string, IdentityRuntime>,
  now: number,
  thresholdsMs: readonly number[],
): WakeUp | null {
  let best: WakeUp | null = null;
  for (const identity of identities) {
    const event = nextEventOf(identity, runtimes.get(identity.id) ?? {}, now, thresholdsMs);
    if (event && (best === null || event.at < best.at)) {
      best = { at: event.at, identityId: identity.id, reason: event.reason };
    }
  }
  return best && { ...best, at: Math.max(best.at, now) };
}

/**
 * Wait before retry number `attempt` (1 for the first retry): 5 s, 10 s, 20 s, ... capped at
 * 5 minutes. A server's Retry-After wins when it is longer, up to 1 hour. Deterministic.
 */
export function retryDelayMs(attempt: number, retryAfterMs?: number): number {
  const exponent = Math.max(1, Math.floor(attempt)) - 1;
  const backoff = Math.min(RETRY_BASE_MS * 2 ** Math.min(exponent, 30), RETRY_MAX_MS);
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > backoff) {
    return Math.min(retryAfterMs, RETRY_AFTER_MAX_MS);
  }
  return backoff;
}
