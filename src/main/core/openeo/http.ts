/**
 * One careful JSON GET, used for every call to an openEO backend and for reading an IdP's
 * documents. It bounds everything a peer controls: time (one deadline for the whole exchange),
 * size (2 MB), redirects (5, same origin only, so an Authorization header never leaves the host
 * it was meant for) — and turns every failure into an AuthTrayError with a sentence.
 *
 * Cancellation: when the caller's signal aborts, the result is AuthTrayError `LOGIN_CANCELLED`
 * (the core's one "cancelled" code), with the signal's reason as `cause`. Timeouts are
 * `*_UNREACHABLE` with "did not answer within N s", so abort and timeout read differently.
 */
import { AuthTrayError } from '../errors.ts';
import type { FetchLike } from '../ports.ts';
import {
  cancelledError,
  describePeer,
  invalidBodyError,
  networkError,
  peerCodes,
  scrub,
  statusError,
  timeoutError,
  type Peer,
} from './http-failure.ts';
import { capitalise } from './validate.ts';

export { PeerHttpError, parseRetryAfter, type Peer } from './http-failure.ts';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_REDIRECTS = 5;

/** The I/O one request needs; everything optional so production code can pass nothing. */
export interface HttpDeps {
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** For the whole exchange, redirects and body included. Default 15 000. */
  timeoutMs?: number;
  /** Clock for `Retry-After` dates; default `Date.now`. */
  now?: () => number;
}

export interface JsonRequest extends HttpDeps {
  headers?: Record<string, string>;
  peer: Peer;
  /** Default {@link MAX_BODY_BYTES}. */
  maxBytes?: number;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Headers;
  /** The URL that finally answered (after same-origin redirects). */
  url: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url` and returns its JSON body when the status is 2xx.
 *
 * @throws AuthTrayError — `*_UNREACHABLE` (network, timeout), `*_INVALID_RESPONSE` (HTML, not
 *   JSON, empty, too big, redirect elsewhere or too often), `PeerHttpError` for non-2xx
 *   (`*_ERROR` with `retryAfterMs`, `TOKEN_INVALID`), `LOGIN_CANCELLED` (caller aborted).
 */
export async function getJson(url: string, req: JsonRequest): Promise<JsonResponse> {
  const fetchImpl: FetchLike = req.fetch ?? globalThis.fetch;
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = req.now ?? Date.now;
  let current = new URL(url);
  const origin = current.origin;
  const secrets = authorizationSecrets(req.headers);
  const sentAuthorization = secrets.length > 0;
  const headers = { Accept: 'application/json', ...req.headers };

  if (req.signal?.aborted) throw cancelledError(req.peer, current, req.signal.reason);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timeout after ${timeoutMs} ms`));
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let midBody = false;
  try {
    for (let hop = 0; ; hop++) {
      midBody = false;
      const res = await fetchOnce(fetchImpl, current, { method: 'GET', headers, redirect: 'manual', signal: controller.signal });
      if (REDIRECT_STATUSES.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        current = nextHop(req.peer, current, origin, res.headers.get('location'), hop);
        continue;
      }
      midBody = true;
      const text = await readCapped(res, req.maxBytes ?? MAX_BODY_BYTES, req.peer, current);
      midBody = false;
      const contentType = res.headers.get('content-type') ?? '';
      if (res.status < 200 || res.status > 299) {
        throw statusError({
          peer: req.peer,
          url: current,
          status: res.status,
          body: tryParse(text),
          retryAfter: res.headers.get('retry-after'),
          sentAuthorization,
          now: now(),
          secrets,
        });
      }
      return { status: res.status, body: parseJson(text, contentType, req.peer, current), headers: res.headers, url: current.href };
    }
  } catch (e) {
    if (e instanceof AuthTrayError) throw e;
    if (req.signal?.aborted) throw cancelledError(req.peer, current, req.signal.reason);
    if (timedOut) throw timeoutError(req.peer, current, timeoutMs);
    throw networkError(req.peer, current, e, midBody);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * One GET, repeated once when a kept-alive connection turned out to be closed before any answer
 * (undici's UND_ERR_SOCKET) — what browsers do too: the server went away between two requests,
 * and the second try tells whether it is really gone (connection refused) or back.
 */
async function fetchOnce(fetchImpl: FetchLike, url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (e) {
    const code = (e as { cause?: { code?: unknown } } | null)?.cause?.code;
    if (code !== 'UND_ERR_SOCKET' || init.signal?.aborted) throw e;
    return fetchImpl(url, init);
  }
}

/** Checks a redirect target: same origin only, at most {@link MAX_REDIRECTS} hops. */
function nextHop(peer: Peer, from: URL, origin: string, location: string | null, hop: number): URL {
  const { invalid } = peerCodes(peer);
  const who = describePeer(peer, from);
  if (location === null || location === '') throw invalidBodyError(peer, from, 'a redirect without a target');
  let to: URL;
  try {
    to = new URL(location, from);
  } catch (cause) {
    throw invalidBodyError(peer, from, 'a redirect to an invalid address', cause);
  }
  if (to.origin !== origin) {
    throw new AuthTrayError(invalid, `${capitalise(who)} redirected to another host (${to.host}); for your security the app does not follow it.`, {
      nextStep: `If ${to.host} is the right address, enter that address instead.`,
    });
  }
  if (hop + 1 > MAX_REDIRECTS) {
    throw new AuthTrayError(invalid, `${capitalise(who)} redirected more than ${MAX_REDIRECTS} times.`, {
      nextStep: 'The service seems misconfigured; try again later or tell its operators.',
    });
  }
  return to;
}

/** Reads the body as UTF-8 text, refusing more than `maxBytes` (announced or actual). */
async function readCapped(res: Response, maxBytes: number, peer: Peer, url: URL): Promise<string> {
  const tooBig = (): AuthTrayError =>
    invalidBodyError(peer, url, `more than ${Math.round(maxBytes / 1024 / 1024)} MB of data, far more than expected`);
  const announced = Number(res.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** JSON or a clear "this is a web page" / "this is not JSON"; any content type that parses is accepted. */
function parseJson(text: string, contentType: string, peer: Peer, url: URL): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw invalidBodyError(peer, url, 'an empty answer instead of JSON');
  if (/html/i.test(contentType) || trimmed.startsWith('<')) {
    throw invalidBodyError(peer, url, 'a web page (HTML) instead of JSON');
  }
  try {
    return JSON.parse(trimmed);
  } catch (cause) {
    throw invalidBodyError(peer, url, 'something that is not valid JSON (it may have been cut off)', cause);
  }
}

/** The Authorization value and its token part, to scrub from anything a peer echoes back. */
function authorizationSecrets(headers: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'authorization') continue;
    out.push(value);
    const credentials = value.replace(/^\s*\S+\s+/, '');
    out.push(credentials);
    const token = credentials.replace(/^oidc\/[^/]*\//, '');
    out.push(token);
  }
  return out.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}
