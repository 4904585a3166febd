/**
 * The one place where openid-client's errors become AuthTrayErrors. Every flow calls
 * {@link oidcError} with the operation it was doing, because the same server answer means
 * different things in different flows (`invalid_grant` on a refresh is "sign in again",
 * on a device poll it is a dead sign-in code).
 */
import * as oidc from 'openid-client';
import { AuthTrayError, type ErrorCode } from '../errors.ts';
import { peerLine } from '../../../shared/format/peer-text.ts';

export type OidcOperation =
  | 'discovery'
  | 'device-login'
  | 'browser-login'
  | 'refresh'
  | 'client-credentials'
  | 'revocation';

/** Used when a 5xx/503 names no Retry-After: long enough not to hammer a struggling IdP. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

export const REFRESH_TOKEN_INVALID_MESSAGE =
  'This login has expired or was revoked — sign in again.';

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

/** The host of an issuer, for messages ("identity.dataspace.copernicus.eu"). */
export function issuerHost(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}

function errorCodeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure to talk to the server at all (refused, reset, DNS), as undici reports it. */
export function isNetworkFailure(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const code = errorCodeOf(cur);
    if (code && NETWORK_CODES.has(code)) return true;
    if (cur instanceof TypeError && cur.message === 'fetch failed') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** Milliseconds from a Retry-After header (seconds or HTTP date), if there is a usable one. */
export function retryAfterMs(response: Response | undefined, now = Date.now()): number | undefined {
  const value = response?.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** An IdP's error text, shortened and stripped of control characters; redaction happens in AuthTrayError. */
function describe(error: string, description: unknown): string {
  const clean = (s: string) => peerLine(s, 1024).slice(0, 200);
  const d = typeof description === 'string' ? clean(description) : '';
  return d ? `${clean(error)}: ${d}` : clean(error);
}

function make(code: ErrorCode, message: string, cause: unknown, nextStep?: string, retry?: number) {
  return new AuthTrayError(code, message, {
    cause,
    ...(nextStep === undefined ? {} : { nextStep }),
    ...(retry === undefined ? {} : { retryAfterMs: retry }),
  });
}

export function loginCancelled(cause?: unknown): AuthTrayError {
  return make('LOGIN_CANCELLED', 'The sign-in was cancelled.', cause, 'Start the sign-in again when you are ready.');
}

export function loginExpired(cause?: unknown): AuthTrayError {
  return make(
    'LOGIN_EXPIRED',
    'The sign-in code expired before the sign-in was finished.',
    cause,
    'Start the sign-in again and finish it in the browser within the time shown.',
  );
}

export function loginRefused(cause?: unknown, detail?: string): AuthTrayError {
  return make(
    'LOGIN_REFUSED',
    detail ?? 'The sign-in was refused at the identity provider.',
    cause,
    'Start the sign-in again and approve the access request.',
  );
}

function unreachable(host: string, cause: unknown, timedOut = false): AuthTrayError {
  return make(
    'IDP_UNREACHABLE',
    timedOut
      ? `The identity provider at ${host} did not answer in time.`
      : `Could not reach the identity provider at ${host}.`,
    cause,
    'Check your internet connection and try again.',
  );
}

function invalidResponse(host: string, cause: unknown): AuthTrayError {
  return make(
    'IDP_INVALID_RESPONSE',
    `The identity provider at ${host} sent an answer that is not valid OpenID Connect.`,
    cause,
    'Try again later; if it keeps happening, tell the backend’s support.',
  );
}

function serverTrouble(host: string, status: number, cause: unknown, response?: Response): AuthTrayError {
  return make(
    'IDP_ERROR',
    `The identity provider at ${host} has a problem right now (HTTP ${status}).`,
    cause,
    'Try again in a few minutes.',
    retryAfterMs(response) ?? DEFAULT_RETRY_AFTER_MS,
  );
}

/** An OAuth error answer (`{error, error_description}`), mapped by what we were doing. */
function fromOAuthError(
  op: OidcOperation, host: string, error: string, description: unknown, status: number,
  cause: unknown, response?: Response,
): AuthTrayError {
  if (status >= 500 || error === 'server_error' || error === 'temporarily_unavailable') {
    return serverTrouble(host, status, cause, response);
  }
  if (error === 'access_denied') return loginRefused(cause);
  if (error === 'expired_token') return loginExpired(cause);
  if (error === 'invalid_grant') {
    if (op === 'refresh') return make('REFRESH_TOKEN_INVALID', REFRESH_TOKEN_INVALID_MESSAGE, cause);
    if (op === 'device-login') return loginExpired(cause);
  }
  if (op === 'client-credentials' && (error === 'invalid_client' || error === 'unauthorized_client')) {
    return make(
      'CLIENT_CREDENTIALS_REFUSED',
      `The identity provider at ${host} did not accept this client ID and secret.`,
      cause,
      'Check the client ID, and the secret (or create a new one where the client is registered).',
    );
  }
  return make(
    'IDP_ERROR',
    `The identity provider at ${host} refused the request (${describe(error, description)}).`,
    cause,
    'Check the sign-in settings of this identity, then try again.',
  );
}

/**
 * Maps anything an openid-client call threw to an AuthTrayError. `issuer` names the IdP in the
 * message. Caller cancellation (OAUTH_ABORT) becomes LOGIN_CANCELLED; a timeout of a single
 * request becomes IDP_UNREACHABLE (the device flow handles its own code lifetime before this).
 */
export function oidcError(e: unknown, op: OidcOperation, issuer: string): AuthTrayError {
  if (e instanceof AuthTrayError) return e;
  // What the HTTP layer (boundedFetch) threw, wrapped by openid-client: already in words.
  if (e instanceof oidc.ClientError && e.cause instanceof AuthTrayError) return e.cause;
  const host = issuerHost(issuer);
  if (e instanceof oidc.ResponseBodyError) {
    return fromOAuthError(op, host, e.error, e.error_description, e.status, e, e.response);
  }
  if (e instanceof oidc.AuthorizationResponseError) {
    return fromOAuthError(op, host, e.error, e.error_description, 400, e);
  }
  if (e instanceof oidc.WWWAuthenticateChallengeError) {
    // A 401 challenge without an error code is how some IdPs refuse client authentication.
    const challenge = e.cause[0];
    const error = challenge?.parameters.error ?? (e.status === 401 ? 'invalid_client' : `HTTP ${e.status}`);
    return fromOAuthError(op, host, error, challenge?.parameters.error_description, e.status, e, e.response);
  }
  if (isNetworkFailure(e)) return unreachable(host, e);
  const code = errorCodeOf(e);
  switch (code) {
    case 'OAUTH_ABORT':
      return loginCancelled(e);
    case 'OAUTH_TIMEOUT':
      return unreachable(host, e, true);
    case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
    case 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN':
      return make('INSECURE_URL', `The identity provider at ${host} sent an address that does not use https.`, e,
        'Only https is allowed for identity providers that are not on this computer.');
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
    case 'OAUTH_RESPONSE_IS_NOT_JSON': {
      const response = (e as Error).cause;
      if (response instanceof Response && response.status >= 500) {
        return serverTrouble(host, response.status, e, response);
      }
      return invalidResponse(host, e);
    }
    case 'OAUTH_PARSE_ERROR':
    case 'OAUTH_INVALID_RESPONSE':
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
    case 'OAUTH_KEY_SELECTION_FAILED':
    case 'OAUTH_MISSING_SERVER_METADATA':
    case 'OAUTH_INVALID_SERVER_METADATA':
      return invalidResponse(host, e);
    default:
      break;
  }
  if (e instanceof oidc.ClientError && e.cause instanceof Error) {
    // openid-client's catch-all ("something went wrong") wraps what our fetch threw.
    return oidcError(e.cause, op, issuer);
  }
  if (e instanceof DOMException && e.name === 'AbortError') return loginCancelled(e);
  if (e instanceof DOMException && e.name === 'TimeoutError') return unreachable(host, e, true);
  const detail = e instanceof Error ? e.message : String(e);
  return make('INTERNAL', `Something unexpected went wrong while talking to ${host}: ${detail}`, e,
    'Try again; if it keeps happening, report it with the log file.');
}
