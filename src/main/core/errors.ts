import { redact } from '../../shared/redact.ts';
import { capText, stripControls } from '../../shared/format/peer-text.ts';

/** Longest message or next step kept; longer ones quote far more of a peer than anyone reads. */
const MAX_SENTENCE = 2048;

/** A message as it may reach a terminal, a log or the tray: bounded, redacted, one line of plain text. */
function sentenceText(text: string): string {
  return stripControls(redact(capText(text, MAX_SENTENCE))).replace(/ {2,}/g, ' ');
}

/**
 * Stable error codes. They are part of the CLI's JSON output and of the IPC contract,
 * so existing codes are never renamed.
 */
export const ERROR_CODES = [
  'INVALID_URL',
  'INSECURE_URL',
  'BACKEND_UNREACHABLE',
  'BACKEND_INVALID_RESPONSE',
  'BACKEND_ERROR',
  'NO_OIDC_PROVIDER',
  'UNKNOWN_PROVIDER',
  'NO_SUITABLE_CLIENT',
  'IDP_UNREACHABLE',
  'IDP_INVALID_RESPONSE',
  'IDP_ERROR',
  'ISSUER_MISMATCH',
  'LOGIN_REFUSED',
  'LOGIN_EXPIRED',
  'LOGIN_CANCELLED',
  'LOGIN_TIMEOUT',
  'REFRESH_TOKEN_INVALID',
  'CLIENT_CREDENTIALS_REFUSED',
  'TOKEN_INVALID',
  /** A backend refused an access token renewed moments ago: renewing again would not help. */
  'TOKEN_REFUSED_AFTER_RENEWAL',
  'KEYCHAIN_LOCKED',
  'KEYCHAIN_UNAVAILABLE',
  'SECRET_MISSING',
  'SETTINGS_CORRUPT',
  'SETTINGS_WRITE_FAILED',
  'IDENTITY_NOT_FOUND',
  'IDENTITY_AMBIGUOUS',
  /** A login was named for a backend it does not belong to (its tokens stay with its own backend). */
  'IDENTITY_BACKEND_MISMATCH',
  'LOCK_TIMEOUT',
  'PYTHON_STORE_INVALID',
  'INVALID_ARGUMENT',
  /** A request to the token agent that it does not answer (bad JSON, unknown request, too large). */
  'AGENT_REQUEST_INVALID',
  /** The person (or the identity's setting) did not let a script use this login. */
  'SCRIPT_ACCESS_DENIED',
  /** No token agent answers on the socket (none running, or a forward that ended). */
  'AGENT_UNAVAILABLE',
  /** The agent's socket folder is not private (owner, mode, symlink), so the agent does not start. */
  'AGENT_FOLDER_UNSAFE',
  /** "Install command line tool…" could not write the launcher (refused, cancelled, or not offered here). */
  'COMMAND_LINE_INSTALL_FAILED',
  /** An IPC message from a sender that is not our window. */
  'FORBIDDEN',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AuthTrayErrorOptions {
  /** The underlying error, kept for the log (redacted when printed). */
  cause?: unknown;
  /** What the user can do next, one short sentence. */
  nextStep?: string;
  /** When the peer asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
}

/**
 * The one error type that leaves the core. `message` is a sentence a person understands
 * (never containing a secret, nor a control character a peer slipped into it); `nextStep` says
 * what to do; `cause` keeps the raw error for the log.
 */
export class AuthTrayError extends Error {
  override readonly name = 'AuthTrayError';
  readonly code: ErrorCode;
  readonly nextStep: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: AuthTrayErrorOptions = {}) {
    super(sentenceText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.nextStep = options.nextStep === undefined ? undefined : sentenceText(options.nextStep);
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Message and next step as one line, for a CLI or a notification. */
  get sentence(): string {
    return this.nextStep ? `${this.message} ${this.nextStep}` : this.message;
  }

  toJSON(): { code: ErrorCode; message: string; nextStep?: string } {
    return this.nextStep
      ? { code: this.code, message: this.message, nextStep: this.nextStep }
      : { code: this.code, message: this.message };
  }
}

export function isAuthTrayError(e: unknown, code?: ErrorCode): e is AuthTrayError {
  return e instanceof AuthTrayError && (code === undefined || e.code === code);
}

/** Converts anything thrown into an AuthTrayError (INTERNAL when it is not one already). */
export function toAuthTrayError(e: unknown): AuthTrayError {
  if (e instanceof AuthTrayError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new AuthTrayError('INTERNAL', `Something unexpected went wrong: ${detail}`, {
    cause: e,
    nextStep: 'Try again; if it keeps happening, report it with the log file.',
  });
}

/**
 * What an error means for whoever meets it — the one classification that the CLI's exit codes,
 * the agent's answers, the tray, notifications, the lifecycle and the Python bridge all follow:
 * - `needs-sign-in`: the login has ended (expired, revoked, a refused client secret); only a new
 *   sign-in helps;
 * - `keychain`: the keychain is locked or unavailable;
 * - `unreachable`: the IdP or the backend did not answer, or asked to be asked again later;
 * - `busy`: another process kept the login's lock too long; try again in a moment;
 * - `usage`: a request or argument that cannot be right;
 * - `cancelled`: the person stopped it;
 * - `other`: anything else.
 */
export type ErrorKind = 'needs-sign-in' | 'keychain' | 'unreachable' | 'busy' | 'usage' | 'cancelled' | 'other';

const KIND_BY_CODE: Partial<Record<ErrorCode, ErrorKind>> = {
  REFRESH_TOKEN_INVALID: 'needs-sign-in',
  SECRET_MISSING: 'needs-sign-in',
  LOGIN_EXPIRED: 'needs-sign-in',
  CLIENT_CREDENTIALS_REFUSED: 'needs-sign-in',
  KEYCHAIN_LOCKED: 'keychain',
  KEYCHAIN_UNAVAILABLE: 'keychain',
  IDP_UNREACHABLE: 'unreachable',
  BACKEND_UNREACHABLE: 'unreachable',
  TOKEN_REFUSED_AFTER_RENEWAL: 'unreachable',
  LOCK_TIMEOUT: 'busy',
  INVALID_ARGUMENT: 'usage',
  LOGIN_CANCELLED: 'cancelled',
};

/** The kind of an error (see {@link ErrorKind}); a server error that asked to be retried later is `unreachable`. */
export function errorKind(e: { code: string; retryAfterMs?: number | undefined }): ErrorKind {
  const kind = (KIND_BY_CODE as Readonly<Record<string, ErrorKind | undefined>>)[e.code];
  if (kind) return kind;
  if ((e.code === 'IDP_ERROR' || e.code === 'BACKEND_ERROR') && e.retryAfterMs !== undefined) return 'unreachable';
  return 'other';
}

/**
 * Exit codes of the CLI, also sent by the token agent with each failure (`exit_code`), so that
 * scripts classify a failure alike whichever way they asked (documented in the README).
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** A new login is needed (expired, revoked, no refresh token, a refused client secret). */
  needsLogin: 3,
  /** The keychain is locked or unavailable. */
  keychain: 4,
  /** The identity provider or the backend could not be reached, asked to wait, or the login is busy: try again later. */
  offline: 5,
  /** Cancelled by the user (Ctrl+C). */
  cancelled: 130,
} as const;

export const EXIT_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  'needs-sign-in': EXIT.needsLogin,
  keychain: EXIT.keychain,
  unreachable: EXIT.offline,
  busy: EXIT.offline,
  usage: EXIT.usage,
  cancelled: EXIT.cancelled,
  other: EXIT.failure,
};

/** The exit code for an error: what a script should do about it. */
export function exitCodeFor(e: { code: string; retryAfterMs?: number | undefined }): number {
  return EXIT_BY_KIND[errorKind(e)];
}
