/**
 * The one logger. Every line is redacted (registered secrets and token-shaped strings) before it
 * is written, and errors are logged with their cause chain, redacted too.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { redact } from '../../shared/redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  (level: LogLevel, message: string, error?: unknown): void;
  readonly file: string | null;
}

function describe(error: unknown, depth = 0): string {
  if (depth > 4 || error === undefined || error === null) return '';
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const head = `${error.name}${typeof code === 'string' || typeof code === 'number' ? ` [${code}]` : ''}: ${error.message}`;
    const cause = (error as { cause?: unknown }).cause;
    return cause === undefined ? head : `${head}\n  caused by ${describe(cause, depth + 1)}`;
  }
  if (typeof error === 'string') return error;
  if (typeof error === 'number' || typeof error === 'boolean' || typeof error === 'bigint') return String(error);
  return Object.prototype.toString.call(error);
}

/** A logger appending to `file` (created 0600 in a 0700 folder), optionally echoing to `echo`. */
export function createLogger(opts: { file?: string | null; level?: LogLevel; echo?: (line: string) => void; now?: () => number }): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const file = opts.file ?? null;
  const now = opts.now ?? Date.now;
  let folderReady = false;
  const log = ((level: LogLevel, message: string, error?: unknown) => {
    if (ORDER[level] < min) return;
    const detail = describe(error);
    const line = redact(`${new Date(now()).toISOString()} ${level.toUpperCase()} ${message}${detail ? ` — ${detail}` : ''}`);
    opts.echo?.(`${line}\n`);
    if (!file) return;
    try {
      if (!folderReady) {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        folderReady = true;
      }
      appendFileSync(file, `${line}\n`, { mode: 0o600 });
    } catch {
      // A log that cannot be written must never break a login.
    }
  }) as Logger;
  Object.defineProperty(log, 'file', { value: file });
  return log;
}
