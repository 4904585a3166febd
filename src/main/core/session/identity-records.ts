/** Creating identity records and finding the one a login belongs to. */
import { AuthTrayError } from '../errors.ts';
import type { Identity, TokenSet } from '../../../shared/model.ts';
import { normaliseBackendUrl } from '../openeo/backend-url.ts';

/** A short, readable, unique id: the backend's first host label plus 6 hex digits, e.g. `cdse-3f9a1c`. */
export function newIdentityId(backendUrl: string, providerId: string, taken: ReadonlySet<string>): string {
  let host = 'openeo';
  try {
    host = new URL(backendUrl).hostname;
  } catch {
    // keep the generic prefix
  }
  const known: Record<string, string> = { 'openeo.dataspace.copernicus.eu': 'cdse' };
  const base = ((Object.hasOwn(known, host) ? known[host] : undefined) ?? (providerId || host.split('.')[0] || 'openeo'))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24) || 'openeo';
  for (;;) {
    const id = `${base}-${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(3))).toString('hex')}`;
    if (!taken.has(id)) return id;
  }
}

/** What a login knows about the identity besides its tokens. */
export type NewIdentityFacts = Pick<Identity, 'kind' | 'flow' | 'label' | 'backendUrl' | 'apiUrl' | 'providerId' | 'issuer' | 'clientId' | 'scopes' | 'jwtBearer' | 'userId' | 'subject'>;

/** The identity record for a fresh login (no secrets in it). */
export function identityFromLogin(id: string, facts: NewIdentityFacts, tokens: TokenSet, now: number): Identity {
  return {
    id,
    ...facts,
    createdAt: now,
    ...tokenMetadata(tokens),
    warningsSent: [],
  };
}

/** The non-secret facts about a token set, as kept in the settings file. */
export function tokenMetadata(tokens: TokenSet): Pick<Identity, 'accessTokenExpiresAt' | 'accessTokenObtainedAt' | 'refreshTokenExpiry' | 'refreshTokenObtainedAt'> {
  return {
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    accessTokenObtainedAt: tokens.obtainedAt,
    refreshTokenExpiry: tokens.refreshToken ? tokens.refreshTokenExpiry : { kind: 'none' },
    refreshTokenObtainedAt: tokens.refreshToken ? tokens.obtainedAt : null,
  };
}

/**
 * The existing identity a login belongs to. An identity is one person at one backend: the same
 * backend (as typed, or the same versioned API) + issuer + client + user. The same person at a
 * second backend on the same IdP (CDSE and its federation, or a look-alike backend naming CDSE's
 * issuer) is a second identity, so the first one's tokens never go to the other backend.
 * Without a user id (backend gave none) only an explicit identity (sign in again) matches.
 */
export function findSameIdentity(
  identities: Identity[],
  facts: Pick<Identity, 'issuer' | 'clientId' | 'kind' | 'backendUrl' | 'apiUrl'> & { userId?: string },
): Identity | undefined {
  if (!facts.userId) return undefined;
  return identities.find(
    (i) => (i.backendUrl === facts.backendUrl || i.apiUrl === facts.apiUrl)
      && i.issuer === facts.issuer && i.clientId === facts.clientId && i.kind === facts.kind && i.userId === facts.userId,
  );
}

/**
 * Why a login may not renew `existing` ("Sign in again"), or null when it may: it must be the
 * same person (when both user ids are known) at the same backend.
 */
export function renewalMismatch(existing: Identity, facts: { backendUrl: string; apiUrl: string; userId?: string; subject?: string }): string | null {
  if (existing.backendUrl !== facts.backendUrl && existing.apiUrl !== facts.apiUrl) {
    return `This sign-in was made at ${facts.backendUrl}, but the login "${existing.label}" belongs to ${existing.backendUrl}.`;
  }
  if (existing.userId && facts.userId && existing.userId !== facts.userId) {
    return `You signed in as "${facts.userId}", but the login "${existing.label}" belongs to "${existing.userId}"; it was left as it was.`;
  }
  if (existing.subject && facts.subject && existing.subject !== facts.subject) {
    return `You signed in as another person than the one of the login "${existing.label}"; it was left as it was.`;
  }
  return null;
}

