/**
 * Turning what can go wrong in one HTTP exchange into AuthTrayErrors: the network (refused,
 * DNS, reset, TLS, timeout, cancelled), the body (HTML, not JSON, too big) and the status
 * (5xx with Retry-After, 401/403 TokenInvalid, other refusals). Each has its own sentence.
 */
import { AuthTrayError, type AuthTrayErrorOptions, type ErrorCode } from '../errors.ts';
import { isLoopbackHost } from './loopback.ts';
import { capitalise, isRecord } from '../openeo/validate.ts';
import { capText, stripControls } from '../../../shared/format/peer-text.ts';

/** Who is on the other end; picks the error codes and the words. */
export type Peer = 'backend' | 'idp';

const CODES: Record<Peer, { unreachable: ErrorCode; invalid: ErrorCode; error: ErrorCode }> = {
  backend: { unreachable: 'BACKEND_UNREACHABLE', invalid: 'BACKEND_INVALID_RESPONSE', error: 'BACKEND_ERROR' },
  idp: { unreachable: 'IDP_UNREACHABLE', invalid: 'IDP_INVALID_RESPONSE', error: 'IDP_ERROR' },
};

export function peerCodes(peer: Peer): { unreachable: ErrorCode; invalid: ErrorCode; error: ErrorCode } {
  return CODES[peer];
}

/** "the openEO backend at openeo.example" / "the login service at identity.example". */
export function describePeer(peer: Peer, url: URL): string {
  return peer === 'backend' ? `the openEO backend at ${url.host}` : `the login service at ${url.host}`;
}

/**
 * An HTTP answer with a status that is not 2xx. Still an AuthTrayError (same codes and
 * sentences); `status` and the peer's own error `code` are kept for callers that decide by
 * them (discovery falls back on a 404 of `/.well-known/openeo`).
 */
export class PeerHttpError extends AuthTrayError {
  readonly status: number;
  /** The openEO error `code` (or OAuth `error`) from the body, when there was one. */
  readonly peerCode: string | undefined;

  constructor(code: ErrorCode, message: string, status: number, peerCode: string | undefined, options: AuthTrayErrorOptions) {
    super(code, message, options);
    this.status = status;
    this.peerCode = peerCode;
  }
}

/** Replaces every occurrence of the given secrets (the Authorization value and its parts). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** Codes found along an error's `cause` chain (undici wraps the socket error in `fetch failed`). */
function causeCodes(e: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur !== undefined && cur !== null; depth++) {
    if (isRecord(cur) || cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      if (typeof code === 'string') codes.push(code);
      cur = (cur as { cause?: unknown }).cause;
    } else break;
  }
  return codes;
}

const CERT_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;
const TLS_CODE = /SSL|TLS/;

/** A failure to get an answer at all. `midBody`: the answer had started arriving. */
export function networkError(peer: Peer, url: URL, e: unknown, midBody: boolean): AuthTrayError {
  const who = describePeer(peer, url);
  const codes = causeCodes(e);
  const has = (...c: string[]) => codes.some((x) => c.includes(x));
  const code = CODES[peer].unreachable;
  const check = 'Check your internet connection and the address, then try again.';
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL')) {
    return new AuthTrayError(code, `The name "${url.hostname}" could not be found, so ${who} cannot be reached.`, {
      cause: e,
      nextStep: 'Check the spelling of the address and your internet connection.',
    });
  }
  if (has('ECONNREFUSED')) {
    return new AuthTrayError(code, `Nothing answers at ${url.host}: the connection was refused, so ${who} cannot be reached.`, {
      cause: e,
      nextStep: 'Check the address and port, or whether the service is running.',
    });
  }
  if (has('ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST')) {
    return new AuthTrayError(code, `${capitalise(who)} does not answer over https; it may serve plain http only.`, {
      cause: e,
      nextStep: isLoopbackHost(url.hostname)
        ? `For a local test server without encryption, enter the address with http:// (http://${url.host}).`
        : 'Check the address and port.',
    });
  }
  const cert = codes.find((c) => CERT_CODE.test(c));
  if (cert !== undefined) {
    return new AuthTrayError(code, `The secure connection to ${url.host} failed: its certificate could not be verified (${cert}).`, {
      cause: e,
      nextStep: 'Check the address; a network that intercepts https (some company or hotel networks) can cause this.',
    });
  }
  const tls = codes.find((c) => TLS_CODE.test(c));
  if (tls !== undefined) {
    return new AuthTrayError(code, `The secure connection to ${url.host} could not be set up (${tls}).`, { cause: e, nextStep: check });
  }
  if (midBody) {
    return new AuthTrayError(code, `The connection to ${who} broke off before the whole answer arrived.`, { cause: e, nextStep: check });
  }
  const detail = codes.find((c) => c !== 'UND_ERR_SOCKET') ?? codes[0];
  return new AuthTrayError(code, `The connection to ${who} failed${detail ? ` (${detail})` : ''}.`, { cause: e, nextStep: check });
}

