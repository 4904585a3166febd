/** The client credentials grant: a service identity with its own client id and secret. */
import * as oidc from 'openid-client';
import { AuthTrayError } from '../errors.ts';
import type { TokenSet } from '../../../shared/model.ts';
import { systemClock, type Clock } from '../ports.ts';
import { oidcError } from './errors.ts';
import { hasClientSecret, type IssuerConnection } from './issuer.ts';
import { tokenSetFromResponse } from './token-facts.ts';

export interface ClientCredentialsOptions {
  scopes: string[];
  clock?: Clock;
}

/**
 * Gets an access token for the connection's client (which must have been connected with a
 * secret; the auth method was chosen from the IdP's metadata). No refresh token: expiry `none`.
 * Throws AuthTrayError: CLIENT_CREDENTIALS_REFUSED (invalid_client), IDP_UNREACHABLE, IDP_ERROR,
 * IDP_INVALID_RESPONSE, SECRET_MISSING (no secret given).
 */
export async function clientCredentialsLogin(conn: IssuerConnection, opts: ClientCredentialsOptions): Promise<TokenSet> {
  if (!hasClientSecret(conn)) {
    throw new AuthTrayError('SECRET_MISSING', 'This service identity has no client secret.', {
      nextStep: 'Enter the client secret for this client ID.',
    });
  }
  const clock = opts.clock ?? systemClock;
  const parameters = opts.scopes.length ? { scope: opts.scopes.join(' ') } : undefined;
  let response;
  try {
    response = await oidc.clientCredentialsGrant(conn.configuration, parameters);
  } catch (e) {
    throw oidcError(e, 'client-credentials', conn.issuer);
  }
  return tokenSetFromResponse(response, clock.now());
}
