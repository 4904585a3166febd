/** Token revocation (RFC 7009) for sign-out. */
import * as oidc from 'openid-client';
import type { AuthTrayError } from '../errors.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { oidcError } from './errors.ts';
import type { IssuerConnection } from './issuer.ts';

export type RevocableToken = 'refresh_token' | 'access_token';

export interface RevocationOutcome {
  revoked: RevocableToken[];
  failed: RevocableToken[];
  /** Why the failed ones failed, in words (never containing a token). */
  problem?: 'no-revocation-endpoint' | 'idp-error';
  /** The last revocation failure, for the log. */
  error?: AuthTrayError;
}

/**
 * Revokes the refresh token first (that ends the grant at most IdPs), then the access token,
 * each with its `token_type_hint`. Never throws: what failed is reported, and a missing
 * revocation endpoint is reported as such so sign-out can still forget the tokens locally.
 */
export async function revokeTokens(
  conn: IssuerConnection,
  tokens: { refreshToken?: string; accessToken?: string },
): Promise<RevocationOutcome> {
  const todo: Array<[RevocableToken, string]> = [];
  if (tokens.refreshToken) todo.push(['refresh_token', tokens.refreshToken]);
  if (tokens.accessToken) todo.push(['access_token', tokens.accessToken]);
  for (const [, token] of todo) registerSecret(token);

  if (!conn.capabilities.revocation) {
    return { revoked: [], failed: todo.map(([kind]) => kind), ...(todo.length ? { problem: 'no-revocation-endpoint' as const } : {}) };
  }
  const outcome: RevocationOutcome = { revoked: [], failed: [] };
  for (const [kind, token] of todo) {
    try {
      await oidc.tokenRevocation(conn.configuration, token, { token_type_hint: kind });
      outcome.revoked.push(kind);
    } catch (e) {
      outcome.failed.push(kind);
      outcome.problem = 'idp-error';
      outcome.error = oidcError(e, 'revocation', conn.issuer);
    }
  }
  return outcome;
}
