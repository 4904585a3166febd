/**
 * Two-way sharing of one refresh token with the openEO Python client's store — the pure decisions.
 *
 * ## The model
 * On an IdP that rotates refresh tokens, each refresh returns a new refresh token and spends the
 * old one; spending an already-spent token revokes the whole login, for both sides. Two holders
 * of one login (this app's keychain and `refresh-tokens.json`) must therefore always spend the
 * newest token and publish what they got:
 *
 * - After each of our refreshes we write the new token to the store and remember a
 *   {@link SyncMark} (a fingerprint of what we wrote and when — never the token itself).
 * - Before each refresh we read the store's entry ({@link decideSync}):
 *   - no entry → `'store-missing'`: refresh with ours, then write the result there;
 *   - the same token as ours → `'use-ours'`;
 *   - a different token that is not the one we last wrote and was dated at or after our last write
 *     (or, if we never wrote, after we obtained ours) → the Python side refreshed and saved the
 *     rotated token (`authenticate_oidc()` does) → `'adopt-store'`: our copy is spent, use theirs;
 *   - otherwise (the store still holds what we wrote earlier, or something older than our token)
 *     → `'use-ours'`; our next write brings the store up to date.
 * - The Python client's `authenticate_oidc_refresh_token()` refreshes WITHOUT saving the rotated
 *   token. Then both copies are spent and no file tells us the new one: our refresh fails with
 *   `invalid_grant`. {@link decideInvalidGrantFallback} tries the other known token once (the
 *   store's when ours failed); with none left the login is over and a new login is needed. This is why
 *   access tokens on demand (the app stays the only holder) are the recommended way.
 */
import { createHash } from 'node:crypto';
import type { StoreContents } from './refresh-token-store.ts';
import { issuerKey } from './refresh-token-store.ts';

/**
 * A non-reversible fingerprint of a refresh token, safe to keep in the settings file: SHA-256
 * over a purpose prefix and the token. Refresh tokens carry far too much entropy to be guessed back.
 */
export function refreshTokenFingerprint(refreshToken: string): string {
  return createHash('sha256').update('openeo-auth-tray/python-store\0').update(refreshToken).digest('hex');
}

/** What we last wrote to the store for one identity (kept in settings; no secret in it). */
export interface SyncMark {
  fingerprint: string;
  /** Epoch ms of our write. */
  writtenAt: number;
}

export interface SyncInput {
  /** Our refresh token (from the keychain) and when we obtained it, or null when we hold none. */
  ours: { refreshToken: string; obtainedAt: number | null } | null;
  /** The store's entry for this issuer + client (`getStoredRefreshToken`), or null. */
  store: { refreshToken: string; date: string } | null;
  /** What we last wrote there, or null when we never did. */
  lastWritten: SyncMark | null;
}

export type SyncAction = 'adopt-store' | 'use-ours' | 'store-missing';

/** Parses the store's `date` (RFC 3339); NaN when absent or unreadable. */
function storeDateMs(date: string): number {
  return date ? Date.parse(date) : Number.NaN;
}

/** Whole seconds: the Python client's dates have no fractions, ours must compare the same way. */
function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Decides which refresh token to spend next. See the module comment for the model. */
export function decideSync(input: SyncInput): SyncAction {
  const { ours, store, lastWritten } = input;
  if (!store) return 'store-missing';
  if (!ours) return 'adopt-store';
  const storeFp = refreshTokenFingerprint(store.refreshToken);
  if (storeFp === refreshTokenFingerprint(ours.refreshToken)) return 'use-ours';
  if (lastWritten && storeFp === lastWritten.fingerprint) return 'use-ours';

  const written = storeDateMs(store.date);
  const since = lastWritten ? lastWritten.writtenAt : ours.obtainedAt;
  // Someone replaced our token; without a readable date we still trust that newer writer,
  // because our own write would have left our fingerprint there.
  if (Number.isNaN(written)) return lastWritten ? 'adopt-store' : 'use-ours';
  if (since === null) return 'adopt-store';
  return written >= floorToSecond(since) ? 'adopt-store' : 'use-ours';
}

