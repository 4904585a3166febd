/**
 * Device authorization grant (RFC 8628) with PKCE S256. openid-client polls and honours
 * `interval` and `slow_down`; this module adds the code's lifetime, prompt cancellation and
 * the distinct outcomes (refused, expired, cancelled, unreachable).
 */
import * as oidc from 'openid-client';
import { AuthTrayError } from '../errors.ts';
import type { TokenSet } from '../model.ts';
import { systemClock, type Clock } from '../ports.ts';
import { registerSecret } from '../redact.ts';
import { issuerHost, loginCancelled, loginExpired, oidcError } from './errors.ts';
import { configurationFor, type IssuerConnection } from './issuer.ts';
import { tokenSetFromResponse } from './token-facts.ts';

/** What the user needs to finish the sign-in on another device or in a browser. */
export interface DeviceAuthorization {
  verificationUri: string;
  /** The URL with the code already in it, when the IdP offers one. */
  verificationUriComplete: string | null;
  userCode: string;
  /** When the code stops working, epoch ms. */
  expiresAt: number;
  /** Seconds between polls as the IdP asked (5 when it did not say). */
  interval: number;
}

export interface DeviceLogin {
  authorization: DeviceAuthorization;
  /** Resolves with tokens, rejects with AuthTrayError. */
  result: Promise<TokenSet>;
}

export interface DeviceLoginOptions {
  scopes: string[];
  /** Send a PKCE S256 challenge (and the verifier when polling). */
  usePkce: boolean;
  signal?: AbortSignal;
  clock?: Clock;
}

/**
 * Starts a device login: asks the IdP for a user code, then polls in the background.
 * Rejections of `result`: LOGIN_REFUSED (access_denied), LOGIN_EXPIRED (expired_token or the
 * code's lifetime ran out), LOGIN_CANCELLED (signal), IDP_UNREACHABLE, IDP_ERROR,
 * IDP_INVALID_RESPONSE. Starting itself throws the same codes.
 */
export async function startDeviceLogin(conn: IssuerConnection, opts: DeviceLoginOptions): Promise<DeviceLogin> {
  const clock = opts.clock ?? systemClock;
  if (opts.signal?.aborted) throw loginCancelled(opts.signal.reason);
  if (!conn.capabilities.deviceFlow) {
    throw new AuthTrayError('IDP_ERROR', `The identity provider at ${issuerHost(conn.issuer)} does not offer sign-in with a device code.`, {
      nextStep: 'Use the browser sign-in for this provider instead.',
    });
  }
  const config = configurationFor(conn, opts.signal);

  const verifier = opts.usePkce ? oidc.randomPKCECodeVerifier() : undefined;
  registerSecret(verifier);
  const parameters: Record<string, string> = { scope: opts.scopes.join(' ') };
  if (verifier !== undefined) {
    parameters['code_challenge'] = await oidc.calculatePKCECodeChallenge(verifier);
    parameters['code_challenge_method'] = 'S256';
  }

  let response: oidc.DeviceAuthorizationResponse;
  try {
    response = await oidc.initiateDeviceAuthorization(config, parameters);
  } catch (e) {
    if (opts.signal?.aborted) throw loginCancelled(e);
    throw oidcError(e, 'device-login', conn.issuer);
  }
  registerSecret(response.device_code);
  const issuedAt = clock.now();
  const authorization: DeviceAuthorization = {
    verificationUri: response.verification_uri,
    verificationUriComplete: response.verification_uri_complete ?? null,
    userCode: response.user_code,
    expiresAt: issuedAt + response.expires_in * 1000,
    interval: response.interval ?? 5,
  };
  const result = pollForTokens(conn, config, response, verifier, opts.signal, clock);
  // The caller may attach its handler later; the rejection is still delivered to it then.
  result.catch(() => undefined);
  return { authorization, result };
}

function pollForTokens(
  conn: IssuerConnection,
  config: oidc.Configuration,
  response: oidc.DeviceAuthorizationResponse,
  verifier: string | undefined,
  callerSignal: AbortSignal | undefined,
  clock: Clock,
): Promise<TokenSet> {
  // Passing our own signal disables openid-client's expiry timeout, so keep one ourselves.
  const lifetime = new AbortController();
  const timer = setTimeout(
    () => lifetime.abort(new DOMException('the device code expired', 'TimeoutError')),
    response.expires_in * 1000,
  );
  const signal = callerSignal ? AbortSignal.any([callerSignal, lifetime.signal]) : lifetime.signal;

  const outcome = (cause: unknown) => {
    if (callerSignal?.aborted) return loginCancelled(cause);
    if (lifetime.signal.aborted) return loginExpired(cause);
    return oidcError(cause, 'device-login', conn.issuer);
  };

  return new Promise<TokenSet>((resolve, reject) => {
    // openid-client notices an abort only between its waits; answer the caller at once.
    const onAbort = () => {
      clearTimeout(timer);
      reject(outcome(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    oidc
      .pollDeviceAuthorizationGrant(config, response, verifier ? { code_verifier: verifier } : undefined, { signal })
      .then(
        (tokens) => resolve(tokenSetFromResponse(tokens as unknown as Record<string, unknown>, clock.now())),
        (e: unknown) => reject(outcome(e)),
      )
      .catch((e: unknown) => reject(outcome(e)))
      .finally(finish);
  });
}
