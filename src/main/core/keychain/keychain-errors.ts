/**
 * How a keychain failure reaches the user: locked and unavailable are different problems with
 * different remedies, and the OS's own words are quoted so a person can look them up.
 */
import { AuthTrayError, isAuthTrayError } from '../errors.ts';
import type { KeychainHealth } from '../ports.ts';

export type KeychainProblem = 'locked' | 'unavailable';

/** The OS's message from a failed keychain call, trimmed to one readable line. */
export function osWords(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line || 'no details given';
}

/** libsecret says "locked" (e.g. "Cannot create an item in a locked collection"); anything else means unreachable. */
export function classifyKeychainFailure(e: unknown): KeychainProblem {
  return /\b(un)?lock(ed)?\b/i.test(osWords(e)) ? 'locked' : 'unavailable';
}

/** The AuthTrayError for a keychain that cannot be used, with what to do about it. */
export function keychainError(problem: KeychainProblem, words: string, cause?: unknown, platform: NodeJS.Platform = process.platform): AuthTrayError {
  const options = cause === undefined ? {} : { cause };
  if (problem === 'locked') {
    return new AuthTrayError('KEYCHAIN_LOCKED', `The system keychain is locked (it says: "${words}").`, {
      ...options,
      nextStep:
        platform === 'linux'
          ? "Unlock your keyring (e.g. log in to the desktop session, or unlock 'Login' in Passwords and Keys) and try again."
          : 'Unlock your keychain and try again.',
    });
  }
  return new AuthTrayError('KEYCHAIN_UNAVAILABLE', `The system keychain cannot be used (it says: "${words}").`, {
    ...options,
    nextStep:
      platform === 'linux'
        ? 'No Secret Service is running: install and start gnome-keyring or KWallet, then try again.'
        : 'Check that the system keychain works (e.g. in Keychain Access or Credential Manager), then try again.',
  });
}

/** Converts a thrown keychain failure into the error callers see. AuthTrayErrors pass unchanged. */
export function toKeychainError(e: unknown): AuthTrayError {
  if (isAuthTrayError(e)) return e;
  return keychainError(classifyKeychainFailure(e), osWords(e), e);
}

/** The `health()` answer for a keychain error; rethrows anything that is not about the keychain. */
export function healthFromError(e: unknown): KeychainHealth {
  if (isAuthTrayError(e, 'KEYCHAIN_LOCKED')) return { ok: false, reason: 'locked', message: e.sentence };
  if (isAuthTrayError(e, 'KEYCHAIN_UNAVAILABLE')) return { ok: false, reason: 'unavailable', message: e.sentence };
  throw e;
}
