/**
 * The lean refresh: one POST of a refresh_token grant to a token endpoint already known from the
 * kept discovery document, without loading openid-client (which a one-shot CLI process would pay
 * for on every refresh). Public clients only. Anything but a success is mapped by errors.ts, the
 * same way as openid-client's errors, which is loaded only then.
 */
import { AuthTrayError } from '../errors.ts';
import type { TokenSet } from '../model.ts';
import type { Clock, FetchLike } from '../ports.ts';
import { registerSecret } from '../redact.ts';
import { isLoopbackHost } from './loopback.ts';
import { previousForRefresh, tokenSetFromResponse } from './token-facts.ts';

/** A token response is a few KiB; a far larger body is not one. */
const MAX_BODY_CHARS = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

export interface RefreshGrantRequest {
  issuer: string;
  tokenEndpoint: string;
  clientId: string;
  refreshToken: string;
  clock: Clock;
  fetch?: FetchLike;
  timeoutMs?: number;
  previous?: TokenSet;
}

/** Whether the lean path may use this endpoint: https, or plain http on this computer. */
export function usableTokenEndpoint(endpoint: unknown): endpoint is string {
  if (typeof endpoint !== 'string') return false;
  try {
    const url = new URL(endpoint);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

/**
 * Exchanges the refresh token. Throws AuthTrayError like `refreshTokens` (refresh.ts):
 * REFRESH_TOKEN_INVALID, IDP_UNREACHABLE, IDP_ERROR (with retryAfterMs), IDP_INVALID_RESPONSE.
 */
export async function refreshAtTokenEndpoint(req: RefreshGrantRequest): Promise<TokenSet> {
  registerSecret(req.refreshToken);
  if (!usableTokenEndpoint(req.tokenEndpoint)) {
    throw new AuthTrayError('INSECURE_URL', 'The identity provider\'s token endpoint does not use https, so it was not contacted.', {
      nextStep: 'Only https is allowed for identity providers that are not on this computer.',
    });
  }
  const doFetch: FetchLike = req.fetch ?? ((input, init) => fetch(input, init));
  let response: Response;
  let text: string;
  try {
    response = await doFetch(req.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: req.refreshToken, client_id: req.clientId }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (e) {
    throw (await import('./errors.ts')).oidcError(e, 'refresh', req.issuer);
  }
  let body: unknown;
  try {
    body = text.length > MAX_BODY_CHARS ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const ok = response.status === 200 && body !== null && typeof body === 'object' && !Array.isArray(body)
    && typeof (body as Record<string, unknown>).access_token === 'string'
    && /^bearer$/i.test(String((body as Record<string, unknown>).token_type ?? 'bearer'));
  if (!ok) throw (await import('./errors.ts')).oidcAnswerError('refresh', req.issuer, response, body);
  return tokenSetFromResponse(body as Record<string, unknown>, req.clock.now(), previousForRefresh(req.refreshToken, req.previous));
}
