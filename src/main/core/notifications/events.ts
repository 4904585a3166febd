/**
 * The events a desktop notification can come from. The lifecycle's own event type
 * (src/main/core/lifecycle) is matched structurally here, so either side can grow without the
 * other importing it; login completion and job transitions come from the login flow and the
 * job tracker.
 */
import type { BatchJob, IdentityState, JobStatus } from '../../../shared/model.ts';

/** The token lifecycle's events, as far as notifications care. */
export type LifecycleEventLike =
  | { type: 'refresh-token-expiring'; identityId: string; thresholdMs: number; expiresAt: number }
  | { type: 'expired'; identityId: string }
  | { type: 'refresh-failing'; identityId: string; since: number; error: { code: string; message: string } }
  | { type: 'recovered'; identityId: string }
  | { type: 'state-changed'; identityId: string; state: IdentityState };

/** A login (new or "sign in again") finished successfully. */
export interface LoginCompletedEvent {
  type: 'login-completed';
  identityId: string;
}

/**
 * A batch job changed status from `from` to `job.status` (the job tracker's `JobTransition`
 * with `type: 'job'`); `from` is null for a job first seen after the first listing.
 */
export interface JobEvent {
  type: 'job';
  identityId: string;
  job: BatchJob;
  from: JobStatus | null;
}

export type NotifiableEvent = LifecycleEventLike | LoginCompletedEvent | JobEvent;
