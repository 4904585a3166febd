/**
 * The token agent's protocol: oidc-agent's IPC (docs/agent-protocol.md), so that unmodified
 * oidc-agent clients work, plus a few fields and requests of our own. Everything a client sends is
 * untrusted: a request is parsed from at most {@link MAX_REQUEST_BYTES}, each field is checked and
 * capped, and text that may be shown (the application hint) is stripped of control characters.
 * Answers are built field by field: nothing but an access token ever leaves as a secret.
 */
import { AuthTrayError, type ErrorCode } from '../errors.ts';
import { peerLine } from '../../../shared/format/peer-text.ts';
import type { Identity } from '../../../shared/model.ts';

/** Version of our additions to oidc-agent's protocol (the `agent-info` request answers it). */
export const AGENT_PROTOCOL_VERSION = 1;
/** Largest request accepted on one connection, bytes (an encrypted request included). */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Longest application hint kept, characters. */
export const MAX_HINT = 200;
/** Longest account reference (an id or a label). */
const MAX_ACCOUNT = 512;
const MAX_URL = 2048;
/** Longest `min_valid_period` honoured: ten years (anything longer forces a refresh just the same). */
const MAX_MIN_VALID_S = 10 * 365 * 86_400;
/** oidc-agent's `min_valid_period` for "a new token, not the cached one" (its FORCE_NEW_TOKEN). */
const FORCE_NEW_TOKEN = -1;
/** Longest forward: a week. */
export const MAX_FORWARD_S = 7 * 86_400;
const MAX_FORWARD_IDENTITIES = 50;

/** Our own requests, named so that they cannot meet one of oidc-agent's. */
export const OWN_REQUESTS = {
  info: 'openeo-auth-tray/info',
  forwardCreate: 'openeo-auth-tray/forward',
  forwardList: 'openeo-auth-tray/forwards',
  forwardStop: 'openeo-auth-tray/forward-stop',
  handover: 'openeo-auth-tray/handover',
  renew: 'openeo-auth-tray/renew',
} as const;

export type AgentRequest =
  | {
    type: 'access_token';
    /** An identity's id or label (oidc-agent's account short name). */
    account?: string;
    /** The only identity at this issuer. */
    issuer?: string;
    /** Ours: the only identity at this backend, or a check that `account` belongs to it. */
    backend?: string;
    /** Seconds the token must stay valid; absent: the agent's "fresh enough" rule. */
    minValidS?: number;
    /** `min_valid_period: -1`, oidc-agent's "force a new token" (what `oidc-token --force-new` sends). */
    forceNew?: true;
    /** What the client says it is; nothing verifies it. Control characters stripped, capped. */
    hint: string;
    /** Ours: a backend refused the token with this fingerprint (SHA-256, first 16 hex digits). */
    refused?: string;
  }
  | { type: 'loaded_accounts' }
  | { type: 'info' }
  | { type: 'forward-create'; identities: string[]; forSeconds: number }
  | { type: 'forward-list' }
  | { type: 'forward-stop'; forward: string }
  | { type: 'handover' }
  /**
   * Our CLI's: renew a login's access token and save it, answering without the token (the CLI
   * reads it from the keychain itself). A refresh then belongs to the long-lived agent, so a CLI
   * killed meanwhile loses nothing.
   */
  | { type: 'renew'; account: string; settingsFolder: string; minValidS?: number; refused?: string };

/** A request that cannot be served: its answer is a failure with this code. */
export class RequestRefused extends AuthTrayError {}

function refuse(message: string, code: ErrorCode = 'AGENT_REQUEST_INVALID'): never {
  throw new RequestRefused(code, message, { nextStep: 'See docs/agent-protocol.md for the requests the agent answers.' });
}

function optionalText(o: Record<string, unknown>, name: string, max: number): string | undefined {
  const v = o[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') refuse(`"${name}" must be text.`);
  if (v.length > max) refuse(`"${name}" is longer than ${max} characters.`);
  return v;
}

function seconds(o: Record<string, unknown>, name: string, max: number): number | undefined {
  let v = o[name];
  if (v === undefined || v === null || v === '') return undefined;
  // oidc-agent's C clients send a number; some scripts send the number as text.
  if (typeof v === 'string' && /^\d{1,12}(\.\d{1,6})?$/.test(v)) v = Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) refuse(`"${name}" must be a number of seconds, 0 or more.`);
  return Math.min(v, max);
}

/**
 * A request from its JSON text. Throws {@link RequestRefused} for anything that is not a request
 * the agent answers (bad JSON, an unknown request, a field of the wrong type or size).
 */
