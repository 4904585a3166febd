/** The refresh token grant, rotation-aware. */
import * as oidc from 'openid-client';
import type { TokenSet } from '../../../shared/model.ts';
import { systemClock, type Clock } from '../ports.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { oidcError } from './errors.ts';
import type { IssuerConnection } from './issuer.ts';
import { previousForRefresh, tokenSetFromResponse } from './token-facts.ts';

export interface RefreshOptions {
  /** Ask for these scopes (default: the IdP keeps the grant's scopes). */
  scopes?: string[];
  clock?: Clock;
  /**
   * The token set being refreshed: its subject and refresh-token expiry carry over when the
   * IdP does not rotate the refresh token.
   */
  previous?: TokenSet;
}

/**
 * Exchanges `refreshToken` for new tokens. The result carries the refresh token to keep: the
 * rotated one, or the old one when the IdP sent none (persist it before forgetting the old).
 * Throws AuthTrayError: REFRESH_TOKEN_INVALID (invalid_grant: "This login has expired or was
 * revoked — sign in again."), IDP_UNREACHABLE, IDP_ERROR (5xx, with retryAfterMs),
 * IDP_INVALID_RESPONSE.
 */
export async function refreshTokens(conn: IssuerConnection, refreshToken: string, opts: RefreshOptions = {}): Promise<TokenSet> {
  registerSecret(refreshToken);
  const clock = opts.clock ?? systemClock;
  const parameters = opts.scopes?.length ? { scope: opts.scopes.join(' ') } : undefined;
  let response;
  try {
    response = await oidc.refreshTokenGrant(conn.configuration, refreshToken, parameters);
  } catch (e) {
    throw oidcError(e, 'refresh', conn.issuer);
  }
  return tokenSetFromResponse(response, clock.now(), previousForRefresh(refreshToken, opts.previous));
}
