/**
 * Device authorization grant (RFC 8628) with PKCE S256. openid-client polls and honours
 * `interval` and `slow_down`; this module adds the code's lifetime, prompt cancellation and
 * the distinct outcomes (refused, expired, cancelled, unreachable).
 */
import * as oidc from 'openid-client';
import { AuthTrayError } from '../errors.ts';
import type { TokenSet } from '../../../shared/model.ts';
import { MAX_TIMER_DELAY_MS, systemClock, type Clock } from '../ports.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { peerLine } from '../../../shared/format/peer-text.ts';
import { isOpenableUrl } from '../external-url.ts';
import { issuerHost, loginCancelled, loginExpired, oidcError } from './errors.ts';
import { configurationFor, type IssuerConnection } from './issuer.ts';
import { tokenSetFromResponse } from './token-facts.ts';

const MAX_URL_LENGTH = 2048;
/** User codes are a handful of characters (RFC 8628 suggests 8); anything longer is cut. */
const MAX_USER_CODE_LENGTH = 64;

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
  /**
   * Set when the sign-in page is not where the identity provider itself lives (another host, or
   * not https): one sentence to show beside the code, so a look-alike page is not trusted blindly.
   */
  warning: string | null;
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
  // Shown on a terminal, in the window and as a QR code: bounded, one line, no control characters.
  const authorization: DeviceAuthorization = {
    verificationUri: peerLine(response.verification_uri, MAX_URL_LENGTH),
    verificationUriComplete: response.verification_uri_complete === undefined ? null : peerLine(response.verification_uri_complete, MAX_URL_LENGTH),
    userCode: peerLine(response.user_code, MAX_USER_CODE_LENGTH),
    expiresAt: issuedAt + response.expires_in * 1000,
    interval: response.interval ?? 5,
    warning: null,
  };
  authorization.warning = verificationPageWarning(conn.issuer, [authorization.verificationUri, authorization.verificationUriComplete]);
  const result = pollForTokens(conn, config, response, verifier, opts.signal, clock);
  // The caller may attach its handler later; the rejection is still delivered to it then.
  result.catch(() => undefined);
  return { authorization, result };
}

/**
 * The warning for a sign-in page that is not on the issuer's own host, or not on https (plain
 * http only for this computer), or no web address at all. Null when every page given is fine.
 */
export function verificationPageWarning(issuer: string, pages: ReadonlyArray<string | null>): string | null {
  const own = issuerHost(issuer);
  const ownName = hostnameOf(issuer);
  for (const page of pages) {
    if (page === null) continue;
    if (!isOpenableUrl(page)) {
      return `The identity provider at ${own} gave a sign-in page address that is not a secure web address (${page.slice(0, 80)}). Do not sign in there; cancel and tell the backend's support.`;
    }
    const host = hostnameOf(page);
    if (host !== ownName) {
      return `The sign-in page is on ${host}, not on the identity provider's own address (${ownName}). Sign in there only if you trust ${host}.`;
    }
  }
  return null;
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
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
  // An IdP may claim any lifetime; a timer holds at most about 24.8 days (a longer one fires at once).
  const timer = setTimeout(
    () => lifetime.abort(new DOMException('the device code expired', 'TimeoutError')),
    Math.min(Math.max(0, response.expires_in * 1000), MAX_TIMER_DELAY_MS),
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
