/**
 * How and when a login ends, as Keycloak means it: an absolute end (JWT `exp`, SSO session
 * maximum), a sliding end (an idle window that each use moves), or an offline login with no fixed
 * end that lasts while it is used. One description for `status --json`, the tray, the window and
 * the lifecycle's warnings, and the words for it. Pure: no clock, no I/O.
 */
import type { IdentityKind, RefreshTokenExpiry } from '../model.ts';
import { formatDay, formatSince } from './calendar.ts';
import { formatRelative, type FormatOptions } from './relative-time.ts';

/**
 * - `absolute`: a refresh did not move the end; nothing but a new sign-in helps after it.
 * - `sliding`: each use moves the end ("ends if unused by …"), up to `absoluteAt` when known.
 * - `unconfirmed`: an end is known, but no refresh has shown yet whether use moves it.
 * - `while-used`: no fixed end (Keycloak offline token); the IdP may still end it when unused.
 * - `unknown`: the IdP says nothing usable. `none`: no refresh token.
 */
export type LoginEndType = 'absolute' | 'sliding' | 'unconfirmed' | 'while-used' | 'unknown' | 'none';

export interface LoginEnd {
  type: LoginEndType;
  /** When the login ends if it is not used again (the first end); null when none is known. */
  endsAt: number | null;
  /** The end no use can move, when known. */
  absoluteAt: number | null;
  /**
   * The end that expiry warnings and "sign in again soon" are about. A sliding end the app keeps
   * moving is not one (warning about it would fire all day); its maximum is.
   */
  warnAt: number | null;
}

/** Describes a refresh-token expiry. */
export function loginEnd(expiry: RefreshTokenExpiry): LoginEnd {
  switch (expiry.kind) {
    case 'at':
      if (expiry.end === 'sliding') {
        const max = expiry.maxAt ?? null;
        return { type: 'sliding', endsAt: expiry.at, absoluteAt: max, warnAt: max };
      }
      if (expiry.end === 'fixed') return { type: 'absolute', endsAt: expiry.at, absoluteAt: expiry.at, warnAt: expiry.at };
      return { type: 'unconfirmed', endsAt: expiry.at, absoluteAt: null, warnAt: expiry.at };
    case 'never':
      return { type: 'while-used', endsAt: null, absoluteAt: null, warnAt: null };
    case 'unknown':
      return { type: 'unknown', endsAt: null, absoluteAt: null, warnAt: null };
    case 'none':
      return { type: 'none', endsAt: null, absoluteAt: null, warnAt: null };
  }
}

/** Two ends closer than this are the same end (network time, second-rounded `expires_in`). */
export const SAME_END_SLACK_MS = 3_000;

/** A sliding login that ran into its maximum: using it no longer moves its end. */
export function reachedMaximum(end: LoginEnd): boolean {
  return end.type === 'sliding' && end.absoluteAt !== null && end.endsAt !== null && end.absoluteAt - end.endsAt <= SAME_END_SLACK_MS;
}

/**
 * What a refresh taught about the end: compares the expiry before (`previous`, from the renewal
 * at `previousAt`) with the one the refresh returned (`next`, at `now`). An end that moved out
 * slides (by an idle window of `next.at - now`); one that stayed is fixed — or, for a login seen
 * to slide, its maximum was reached. But a sliding end moves only by the time between two
 * refreshes: refreshes a few seconds apart cannot tell the two apart, and teach nothing (the end
 * is updated, what is known of its kind is kept). Other kinds pass through.
 */
export function learnEnd(previous: RefreshTokenExpiry, next: RefreshTokenExpiry, now: number, previousAt?: number | null): RefreshTokenExpiry {
  if (next.kind !== 'at' || previous.kind !== 'at') return next;
  const moved = next.at > previous.at + SAME_END_SLACK_MS;
  // A sliding end would have moved by `now - previousAt`: too little to see is no evidence.
  if (!moved && previousAt !== undefined && previousAt !== null && now - previousAt <= 2 * SAME_END_SLACK_MS) {
    return { ...previous, at: next.at };
  }
  const idleMs = Math.max(0, Math.round((next.at - now) / 1000) * 1000);
  if (moved) {
    // Still below a maximum learnt before: keep it; past it, the maximum was not one.
    const maxAt = previous.maxAt !== undefined && next.at <= previous.maxAt + SAME_END_SLACK_MS ? previous.maxAt : undefined;
    const granted = previous.end === 'sliding' && previous.idleMs !== undefined ? Math.max(previous.idleMs, idleMs) : idleMs;
    return { kind: 'at', at: next.at, end: 'sliding', idleMs: granted, ...(maxAt !== undefined ? { maxAt } : {}) };
  }
  if (previous.end === 'sliding') {
    // The end did not move although the login was used: it ran into the session's maximum.
    return { kind: 'at', at: next.at, end: 'sliding', ...(previous.idleMs !== undefined ? { idleMs: previous.idleMs } : {}), maxAt: next.at };
  }
  return { kind: 'at', at: next.at, end: 'fixed' };
}

