/**
 * The one HTTP layer of the app and the CLI. Every request goes through here, bounded in what a
 * peer controls: time (one deadline for the whole exchange, body included), size, and an abort
 * that stops it at once (so a refresh holding the cross-process lock lets go of it).
 * - {@link getJson}: one careful JSON GET, used for every call to an openEO backend: 2 MB,
 *   redirects (5, same origin only, so an Authorization header never leaves the host it was
 *   meant for), every failure an AuthTrayError with a sentence.
 * - {@link boundedFetch}: the fetch openid-client gets (`customFetch`) for every request to an
 *   identity provider (discovery, tokens, device flow, revocation): 1 MB, 30 s by default.
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
  statusError,
  timeoutError,
  type Peer,
} from './http-failure.ts';
import { capitalise } from '../openeo/validate.ts';

export { PeerHttpError, parseRetryAfter, type Peer } from './http-failure.ts';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_REDIRECTS = 5;
/** An IdP's documents and token answers are a few KB; a discovery document of 300 MB is an attack. */
export const MAX_IDP_BODY_BYTES = 1024 * 1024;
/** openid-client's own default. */
export const DEFAULT_IDP_TIMEOUT_MS = 30_000;

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
  return new TextDecoder('utf-8').decode(await readCappedBytes(res, maxBytes, peer, url));
}

/** The body's bytes, refusing more than `maxBytes` (announced or actual) without reading on. */
async function readCappedBytes(res: Response, maxBytes: number, peer: Peer, url: URL): Promise<Buffer> {
  const tooBig = (): AuthTrayError => {
    const mb = maxBytes / 1024 / 1024;
    return invalidBodyError(peer, url, `more than ${mb >= 1 ? `${Math.round(mb)} MB` : `${Math.round(maxBytes / 1024)} KB`} of data, far more than expected`);
  };
  const announced = Number(res.headers.get('content-length'));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (res.body === null) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: true; value?: undefined } | { done: false; value: Uint8Array };
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function isTimeout(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === 'TimeoutError';
}

/** Statuses whose Response may carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export interface BoundedFetchOptions {
  fetch?: FetchLike;
  /** Deadline of each request, from sending it to the last byte of its body. */
  timeoutMs?: number;
  /** Stops every request at once (the app quitting, a cancelled sign-in). */
  signal?: AbortSignal;
  /** Longest body accepted. */
  maxBytes?: number;
  peer: Peer;
}

/**
 * A fetch whose every request is bounded: it is aborted after `timeoutMs` (body included), when
 * `signal` or the request's own signal aborts, and its body is read — at most `maxBytes` of it —
 * before the Response is handed on, so the caller can never be held by a trickling body or fed
 * hundreds of megabytes. Failures are AuthTrayErrors: `*_UNREACHABLE` "did not answer within
 * N s", `*_INVALID_RESPONSE` "more than … of data", `LOGIN_CANCELLED`; network errors pass as
 * they are (openid-client and the callers turn those into sentences).
 */
export function boundedFetch(opts: BoundedFetchOptions): FetchLike {
  const fetchImpl: FetchLike = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = opts.timeoutMs ?? (opts.peer === 'idp' ? DEFAULT_IDP_TIMEOUT_MS : DEFAULT_TIMEOUT_MS);
  const maxBytes = opts.maxBytes ?? (opts.peer === 'idp' ? MAX_IDP_BODY_BYTES : MAX_BODY_BYTES);
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const callers = [opts.signal, init.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
    const aborted = callers.find((s) => s.aborted);
    if (aborted) throw cancelledError(opts.peer, url, aborted.reason);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const onAbort = (): void => controller.abort(callers.find((s) => s.aborted)?.reason);
    for (const s of callers) s.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await fetchImpl(input, { ...init, signal: controller.signal });
      const body = NULL_BODY_STATUSES.has(res.status) ? null : await readCappedBytes(res, maxBytes, opts.peer, url);
      const copy = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      // A constructed Response has no URL; openid-client and getJson's callers read it.
      Object.defineProperty(copy, 'url', { value: res.url || url.href });
      return copy;
    } catch (e) {
      if (e instanceof AuthTrayError) throw e;
      const stopped = callers.find((s) => s.aborted);
      // openid-client's own per-request timeout arrives as a signal too: a timeout, not a cancel.
      if (timedOut || isTimeout(stopped?.reason)) throw timeoutError(opts.peer, url, timeoutMs);
      if (stopped) throw cancelledError(opts.peer, url, stopped.reason);
      throw e;
    } finally {
      clearTimeout(timer);
      for (const s of callers) s.removeEventListener('abort', onAbort);
    }
  };
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
