/**
 * Two-way sync of one identity's refresh token with the openEO Python client's store.
 * Before we spend our token we look whether the Python client saved a newer (rotated) one and
 * adopt it; after we rotate we write ours back; when ours is refused we try theirs once.
 *
 * The store has ONE slot per issuer + client, and anyone may have written it: the Python client
 * after a login of its own, as whichever person signed in there, or this app for another
 * identity. So a token from the store is never taken on trust:
 * - it is not even tried when it is provably someone else's without spending it (it is the token
 *   another identity of ours wrote there, or a JWT naming another subject), or when this identity
 *   has no user id or subject to compare with;
 * - once spent, the token service uses the result only after the new tokens prove to be this
 *   identity's person ({@link RefreshTokenSync.giveBack} takes the other cases);
 * - one identity owns the slot: exporting one turns the sync of the others on that slot off, and
 *   a write-back never replaces the token another identity of ours put there.
 */
import { isAuthTrayError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import type { Identity } from '../../../shared/model.ts';
import { jwtSubject } from '../oidc/token-facts.ts';
import { getStoredRefreshToken, issuerKey, readRefreshTokenStore, removeRefreshToken, writeRefreshToken } from '../python/refresh-token-store.ts';
import { decideInvalidGrantFallback, decideSync, refreshTokenFingerprint } from '../python/sync-policy.ts';
import type { IdentityRepository, LogFn } from './ports.ts';
import type { RefreshTokenSync } from './refresh-token-source.ts';

export interface PythonSyncDeps {
  storePath: string;
  identities: IdentityRepository;
  clock: Clock;
  log?: LogFn;
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

/** The other identities of ours that share `identity`'s slot in the store (same issuer + client). */
function slotNeighbours(deps: PythonSyncDeps, identity: Pick<Identity, 'id' | 'issuer' | 'clientId'>): Identity[] {
  const key = issuerKey(identity.issuer);
  return deps.identities.listIdentities().filter((i) => i.id !== identity.id && issuerKey(i.issuer) === key && i.clientId === identity.clientId);
}

/**
 * Whether the store's token is provably not this identity's, without spending it: another
 * identity of ours wrote it, or it is a JWT naming another subject. Also true when there is
 * nothing to prove a token against (no subject, no user id): then it is never adopted.
 */
function notOurs(deps: PythonSyncDeps, identity: Identity, storeToken: string): boolean {
  if (!identity.subject && !identity.userId) return true;
  const fingerprint = refreshTokenFingerprint(storeToken);
  if (slotNeighbours(deps, identity).some((i) => i.pythonSync?.fingerprint === fingerprint)) return true;
  const named = jwtSubject(storeToken);
  return named !== undefined && identity.subject !== undefined && named !== identity.subject;
}

async function setSync(deps: PythonSyncDeps, identity: Identity, enabled: boolean): Promise<void> {
  const current = deps.identities.getIdentity(identity.id);
  if (!current?.pythonSync || current.pythonSync.enabled === enabled) return;
  await deps.identities.updateIdentity(identity.id, { pythonSync: { ...current.pythonSync, enabled } });
}

/**
 * Writes `refreshToken` to the store for `identity` and records what we wrote (a fingerprint).
 * With `keepInSync`, this identity now owns the store's slot: the sync of every other identity
 * on the same issuer + client is turned off (the slot holds one login, and it is this one now).
 */
export async function exportRefreshToken(deps: PythonSyncDeps, identity: Identity, refreshToken: string, keepInSync: boolean): Promise<void> {
  const now = deps.clock.now();
  await writeRefreshToken(deps.storePath, identity.issuer, identity.clientId, refreshToken, now);
  await deps.identities.updateIdentity(identity.id, {
    pythonSync: { enabled: keepInSync, fingerprint: refreshTokenFingerprint(refreshToken), writtenAt: now },
  });
  for (const other of slotNeighbours(deps, identity)) {
    if (!other.pythonSync?.enabled) continue;
    await setSync(deps, other, false);
    deps.log?.('info', `${other.id}: sync with the Python client's store turned off; the store now holds the login of ${identity.id}`);
  }
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
      if (action !== 'adopt-store' || !entry) return ours;
      if (notOurs(deps, identity, entry.refreshToken)) {
        deps.log?.('info', `${identity.id}: the Python client's store holds a login that is not this one's; it is left alone`);
        return ours;
      }
      return entry.refreshToken;
    },
    async saved(identity, refreshToken) {
      const current = deps.identities.getIdentity(identity.id) ?? identity;
      if (!current.pythonSync?.enabled) return;
      const entry = await storeEntry(deps.storePath, current);
      const taken = entry && slotNeighbours(deps, current).some((i) => i.pythonSync?.fingerprint === refreshTokenFingerprint(entry.refreshToken));
      if (taken) {
        // Another identity of ours exported its login there since: the slot is theirs now.
        await setSync(deps, current, false);
        deps.log?.('info', `${current.id}: sync with the Python client's store turned off; the store holds another identity's login`);
        return;
      }
      await exportRefreshToken(deps, current, refreshToken, true);
    },
    async afterRefusal(identity, { refused, ours, tried }) {
      const entry = identity.pythonSync?.enabled ? await storeEntry(deps.storePath, identity) : null;
      // A token provably someone else's is no candidate at all.
      const store = entry && !notOurs(deps, identity, entry.refreshToken) ? entry : null;
      const decision = decideInvalidGrantFallback({
        failedRefreshToken: refused,
        ours: { refreshToken: ours },
        store,
        alreadyTried: [...tried].map(refreshTokenFingerprint),
      });
      if (decision === 'try-store' && store) return store.refreshToken;
      return decision === 'try-ours' ? ours : null;
    },
    async forget(identity, ours) {
      if (!identity.pythonSync) return 'none';
      const entry = await storeEntry(deps.storePath, identity);
      if (!entry) return 'none';
      const fingerprint = refreshTokenFingerprint(entry.refreshToken);
      const mine = fingerprint === identity.pythonSync.fingerprint || (ours !== null && fingerprint === refreshTokenFingerprint(ours));
      if (!mine) return 'left';
      await removeRefreshToken(deps.storePath, identity.issuer, identity.clientId);
      return 'removed';
    },
    async giveBack(identity, rotated, otherPerson) {
      // We spent the store's token: hand its successor back so that the login it belongs to keeps
      // working in Python; when it is proven another person's, stop following that slot.
      if (rotated) await writeRefreshToken(deps.storePath, identity.issuer, identity.clientId, rotated, deps.clock.now());
      if (!otherPerson) return;
      await setSync(deps, identity, false);
      deps.log?.('warn', `${identity.id}: the Python client's store held another person's login; it was given back its renewed token and sync for ${identity.id} was turned off`);
    },
  };
}
