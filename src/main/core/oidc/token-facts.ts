/**
 * What a token response tells us: the tokens (registered for redaction at once) and when each
 * one stops working, as far as that can be known.
 */
import { AuthTrayError } from '../errors.ts';
import type { RefreshTokenExpiry, TokenSet } from '../../../shared/model.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { hasControls } from '../../../shared/format/peer-text.ts';

/** The last instant a Date can hold (ms). A later "expiry" is nonsense and cannot be shown or stored. */
const LAST_DATE_MS = 8.64e15;

/** `ms` when it is a time after 1970 that a Date can show, else undefined. */
function instant(ms: number): number | undefined {
  return Number.isFinite(ms) && ms > 0 && ms <= LAST_DATE_MS ? ms : undefined;
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The `exp` of a JWT-shaped token, in epoch ms. The payload is decoded only: the signature is
 * not checked, so this is used for nothing but showing when a refresh token will expire.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && exp > 0 ? instant(Math.round(exp * 1000)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `sub` of a JWT-shaped token (Keycloak's refresh tokens are JWTs), decoded only: the
 * signature is not checked, so this may only ever be used to REFUSE a token as someone else's.
 */
export function jwtSubject(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1] || parts[1].length > 16_384) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** Keycloak's `refresh_expires_in` first (0 = offline token), then a JWT `exp`, else unknown. */
function refreshExpiry(response: Record<string, unknown>, refreshToken: string, now: number): RefreshTokenExpiry {
  const given = seconds(response['refresh_expires_in']);
  if (given === 0) return { kind: 'never' };
  const at = given === undefined ? undefined : instant(now + given * 1000);
  if (at !== undefined) return { kind: 'at', at };
  const exp = jwtExpiry(refreshToken);
  return exp === undefined ? { kind: 'unknown' } : { kind: 'at', at: exp };
}

/** `sub` from openid-client's validated ID token claims, when the response carries its helper. */
function subjectOf(response: Record<string, unknown>): string | undefined {
  const claims = response['claims'];
  if (typeof claims !== 'function') return undefined;
  try {
    const sub = (claims.call(response) as { sub?: unknown } | undefined)?.sub;
    // Kept as an identity's user id when /me gives none: bounded and plain, as the settings file wants.
    return typeof sub === 'string' && sub && sub.length <= 512 && !hasControls(sub) ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds a TokenSet from a token endpoint response received at `now` (epoch ms).
 * With `previous` (a refresh), a response without a new refresh token keeps the old one and its
 * expiry, unless the response states a new `refresh_expires_in`. Every token is registered as a
 * secret. Throws IDP_INVALID_RESPONSE when there is no access token.
 */
export function tokenSetFromResponse(response: Record<string, unknown>, now: number, previous?: TokenSet): TokenSet {
  const accessToken = response['access_token'];
  if (typeof accessToken !== 'string' || !accessToken) {
    throw new AuthTrayError('IDP_INVALID_RESPONSE', 'The identity provider answered without an access token.', {
      nextStep: 'Try again later; if it keeps happening, tell the backend’s support.',
    });
  }
  const newRefresh = typeof response['refresh_token'] === 'string' && response['refresh_token'] ? response['refresh_token'] : undefined;
  const idToken = typeof response['id_token'] === 'string' ? response['id_token'] : undefined;
  for (const secret of [accessToken, newRefresh, idToken]) registerSecret(secret);

  const expiresIn = seconds(response['expires_in']);
  const accessTokenExpiresAt = expiresIn === undefined ? undefined : instant(now + expiresIn * 1000);
  const refreshToken = newRefresh ?? previous?.refreshToken;
  let refreshTokenExpiry: RefreshTokenExpiry;
  if (refreshToken === undefined) refreshTokenExpiry = { kind: 'none' };
  else if (newRefresh !== undefined || seconds(response['refresh_expires_in']) !== undefined) {
    refreshTokenExpiry = refreshExpiry(response, refreshToken, now);
  } else refreshTokenExpiry = previous?.refreshTokenExpiry ?? { kind: 'unknown' };

  const tokenSet: TokenSet = {
    accessToken,
    accessTokenExpiresAt: accessTokenExpiresAt ?? null,
    obtainedAt: now,
    refreshTokenExpiry,
    tokenType: typeof response['token_type'] === 'string' ? response['token_type'] : 'bearer',
  };
  if (refreshToken !== undefined) tokenSet.refreshToken = refreshToken;
  if (idToken !== undefined) tokenSet.idToken = idToken;
  if (typeof response['scope'] === 'string') tokenSet.scope = response['scope'];
  const subject = subjectOf(response) ?? previous?.subject;
  if (subject !== undefined) tokenSet.subject = subject;
  return tokenSet;
}

/**
 * The token set a refresh of `refreshToken` starts from: its subject and expiry carry over when
 * the IdP does not rotate the refresh token (from `previous`, or the token's own JWT `exp`).
 */
export function previousForRefresh(refreshToken: string, previous?: TokenSet): TokenSet {
  const exp = jwtExpiry(refreshToken);
  return {
    ...(previous ?? { accessToken: '', accessTokenExpiresAt: null, obtainedAt: 0, tokenType: 'bearer' }),
    refreshToken,
    refreshTokenExpiry: previous?.refreshToken === refreshToken
      ? previous.refreshTokenExpiry
      : exp === undefined ? { kind: 'unknown' } : { kind: 'at', at: exp },
  };
}