export function timeoutError(peer: Peer, url: URL, timeoutMs: number): AuthTrayError {
  const seconds = Math.max(1, Math.round(timeoutMs / 1000));
  return new AuthTrayError(CODES[peer].unreachable, `${capitalise(describePeer(peer, url))} did not answer within ${seconds} s.`, {
    nextStep: 'It may be overloaded or your connection may be slow; try again in a moment.',
  });
}

/**
 * The caller aborted. The core's one "cancelled" code is LOGIN_CANCELLED; a caller that aborts
 * knows why and can tell its own cancellations apart by its signal.
 */
export function cancelledError(peer: Peer, url: URL, reason: unknown): AuthTrayError {
  return new AuthTrayError('LOGIN_CANCELLED', `Cancelled while waiting for ${describePeer(peer, url)}.`, { cause: reason });
}

export function invalidBodyError(peer: Peer, url: URL, what: string, cause?: unknown): AuthTrayError {
  const opts: AuthTrayErrorOptions = {
    nextStep:
      peer === 'backend'
        ? 'Check that the address is the one of an openEO backend (for CDSE: openeo.dataspace.copernicus.eu).'
        : 'The login service may be misconfigured or down; try again later.',
  };
  if (cause !== undefined) opts.cause = cause;
  return new AuthTrayError(CODES[peer].invalid, `${capitalise(describePeer(peer, url))} answered ${url.pathname} with ${what}.`, opts);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into ms from `now`; capped at one day. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), 86_400_000);
}

function waitWords(ms: number): string {
  if (ms < 90_000) return `${Math.max(1, Math.round(ms / 1000))} seconds`;
  if (ms < 5_400_000) return `${Math.round(ms / 60_000)} minutes`;
  return `${Math.round(ms / 3_600_000)} hours`;
}

/** What a non-2xx answer means, in words; openEO `{code, message}` and OAuth `{error}` bodies are read. */
export function statusError(args: {
  peer: Peer;
  url: URL;
  status: number;
  body: unknown;
  retryAfter: string | null;
  sentAuthorization: boolean;
  now: number;
  secrets: readonly string[];
}): PeerHttpError {
  const { peer, url, status } = args;
  const who = describePeer(peer, url);
  let peerCode: string | undefined;
  let peerMessage: string | undefined;
  if (isRecord(args.body)) {
    const c = args.body['code'] ?? args.body['error'];
    const m = args.body['message'] ?? args.body['error_description'];
    // Capped before anything else runs over them; the secrets are scrubbed from the capped text.
    if (typeof c === 'string' && c !== '') peerCode = oneLine(scrub(capText(c, 1024), args.secrets), 60);
    if (typeof m === 'string' && m !== '') peerMessage = oneLine(scrub(capText(m, 4096), args.secrets), 300);
  }
  const said = peerMessage ? `: "${peerMessage}"` : '';
  const label = `HTTP ${status}${peerCode ? ` ${peerCode}` : ''}`;
  const retryAfterMs = status >= 500 || status === 429 ? parseRetryAfter(args.retryAfter, args.now) : undefined;
  const opts = (nextStep: string): AuthTrayErrorOptions =>
    retryAfterMs === undefined ? { nextStep } : { nextStep, retryAfterMs };

  if (peer === 'backend' && args.sentAuthorization && (status === 401 || (status === 403 && peerCode === 'TokenInvalid'))) {
    return new PeerHttpError('TOKEN_INVALID', `${capitalise(who)} did not accept the login token (${label})${said}.`, status, peerCode, {
      nextStep: 'Refresh the login; if that does not help, sign in again.',
    });
  }
  const code = CODES[peer].error;
  if (status >= 500) {
    const wait = retryAfterMs !== undefined ? `Try again in ${waitWords(retryAfterMs)}, as it asked.` : 'Try again in a few minutes.';
    return new PeerHttpError(code, `${capitalise(who)} has a problem right now (${label})${said}.`, status, peerCode, opts(wait));
  }
  if (status === 429) {
    const wait = retryAfterMs !== undefined ? `Try again in ${waitWords(retryAfterMs)}, as it asked.` : 'Wait a little, then try again.';
    return new PeerHttpError(code, `${capitalise(who)} is receiving too many requests (${label})${said}.`, status, peerCode, opts(wait));
  }
  if (status === 404) {
    return new PeerHttpError(code, `${capitalise(who)} has nothing at ${url.pathname} (${label})${said}.`, status, peerCode, opts(
      peer === 'backend' ? 'Check the backend address; this backend may not offer this feature.' : 'Check the login service address.',
    ));
  }
  return new PeerHttpError(code, `${capitalise(who)} refused the request for ${url.pathname} (${label})${said}.`, status, peerCode, opts(
    'Check the address and your account; if it keeps happening, tell the operators what the message says.',
  ));
}

function oneLine(text: string, max: number): string {
  const flat = stripControls(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
