/** What a token fetch's outcome means for an identity's lifecycle. Pure: no clock, no I/O. */
import { errorKind, type AuthTrayError } from '../errors.ts';
import type { Identity, IdentityKind } from '../../../shared/model.ts';
import type { LifecycleEvent } from './host.ts';
import { refreshTokenKey } from './runtime.ts';
import type { Runtime } from './runtime.ts';
import { MIN_REFRESH_GAP_MS, retryDelayMs } from './schedule.ts';
import type { LifecycleProblem } from './schedule.ts';

/**
 * - `offline`: IdP or backend unreachable or failing; tokens kept, retried with backoff.
 * - `needs-login`: the login is dead (invalid_grant, refresh token gone); nothing is retried.
 * - `no-secret`: a client-credentials identity has no secret in the keychain (state signed-out).
 * - `keychain`: keychain locked or unavailable; retried with backoff.
 * - `busy`: another process holds the identity's lock; retried with backoff, state unchanged.
 * - `error`: anything else; retried with backoff.
 */
export type FailureClass = 'offline' | 'needs-login' | 'no-secret' | 'keychain' | 'busy' | 'error';

/** Classifies an error (errors.ts `errorKind`, the one classification) for an identity of the given kind. */
export function classifyFailure(error: { code: string; retryAfterMs?: number | undefined }, kind: IdentityKind): FailureClass {
  // A service account without its secret was never "logged in" with a lifetime that ran out.
  if (error.code === 'SECRET_MISSING' && kind === 'client-credentials') return 'no-secret';
  switch (errorKind(error)) {
    case 'unreachable':
      return 'offline';
    case 'busy':
      return 'busy';
    case 'keychain':
      return 'keychain';
    case 'needs-sign-in':
      return 'needs-login';
    case 'usage':
    case 'cancelled':
    case 'other':
      return 'error';
  }
}

/** 'refresh-failing' is announced once refreshing has failed for this long. */
export const REFRESH_FAILING_AFTER_MS = 5 * 60_000;

/**
 * Records a success in the identity's runtime: failures, a missing secret and a known-dead
 * login are forgotten. Returns 'recovered' when 'refresh-failing' had been announced.
 */
export function applySuccess(identityId: string, rt: Runtime, now: number): LifecycleEvent[] {
  const events: LifecycleEvent[] = rt.failingAnnounced ? [{ type: 'recovered', identityId }] : [];
  clearFailures(rt);
  rt.noSecret = false;
  rt.dead = undefined;
  rt.refreshNotBefore = now + MIN_REFRESH_GAP_MS;
  return events;
}

/**
 * Records a failed token fetch. Transient failures schedule a retry with backoff; a dead login
 * schedules nothing (only a new login helps) and `dead` is true: the caller announces it.
 * Nothing is ever deleted.
 */
export function applyFailure(
  identity: Identity,
  rt: Runtime,
  error: Pick<AuthTrayError, 'code' | 'sentence' | 'retryAfterMs'>,
  now: number,
): { events: LifecycleEvent[]; dead: boolean } {
  const problem: LifecycleProblem = { code: error.code, message: error.sentence };
  const kind = classifyFailure(error, identity.kind);
  if (kind === 'needs-login' || kind === 'no-secret') {
    clearFailures(rt);
    rt.problem = problem;
    if (kind === 'no-secret') rt.noSecret = true;
    else rt.dead = { key: refreshTokenKey(identity), accessObtainedAt: identity.accessTokenObtainedAt, at: now };
    return { events: [], dead: kind === 'needs-login' };
  }
  if (kind !== 'busy') {
    rt.offlineSince = kind === 'offline' ? (rt.offlineSince ?? now) : null;
    rt.keychainProblem = kind === 'keychain' ? problem : null;
    rt.lastError = kind === 'error' ? problem : null;
    rt.problem = problem;
  }
  rt.attempt += 1;
  rt.retryAt = now + retryDelayMs(rt.attempt, error.retryAfterMs);
  rt.failingSince ??= now;
  const events: LifecycleEvent[] = [];
  if (!rt.failingAnnounced && now - rt.failingSince >= REFRESH_FAILING_AFTER_MS) {
    rt.failingAnnounced = true;
    events.push({ type: 'refresh-failing', identityId: identity.id, since: rt.failingSince, error: problem });
  }
  return { events, dead: false };
}

function clearFailures(rt: Runtime): void {
  rt.attempt = 0;
  rt.retryAt = null;
  rt.failingSince = null;
  rt.failingAnnounced = false;
  rt.offlineSince = null;
  rt.keychainProblem = null;
  rt.lastError = null;
  rt.problem = null;
}
