/** Signing out: forget the identity's secrets (optionally revoking them at the IdP first) and its record. */
import type { Identity } from '../../../shared/model.ts';
import { secretKey } from '../../../shared/model.ts';
import type { SessionContext } from './session-context.ts';

export interface SignOutOutcome {
  identity: Identity;
  /** What the IdP confirmed as revoked (empty without `revoke`). */
  revoked: string[];
  /** Revocation that failed or was impossible; the local secrets are deleted all the same. */
  revocationProblem: string | null;
  /**
   * The openEO Python client's store, for a login shared with it: `removed` (its entry was this
   * login's refresh token), `left` (it holds a login of its own), or null (nothing shared there).
   */
  pythonStore: 'removed' | 'left' | null;
}

/**
 * Deletes the refresh token, access token and client secret from the keychain and the identity
 * from the settings file. With `revoke`, asks the IdP to revoke the tokens first (best effort: a
 * failure is reported, never a reason to keep the secrets around).
 *
 * Runs under the identity's refresh lock, the one every refresh of every process takes: a refresh
 * under way (here or in another process) finishes and saves first, and none starts until the
 * login is gone. So a rotated refresh token is never written back after its sign-out.
 */
export async function signOut(session: SessionContext, id: string, opts: { revoke?: boolean } = {}): Promise<SignOutOutcome> {
  session.tokens.identity(id); // IDENTITY_NOT_FOUND before waiting for any lock
  return session.tokens.underRefreshLock(id, () => signOutLocked(session, id, opts));
}

async function signOutLocked(session: SessionContext, id: string, opts: { revoke?: boolean }): Promise<SignOutOutcome> {
  // Read again under the lock: it may have been signed out meanwhile.
  const identity = session.tokens.identity(id);
  const { secrets, identities, log } = session;
  const keys = [secretKey(id, 'refresh_token'), secretKey(id, 'access_token'), secretKey(id, 'client_secret')] as const;
  let revoked: string[] = [];
  let revocationProblem: string | null = null;
  if (opts.revoke) {
    const [refreshToken, accessToken, clientSecret] = await Promise.all(keys.map((k) => secrets.get(k)));
    try {
      const { connectIssuer, revokeTokens } = await import('../oidc/index.ts');
      const conn = await connectIssuer(identity.issuer, identity.clientId, {
        ...(clientSecret ? { clientSecret } : {}),
        ...session.tokens.http(),
      });
      const outcome = await revokeTokens(conn, {
        ...(refreshToken ? { refreshToken } : {}),
        ...(accessToken ? { accessToken } : {}),
      });
      revoked = outcome.revoked;
      if (outcome.failed.length) {
        revocationProblem = outcome.problem === 'no-revocation-endpoint'
          ? 'The identity provider offers no way to revoke tokens; they stay valid until they expire.'
          : (outcome.error?.message ?? 'The identity provider did not confirm the revocation.');
      }
    } catch (e) {
      revocationProblem = e instanceof Error ? e.message : String(e);
      log?.('warn', `${id}: revocation failed`, e);
    }
  }
  // A login shared with the Python client lives on in its store: a live refresh token would stay
  // in refresh-tokens.json after the sign-out. Removed before the keychain entries (ours is
  // needed to recognise it), and a failure here does not keep the secrets.
  let pythonStore: SignOutOutcome['pythonStore'] = null;
  if (identity.pythonSync) {
    try {
      const ours = await secrets.get(keys[0]);
      const outcome = await (await session.pythonSync())?.forget(identity, ours);
      pythonStore = outcome === 'removed' || outcome === 'left' ? outcome : null;
    } catch (e) {
      log?.('warn', `${id}: the Python client's store could not be cleaned up`, e);
    }
  }
  for (const key of keys) await secrets.delete(key);
  await identities.removeIdentity(id);
  session.tokens.forget(id);
  return { identity, revoked, revocationProblem, pythonStore };
}