/** IDENTITY_NOT_FOUND for an identity id that is not (or no longer) in the settings file. */
export function identityNotFound(id: string): AuthTrayError {
  return new AuthTrayError('IDENTITY_NOT_FOUND', `The login "${id}" does not exist (any more).`, {
    nextStep: 'Run `openeo-auth-tray status` to see the logins there are.',
  });
}

/** Finds an identity by id or label; with no reference, the only one. */
export function resolveIdentity(identities: Identity[], ref: string | undefined): Identity {
  if (ref === undefined || ref === '') {
    if (identities.length === 1) return identities[0]!;
    throw new AuthTrayError(
      identities.length === 0 ? 'IDENTITY_NOT_FOUND' : 'IDENTITY_AMBIGUOUS',
      identities.length === 0 ? 'There are no openEO logins yet.' : `There are ${identities.length} logins; say which one.`,
      { nextStep: identities.length === 0 ? 'Sign in with: openeo-auth-tray login <backend-url>' : `Name one of: ${identities.map((i) => `${i.id} (${i.label})`).join(', ')}` },
    );
  }
  const byId = identities.find((i) => i.id === ref);
  if (byId) return byId;
  const byLabel = identities.filter((i) => i.label === ref);
  if (byLabel.length === 1) return byLabel[0]!;
  if (byLabel.length > 1) {
    throw new AuthTrayError('IDENTITY_AMBIGUOUS', `Several logins are labelled "${ref}".`, {
      nextStep: `Use the id instead: ${byLabel.map((i) => i.id).join(', ')}`,
    });
  }
  throw new AuthTrayError('IDENTITY_NOT_FOUND', `No login is called "${ref}".`, {
    nextStep: identities.length ? `Known logins: ${identities.map((i) => `${i.id} (${i.label})`).join(', ')}` : 'Sign in with: openeo-auth-tray login <backend-url>',
  });
}

/**
 * True when `url` (already normalised) addresses the identity's backend: its URL, its versioned
 * API root, or a path below its URL on the same origin (e.g. `…/openeo/1.2` of a backend added
 * as its bare host). Tokens go only where this holds: an identity is one person at one backend.
 */
export function isIdentityBackend(identity: Pick<Identity, 'backendUrl' | 'apiUrl'>, url: string): boolean {
  const own = [identity.backendUrl, identity.apiUrl].map((u) => u.replace(/\/+$/, ''));
  return own.some((u) => url === u || url.startsWith(`${u}/`));
}

/**
 * `resolveIdentity`, limited to one backend when `backend` is given: with a reference, the
 * identity must belong to that backend; without one, the only identity there is chosen.
 * Throws INVALID_URL for a bad address, IDENTITY_BACKEND_MISMATCH, IDENTITY_NOT_FOUND or
 * IDENTITY_AMBIGUOUS (listing the choices).
 */
export function resolveIdentityAt(identities: Identity[], ref: string | undefined, backend: string | undefined): Identity {
  if (backend === undefined) return resolveIdentity(identities, ref);
  const url = normaliseBackendUrl(backend);
  if (ref !== undefined && ref !== '') {
    const identity = resolveIdentity(identities, ref);
    if (isIdentityBackend(identity, url)) return identity;
    throw new AuthTrayError('IDENTITY_BACKEND_MISMATCH', `The login "${identity.id}" (${identity.label}) is for ${identity.backendUrl}, not for ${url}.`, {
      nextStep: `Connect to ${identity.backendUrl} with it, or sign in at ${url}: openeo-auth-tray login ${url}`,
    });
  }
  const here = identities.filter((i) => isIdentityBackend(i, url));
  if (here.length === 1) return here[0]!;
  if (here.length === 0) {
    throw new AuthTrayError('IDENTITY_NOT_FOUND', `There is no login for ${url} yet.`, {
      nextStep: `Sign in with: openeo-auth-tray login ${url}${identities.length ? ` (logins elsewhere: ${identities.map((i) => `${i.id} at ${i.backendUrl}`).join(', ')})` : ''}`,
    });
  }
  throw new AuthTrayError('IDENTITY_AMBIGUOUS', `There are ${here.length} logins for ${url}; say which one.`, {
    nextStep: `Name one of: ${here.map((i) => `${i.id} (${i.label})`).join(', ')}`,
  });
}
