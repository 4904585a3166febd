/**
 * Two-way sync of one identity's refresh token with the openEO Python client's store.
 * Before we spend our token we look whether the Python client saved a newer (rotated) one and
 * adopt it; after we rotate we write ours back; when ours is refused we try theirs once.
 */
import { isAuthTrayError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import type { Identity } from '../model.ts';
import { getStoredRefreshToken, readRefreshTokenStore, writeRefreshToken } from '../python/refresh-token-store.ts';
import { decideInvalidGrantFallback, decideSync, refreshTokenFingerprint } from '../python/sync.ts';
import type { IdentityRepository } from './ports.ts';
import type { RefreshTokenSync } from './token-service.ts';

export interface PythonSyncDeps {
  storePath: string;
  identities: IdentityRepository;
  clock: Clock;
}

/**
 * The store's entry for the identity; null also when the file is unreadable (bad JSON, layout or
 * permissions): the Python client cannot read or write such a file either, so it cannot hold a
 * newer token, and our refresh must not stop over it (the write-back then fails and is logged).
 */
async function storeEntry(storePath: string, identity: Identity) {
  try {
    const contents = await readRefreshTokenStore(storePath);
    return contents ? getStoredRefreshToken(contents, identity.issuer, identity.clientId) : null;
  } catch (e) {
    if (isAuthTrayError(e, 'PYTHON_STORE_INVALID')) return null;
    throw e;
  }
}

/** Writes `refreshToken` to the store for `identity` and records what we wrote (a fingerprint). */
export async function exportRefreshToken(deps: PythonSyncDeps, identity: Identity, refreshToken: string, keepInSync: boolean): Promise<void> {
  const now = deps.clock.now();
  await writeRefreshToken(deps.storePath, identity.issuer, identity.clientId, refreshToken, now);
  await deps.identities.updateIdentity(identity.id, {
    pythonSync: { enabled: keepInSync, fingerprint: refreshTokenFingerprint(refreshToken), writtenAt: now },
  });
}

/** The sync hooks for the token service; active only for identities with sync enabled. */
export function createPythonSync(deps: PythonSyncDeps): RefreshTokenSync {
  return {
    async choose(identity, ours) {
      if (!identity.pythonSync?.enabled) return ours;
      const entry = await storeEntry(deps.storePath, identity);
      const mark = identity.pythonSync.fingerprint && identity.pythonSync.writtenAt !== null
        ? { fingerprint: identity.pythonSync.fingerprint, writtenAt: identity.pythonSync.writtenAt }
        : null;
      const action = decideSync({
        ours: { refreshToken: ours, obtainedAt: identity.accessTokenObtainedAt },
        store: entry,
        lastWritten: mark,
      });
      return action === 'adopt-store' && entry ? entry.refreshToken : ours;
    },
    async saved(identity, refreshToken) {
      const current = deps.identities.getIdentity(identity.id) ?? identity;
      if (!current.pythonSync?.enabled) return;
      await exportRefreshToken(deps, current, refreshToken, true);
    },
    async alternative(identity, refused) {
      if (!identity.pythonSync?.enabled) return null;
      const entry = await storeEntry(deps.storePath, identity);
      const decision = decideInvalidGrantFallback({ failedRefreshToken: refused, ours: null, store: entry, alreadyTried: [] });
      return decision === 'try-store' && entry ? entry.refreshToken : null;
    },
  };
}