export interface LoginEndWordsInput {
  kind: IdentityKind;
  refreshTokenExpiry: RefreshTokenExpiry;
  accessTokenExpiresAt: number | null;
  /** The last refresh or sign-in, when known. */
  lastRenewedAt?: number | null;
}

/**
 * The tray's and `status`'s phrase: "refresh token expires 12 Dec (in 13 days)",
 * "ends if unused by 14:35 (in 9 minutes) · at the latest 12 Dec (in 13 days)",
 * "no fixed end: lasts while it is used · last renewed 10:42", and the phrases of the other kinds.
 */
export function loginEndPhrase(identity: LoginEndWordsInput, now: number, opts: FormatOptions = {}): string {
  const end = loginEnd(identity.refreshTokenExpiry);
  switch (end.type) {
    case 'absolute':
    case 'unconfirmed':
      return `refresh token expires ${formatDay(end.endsAt!, now, opts)} (${formatRelative(end.endsAt!, now, opts)})`;
    case 'sliding': {
      const ifUnused = `ends if unused by ${formatSince(end.endsAt!, now, opts)} (${formatRelative(end.endsAt!, now, opts)})`;
      if (end.absoluteAt === null) return `${ifUnused} · each use extends it`;
      if (reachedMaximum(end)) return `refresh token expires ${formatSince(end.absoluteAt, now, opts)} (${formatRelative(end.absoluteAt, now, opts)}) · use no longer extends it`;
      return `${ifUnused} · at the latest ${formatDay(end.absoluteAt, now, opts)} (${formatRelative(end.absoluteAt, now, opts)})`;
    }
    case 'while-used':
      return identity.lastRenewedAt
        ? `no fixed end: lasts while it is used · last renewed ${formatSince(identity.lastRenewedAt, now, opts)}`
        : 'no fixed end: lasts while it is used';
    case 'unknown':
      return 'refresh token expiry unknown';
    case 'none':
      if (identity.kind === 'client-credentials') return 'new tokens come from the client secret';
      return identity.accessTokenExpiresAt === null
        ? 'no refresh token'
        : `no refresh token · access token expires ${formatRelative(identity.accessTokenExpiresAt, now, opts)}`;
  }
}

/** The window's shorter words beside "Refresh token": "expires in 13 days", "ends if unused in 9 minutes", … */
export function loginEndShortWords(identity: LoginEndWordsInput, now: number, opts: FormatOptions = {}): string {
  const end = loginEnd(identity.refreshTokenExpiry);
  switch (end.type) {
    case 'absolute':
    case 'unconfirmed':
      return end.endsAt! > now ? `expires ${formatRelative(end.endsAt!, now, opts)}` : `expired ${formatRelative(end.endsAt!, now, opts)}`;
    case 'sliding':
      if (end.endsAt! <= now) return `ended unused ${formatRelative(end.endsAt!, now, opts)}`;
      return end.absoluteAt === null
        ? `ends if unused ${formatRelative(end.endsAt!, now, opts)} · each use extends it`
        : `ends if unused ${formatRelative(end.endsAt!, now, opts)} · at the latest ${formatRelative(end.absoluteAt, now, opts)}`;
    case 'while-used':
      return identity.lastRenewedAt
        ? `no fixed end (offline login): lasts while it is used · last renewed ${formatSince(identity.lastRenewedAt, now, opts)}`
        : 'no fixed end (offline login): lasts while it is used';
    case 'unknown':
      return 'expiry not known: the provider does not say';
    case 'none':
      return identity.kind === 'client-credentials' ? 'not needed: new tokens come from the client secret' : 'none: sign in again when the access token runs out';
  }
}