export type InvalidGrantFallback = 'try-store' | 'try-ours' | 'give-up';

/**
 * After a refresh failed with `invalid_grant`: try the other known token once — the store's when
 * ours failed (the Python side may have saved a rotated one), ours when an adopted store token
 * failed (e.g. the Python side had a separate, older login). Tokens equal to the failed one or
 * already tried are skipped; with nothing left the login has ended (`'give-up'`).
 * The one policy for this: the token service asks it through the sync hooks' `afterRefusal`, and
 * keeps its keychain token until a refresh with the adopted one has succeeded.
 */
export function decideInvalidGrantFallback(input: {
  failedRefreshToken: string;
  ours: { refreshToken: string } | null;
  store: { refreshToken: string } | null;
  /** Fingerprints of tokens already tried for this failure. */
  alreadyTried: readonly string[];
}): InvalidGrantFallback {
  const failed = refreshTokenFingerprint(input.failedRefreshToken);
  const untried = (t: { refreshToken: string } | null): boolean => {
    if (!t) return false;
    const fp = refreshTokenFingerprint(t.refreshToken);
    return fp !== failed && !input.alreadyTried.includes(fp);
  };
  if (untried(input.store)) return 'try-store';
  if (untried(input.ours)) return 'try-ours';
  return 'give-up';
}

/** A store entry that could become an identity. No token in it. */
export interface ImportCandidate {
  /** Issuer as the store keys it (no trailing `/`). */
  issuer: string;
  clientId: string;
  /** The entry's `date` as written, '' when absent. */
  date: string;
}

/**
 * Store entries (issuer, client, date) not yet known as identities, newest first.
 *
 * Checking that an imported token still works: a refresh token cannot be validated without
 * spending it on a rotating IdP, and token introspection needs a confidential client at almost
 * every IdP (openEO default clients are public), so it is rarely available. The recommendation,
 * which the CLI implements: TAKE THE TOKEN OVER — tell the user first ({@link IMPORT_TAKEOVER_NOTICE}),
 * refresh with it (this is the check: `invalid_grant` means it is dead and nothing was lost),
 * then immediately write the rotated refresh token back to the store under the lock (and record a
 * {@link SyncMark}), so the Python side holds a working token again. Between the refresh and the
 * write-back a Python script that starts in that instant could spend the old token; the window
 * is milliseconds, and the notice tells the user to import while no script is logging in.
 */
export function importCandidates(
  contents: StoreContents | null,
  knownIdentities: ReadonlyArray<{ issuer: string; clientId: string }>,
): ImportCandidate[] {
  const known = new Set(knownIdentities.map((k) => `${issuerKey(k.issuer)}\n${k.clientId}`));
  const out: ImportCandidate[] = [];
  for (const [issuer, clients] of Object.entries(contents ?? {})) {
    for (const [clientId, entry] of Object.entries(clients)) {
      if (!known.has(`${issuerKey(issuer)}\n${clientId}`)) out.push({ issuer, clientId, date: entry.date ?? '' });
    }
  }
  const time = (c: ImportCandidate): number => {
    const t = storeDateMs(c.date);
    return Number.isNaN(t) ? -Infinity : t;
  };
  return out.sort((a, b) => time(b) - time(a));
}

/** One sentence for `export-python`: what sharing a refresh token means on a rotating IdP. */
export const SHARING_NOTICE =
  'The Python client and this app now share one refresh token: on an identity provider that rotates refresh tokens, whichever side refreshes without saving the new token ends the login for both, so keep sync on (or prefer access tokens on demand).';

/** What the user is told before `import-python` spends a stored token to check it. */
export const IMPORT_TAKEOVER_NOTICE =
  'To check a stored login, this app refreshes it once and writes the new refresh token back to the Python client\'s store, so your scripts keep working; do this while no Python script is logging in.';
