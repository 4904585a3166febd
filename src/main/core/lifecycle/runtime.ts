/**
 * What the lifecycle remembers per identity in memory, and how that memory overlays the
 * identity read from settings until the host has persisted it (persisting is asynchronous,
 * and an evaluation in between must not announce the same warning or expiry twice).
 */
import type { Identity, IdentityState } from '../../../shared/model.ts';
import type { IdentityRuntime, LifecycleProblem } from './schedule.ts';

export interface Runtime extends IdentityRuntime {
  /** Failed attempts in the current streak (backoff exponent). */
  attempt: number;
  failingSince: number | null;
  failingAnnounced: boolean;
  /** The last failure, in words, until a success. */
  problem: LifecycleProblem | null;
  lastState?: IdentityState;
  /** Warnings this process announced for the refresh token `key`. */
  sent?: { key: string; thresholds: number[] };
  /** The refresh token `key` whose expiry this process announced. */
  expiredAnnounced?: string;
  /** The login was found dead (e.g. invalid_grant) for this token generation. */
  dead?: { key: string; accessObtainedAt: number | null; at: number };
}

export function newRuntime(): Runtime {
  return { attempt: 0, failingSince: null, failingAnnounced: false, problem: null };
}

/**
 * Names the current refresh token without knowing it: a new login or a rotation changes when it
 * was obtained or when it expires. Without a refresh token, the access token's expiry stands in.
 */
export function refreshTokenKey(identity: Identity): string {
  const expiry = identity.refreshTokenExpiry;
  const end = expiry.kind === 'at' ? String(expiry.at) : expiry.kind === 'none' ? `none:${identity.accessTokenExpiresAt}` : expiry.kind;
  return `${identity.refreshTokenObtainedAt ?? ''}|${end}`;
}

/**
 * The identity with what this process knows and has not necessarily persisted yet: warnings
 * already announced and a login found dead. Memory about an older token is dropped.
 */
export function viewOf(identity: Identity, rt: Runtime): Identity {
  const key = refreshTokenKey(identity);
  let view = identity;
  if (rt.dead) {
    if (rt.dead.key === key && rt.dead.accessObtainedAt === identity.accessTokenObtainedAt) {
      view = { ...view, expiredAt: identity.expiredAt ?? rt.dead.at };
    } else rt.dead = undefined;
  }
  if (rt.sent) {
    if (rt.sent.key === key) {
      view = { ...view, warningsSent: [...new Set([...identity.warningsSent, ...rt.sent.thresholds])] };
    } else rt.sent = undefined;
  }
  return view;
}
