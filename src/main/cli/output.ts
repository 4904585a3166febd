/** How the CLI speaks: data on stdout, words on stderr, and exit codes that scripts can act on. */
import { EXIT, exitCodeFor, toAuthTrayError } from '../core/errors.ts';
import { redact } from '../../shared/redact.ts';
import { peerLine } from '../../shared/format/peer-text.ts';

export { EXIT, exitCodeFor };

/** A usage mistake: one line, exit 2. */
export class UsageError extends Error {}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

/** Which of our output pipes lost its reader (`status | head -1`); set by {@link quietOnClosedPipes}. */
export const closedPipes = { stdout: false, stderr: false };

/** Exit status after a closed output pipe, as a shell reports a command ended by SIGPIPE (`yes | head -1`). */
export const EXIT_CLOSED_PIPE = 141;

export const processIo: Io = {
  stdout: (text) => {
    if (!closedPipes.stdout) process.stdout.write(text);
  },
  stderr: (text) => {
    if (!closedPipes.stderr) process.stderr.write(text);
  },
  isTTY: Boolean(process.stderr.isTTY),
};

/**
 * A reader that goes away (`openeo-auth-tray status | head -1`) ends our output quietly, like any
 * Unix tool, instead of an unhandled EPIPE with a stack trace. The command itself finishes what it
 * does (a refresh under way still saves its rotated token); its output is dropped, and the exit
 * status is {@link EXIT_CLOSED_PIPE} unless the command failed anyway.
 */
export function quietOnClosedPipes(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closedPipes[name] = true;
    });
  }
  // The EPIPE of the last write arrives after the command has returned: decide at exit.
  process.on('exit', () => {
    if (closedPipes.stdout && (process.exitCode === undefined || process.exitCode === EXIT.ok)) process.exitCode = EXIT_CLOSED_PIPE;
  });
}

/** Prints an error as one clear line on stderr (redacted) and returns the exit code. */
export function reportError(e: unknown, io: Io, json = false): number {
  if (e instanceof UsageError) {
    // One line, like every other error (scripts read the last line of stderr).
    io.stderr(`openeo-auth-tray: ${plain(redact(e.message))} (usage: \`openeo-auth-tray help\`)\n`);
    return EXIT.usage;
  }
  const err = toAuthTrayError(e);
  if (json) io.stdout(`${jsonText({ event: 'error', ...err.toJSON() })}\n`);
  io.stderr(`openeo-auth-tray: ${err.sentence}\n`);
  if (process.env.OPENEO_AUTH_TRAY_DEBUG && err.cause) io.stderr(`  cause: ${redact(err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : (JSON.stringify(err.cause) ?? '')).split('\n').map((line) => plain(line)).join('\n  ')}\n`);
  return exitCodeFor(err);
}

/**
 * A value for the terminal: one line, control characters (escape sequences, OSC 52, bidi
 * overrides) replaced by spaces. Everything a peer or a file sent goes through this before it is
 * printed as text.
 */
export function plain(text: string | null | undefined, max = 2048): string {
  return peerLine(text ?? '', max);
}

const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * JSON for stdout. JSON.stringify escapes C0 controls but leaves DEL, C1 controls (U+009B is a
 * CSI on many terminals) and bidi overrides raw; they are written as \uXXXX escapes, which parse
 * back to the same value.
 */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** ISO 8601 from epoch ms, or null. */
export function iso(ms: number | null | undefined): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
