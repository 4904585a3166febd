/**
 * The tray icon's look: one per icon set in `assets/` (tray-<look>.png). The worst identity wins,
 * ranked in one table so the icon, the tooltip and the tests agree on what "worst" means.
 */
import { loginEnd } from '../format/login-end.ts';
import type { IdentityState, IdentityStatus } from '../model.ts';
import { DAY_MS } from '../format/relative-time.ts';

export type TrayLook = 'ok' | 'warning' | 'error' | 'offline' | 'idle';

/** What each identity state looks like in the tray. */
export const LOOK_OF_STATE: Readonly<Record<IdentityState, TrayLook>> = {
  'signed-out': 'idle',
  'signing-in': 'idle',
  active: 'ok',
  'expiring-soon': 'warning',
  offline: 'offline',
  expired: 'error',
  'keychain-unavailable': 'error',
  error: 'error',
};

/** Looks from best to worst: a login that needs a person beats a network outage beats a warning. */
export const LOOK_SEVERITY: readonly TrayLook[] = ['idle', 'ok', 'warning', 'offline', 'error'];

/** Default window in which an active login counts as expiring soon (the largest default warning). */
export const EXPIRING_SOON_MS = 7 * DAY_MS;

/**
 * The one "expiring soon" rule, for the lifecycle, the tray's icon, tooltip and menu, the window
 * and `status`: the end no use can move (`warnAt`) lies within the person's largest warning
 * threshold (`withinMs`).
 */
export function isExpiringSoon(warnAt: number | null, now: number, withinMs: number): boolean {
  return warnAt !== null && warnAt - now <= withinMs;
}

export interface LookOptions {
  /** How long before refresh-token expiry an active login counts as expiring soon; default the row's own `warnWithinMs`. */
  expiringSoonMs?: number;
}

/**
 * The state to show at `now`. The status row may be older than the clock: a refresh token whose
 * expiry has passed is expired whatever the last evaluation said, and an active login inside the
 * warning window is expiring soon even before the lifecycle has re-evaluated it.
 */
export function effectiveState(identity: IdentityStatus, now: number, opts: LookOptions = {}): IdentityState {
  const { state, refreshTokenExpiry: expiry } = identity;
  const usable = state === 'active' || state === 'expiring-soon' || state === 'offline';
  if (usable && expiry.kind === 'at' && expiry.at <= now) return 'expired';
  // "Soon" is about the end no use can move, not a sliding window the app keeps moving.
  const warnAt = loginEnd(expiry).warnAt;
  if (state === 'active' && isExpiringSoon(warnAt, now, opts.expiringSoonMs ?? identity.warnWithinMs ?? EXPIRING_SOON_MS)) {
    return 'expiring-soon';
  }
  return state;
}

/** The worse of two looks by {@link LOOK_SEVERITY}. */
export function worseLook(a: TrayLook, b: TrayLook): TrayLook {
  return LOOK_SEVERITY.indexOf(b) > LOOK_SEVERITY.indexOf(a) ? b : a;
}

/** The tray icon for a set of identities: the worst state wins; `idle` when there are none. */
export function trayLook(identities: readonly IdentityStatus[], now: number, opts: LookOptions = {}): TrayLook {
  let look: TrayLook = 'idle';
  for (const identity of identities) look = worseLook(look, LOOK_OF_STATE[effectiveState(identity, now, opts)]);
  return look;
}
