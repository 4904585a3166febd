/**
 * One line per identity that says where its login stands and what to do about it:
 * "Active · refresh token expires 12 Dec (in 13 days)", "Expired — sign in again",
 * "No connection since 10:42 — retrying", "Keychain locked — unlock it to continue".
 */
import type { IdentityStatus } from '../model.ts';
import { formatSince } from '../format/calendar.ts';
import { loginEndPhrase } from '../format/login-end.ts';
import type { FormatOptions } from '../format/relative-time.ts';
import { displayText } from '../format/display-text.ts';
import { effectiveState, type LookOptions } from './look.ts';

export type StateLineOptions = FormatOptions & LookOptions;

/**
 * "refresh token expires 12 Dec (in 13 days)", "ends if unused by 14:35 (in 9 minutes) · …",
 * "no fixed end: lasts while it is used · last renewed 10:42" and the other kinds (format/login-end.ts).
 */
export function refreshTokenPhrase(identity: IdentityStatus, now: number, opts: FormatOptions = {}): string {
  return loginEndPhrase(identity, now, opts);
}

/** Whether the identity's problem is a locked keychain (as opposed to no usable keychain at all). */
function keychainLocked(identity: IdentityStatus): boolean {
  return identity.problem?.code !== 'KEYCHAIN_UNAVAILABLE';
}

/** The state line shown under an identity's header in the tray menu. */
export function stateLine(identity: IdentityStatus, now: number, opts: StateLineOptions = {}): string {
  switch (effectiveState(identity, now, opts)) {
    case 'active':
      return `Active · ${refreshTokenPhrase(identity, now, opts)}`;
    case 'expiring-soon':
      return `Sign in again soon · ${refreshTokenPhrase(identity, now, opts)}`;
    case 'expired':
      return 'Expired — sign in again';
    case 'offline':
      return identity.offlineSince === null
        ? 'No connection — retrying'
        : `No connection since ${formatSince(identity.offlineSince, now, opts)} — retrying`;
    case 'keychain-unavailable':
      return keychainLocked(identity)
        ? 'Keychain locked — unlock it to continue'
        : 'No usable keychain — tokens cannot be read';
    case 'signing-in':
      return 'Signing in…';
    case 'signed-out':
      return 'Signed out — sign in again to use it';
    case 'error':
      return identity.problem === null
        ? 'Something went wrong — try Refresh now'
        : `Problem: ${displayText(identity.problem.message, 70)}`;
  }
}