export function parseRequest(text: string): AgentRequest {
  if (Buffer.byteLength(text) > MAX_REQUEST_BYTES) refuse(`The request is larger than ${MAX_REQUEST_BYTES / 1024} KiB.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    refuse('The request is not valid JSON.');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) refuse('The request must be a JSON object.');
  const o = raw as Record<string, unknown>;
  const request = o.request;
  if (typeof request !== 'string') refuse('The request has no "request" field.');
  switch (request) {
    case 'access_token': {
      const account = optionalText(o, 'account', MAX_ACCOUNT);
      const issuer = optionalText(o, 'issuer', MAX_URL);
      const backend = optionalText(o, 'backend', MAX_URL);
      if (account !== undefined && issuer !== undefined) refuse('Give "account" or "issuer", not both.');
      const forceNew = o.min_valid_period === FORCE_NEW_TOKEN;
      const minValidS = forceNew ? undefined : seconds(o, 'min_valid_period', MAX_MIN_VALID_S);
      const rawHint = o.application_hint;
      const hint = typeof rawHint === 'string' ? peerLine(rawHint, MAX_HINT) : '';
      const refused = optionalText(o, 'refused', 16);
      if (refused !== undefined && !/^[0-9a-f]{16}$/.test(refused)) refuse('"refused" must be the first 16 hex digits of the refused token\'s SHA-256.');
      return {
        type: 'access_token',
        ...(account === undefined ? {} : { account }),
        ...(issuer === undefined ? {} : { issuer }),
        ...(backend === undefined ? {} : { backend }),
        ...(minValidS === undefined ? {} : { minValidS }),
        ...(refused === undefined ? {} : { refused }),
        ...(forceNew ? { forceNew } : {}),
        hint,
      };
    }
    case 'loaded_accounts':
      return { type: 'loaded_accounts' };
    case OWN_REQUESTS.info:
      return { type: 'info' };
    case OWN_REQUESTS.forwardCreate: {
      const ids = o.identities;
      if (!Array.isArray(ids) || ids.length > MAX_FORWARD_IDENTITIES || !ids.every((i) => typeof i === 'string' && i.length > 0 && i.length <= MAX_ACCOUNT)) {
        refuse(`"identities" must be a list of at most ${MAX_FORWARD_IDENTITIES} identity ids or labels.`);
      }
      const forSeconds = seconds(o, 'for_seconds', Number.MAX_SAFE_INTEGER);
      if (forSeconds === undefined || forSeconds < 1) refuse('"for_seconds" must be at least 1.');
      if (forSeconds > MAX_FORWARD_S) refuse(`A forward lasts at most ${MAX_FORWARD_S / 86_400} days.`);
      return { type: 'forward-create', identities: ids as string[], forSeconds };
    }
    case OWN_REQUESTS.forwardList:
      return { type: 'forward-list' };
    case OWN_REQUESTS.forwardStop: {
      const forward = optionalText(o, 'forward', 64);
      if (forward === undefined) refuse('"forward" (the forward\'s id) is missing.');
      return { type: 'forward-stop', forward };
    }
    case OWN_REQUESTS.handover:
      return { type: 'handover' };
    case OWN_REQUESTS.renew: {
      const account = optionalText(o, 'account', MAX_ACCOUNT);
      if (account === undefined) refuse('"account" (the login\'s id) is missing.');
      const settingsFolder = optionalText(o, 'settings_folder', MAX_URL);
      if (settingsFolder === undefined) refuse('"settings_folder" is missing.');
      const minValidS = seconds(o, 'min_valid_period', MAX_MIN_VALID_S);
      const refused = optionalText(o, 'refused', 16);
      if (refused !== undefined && !/^[0-9a-f]{16}$/.test(refused)) refuse('"refused" must be the first 16 hex digits of the refused token\'s SHA-256.');
      return { type: 'renew', account, settingsFolder, ...(minValidS === undefined ? {} : { minValidS }), ...(refused === undefined ? {} : { refused }) };
    }
    default:
      refuse(`openEO Auth Tray's agent does not answer the request "${peerLine(request, 64)}"; it hands out access tokens ("access_token") and lists logins ("loaded_accounts").`);
  }
}

/** The success answer for a token: oidc-agent's fields plus ours. Never a refresh token or a secret. */
export function tokenAnswer(identity: Identity, token: { accessToken: string; expiresAt: number | null; bearer: string }): Record<string, unknown> {
  return {
    status: 'success',
    access_token: token.accessToken,
    issuer: identity.issuer,
    // oidc-agent's clients read epoch seconds; 0 when the identity provider gave no lifetime.
    expires_at: token.expiresAt === null ? 0 : Math.floor(token.expiresAt / 1000),
    identity: identity.id,
    label: identity.label,
    provider_id: identity.providerId,
    backend: identity.backendUrl,
    api_url: identity.apiUrl,
    bearer: token.bearer,
    kind: identity.kind,
  };
}

/**
 * A failure answer: oidc-agent's `error` (what happened) and `info` (what to do), plus our stable
 * `code` and the CLI's exit code for the same failure, so that every client classifies it alike.
 */
export function failureAnswer(error: AuthTrayError, exitCode: number): Record<string, unknown> {
  return {
    status: 'failure',
    error: error.message,
    ...(error.nextStep ? { info: error.nextStep } : {}),
    code: error.code,
    exit_code: exitCode,
  };
}
