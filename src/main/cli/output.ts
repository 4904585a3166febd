/** How the CLI speaks: data on stdout, words on stderr, and exit codes that scripts can act on. */
import { AuthTrayError, NEEDS_LOGIN_CODES, toAuthTrayError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';

/** Exit codes (documented in the README). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** A new login is needed (expired, revoked, no refresh token). */
  needsLogin: 3,
  /** The keychain is locked or unavailable. */
  keychain: 4,
  /** The identity provider or the backend could not be reached, or answered "try again later". */
  offline: 5,
  /** Cancelled by the user (Ctrl+C). */
  cancelled: 130,
} as const;

export function exitCodeFor(e: AuthTrayError): number {
  if (NEEDS_LOGIN_CODES.has(e.code)) return EXIT.needsLogin;
  if (e.code === 'KEYCHAIN_LOCKED' || e.code === 'KEYCHAIN_UNAVAILABLE') return EXIT.keychain;
  if (e.code === 'IDP_UNREACHABLE' || e.code === 'BACKEND_UNREACHABLE') return EXIT.offline;
  // A server error the peer asked us to retry later (5xx, Retry-After) is "unavailable", like offline.
  if ((e.code === 'IDP_ERROR' || e.code === 'BACKEND_ERROR') && e.retryAfterMs !== undefined) return EXIT.offline;
  if (e.code === 'LOGIN_CANCELLED') return EXIT.cancelled;
  if (e.code === 'INVALID_ARGUMENT') return EXIT.usage;
  return EXIT.failure;
}

/** A usage mistake: one line, exit 2. */
export class UsageError extends Error {}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
};

/** Prints an error as one clear line on stderr (redacted) and returns the exit code. */
export function reportError(e: unknown, io: Io, json = false): number {
  if (e instanceof UsageError) {
    // One line, like every other error (scripts read the last line of stderr).
    io.stderr(`openeo-auth-tray: ${redact(e.message)} (usage: \`openeo-auth-tray help\`)\n`);
    return EXIT.usage;
  }
  const err = toAuthTrayError(e);
  if (json) io.stdout(`${JSON.stringify({ event: 'error', ...err.toJSON() })}\n`);
  io.stderr(`openeo-auth-tray: ${err.sentence}\n`);
  if (process.env.OPENEO_AUTH_TRAY_DEBUG && err.cause) io.stderr(`  cause: ${redact(String((err.cause as Error)?.stack ?? err.cause))}\n`);
  return exitCodeFor(err);
}

/** ISO 8601 from epoch ms, or null. */
export function iso(ms: number | null | undefined): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
