/** The contract between the token lifecycle and whoever runs it (the tray app, a test). */
import type { Identity, IdentityState } from '../../../shared/model.ts';
import type { LifecycleProblem } from './schedule.ts';

/** What the lifecycle asks of its host. It never deletes anything and does no I/O itself. */
export interface LifecycleHost {
  /** The current identities; read again at every evaluation. */
  listIdentities(): Identity[];
  /**
   * Gets a new access token (refresh grant, or client credentials) and persists it, so that the
   * next `listIdentities()` shows the new `accessTokenObtainedAt`/`accessTokenExpiresAt`.
   * Throws an AuthTrayError on failure; its code decides what happens (see failures.ts).
   */
  refreshAccess(identityId: string): Promise<void>;
  /**
   * Persists `warningsSent` for the identity's current refresh token: `thresholdsMs` is the
   * complete list (already sent ones included), to store as is.
   */
  markWarningsSent(identityId: string, thresholdsMs: number[]): Promise<void>;
  /** Persists `expiredAt`, so that a restart does not announce the same expiry again. */
  markExpired(identityId: string, at: number): Promise<void>;
  onEvent(event: LifecycleEvent): void;
}

export type LifecycleEvent =
  /** A warning threshold was crossed (only the most urgent one when several were at once). */
  | { type: 'refresh-token-expiring'; identityId: string; thresholdMs: number; expiresAt: number }
  /** The login needs a new sign-in. Once per refresh token. */
  | { type: 'expired'; identityId: string }
  /** Refreshing has failed for longer than 5 minutes. Once per failure streak. */
  | { type: 'refresh-failing'; identityId: string; since: number; error: LifecycleProblem }
  /** A refresh succeeded after 'refresh-failing'. */
  | { type: 'recovered'; identityId: string }
  /** The shown state changed (also sent once for each identity when first seen). */
  | { type: 'state-changed'; identityId: string; state: IdentityState };
