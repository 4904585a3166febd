/**
 * The tray's log: `tray.log` in the platform's log folder (beside the CLI's `cli.log`), through
 * the core's one logger, which redacts every line. The previous log is kept as `tray.log.1` once
 * the file grows past a limit, so a tray running for months does not fill the disk.
 */
import { renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger, type LogLevel } from '../core/log.ts';
import { logDir } from '../core/settings/paths.ts';

export const TRAY_LOG_NAME = 'tray.log';
export const MAX_LOG_BYTES = 5 * 1024 * 1024;
const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

export interface AppLoggerOptions {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Also echo to stderr (development). */
  echo?: boolean;
  maxBytes?: number;
}

/** Moves `file` to `file.1` when it is larger than `maxBytes`. */
export function rotateIfLarge(file: string, maxBytes: number): void {
  try {
    if (statSync(file).size > maxBytes) renameSync(file, `${file}.1`);
  } catch {
    // No log yet, or it cannot be moved: keep appending.
  }
}

/** The tray's logger; level from OPENEO_AUTH_TRAY_LOG_LEVEL (default info). */
export function setupLogging(opts: AppLoggerOptions): Logger {
  const file = join(logDir(opts.env, opts.platform), TRAY_LOG_NAME);
  rotateIfLarge(file, opts.maxBytes ?? MAX_LOG_BYTES);
  const wanted = opts.env.OPENEO_AUTH_TRAY_LOG_LEVEL;
  const level: LogLevel = wanted && LEVELS.has(wanted) ? (wanted as LogLevel) : 'info';
  return createLogger({ file, level, ...(opts.echo ? { echo: (line: string) => process.stderr.write(line) } : {}) });
}

/** Logs what would otherwise vanish: rejected promises nobody awaited, and the exception that ends the process. */
export function logProcessFailures(log: Logger, proc: NodeJS.Process = process): void {
  proc.on('unhandledRejection', (reason) => log('error', 'A promise was rejected and nobody handled it.', reason));
  // The monitor only observes: Electron's own handling of an uncaught exception stays as it is.
  proc.on('uncaughtExceptionMonitor', (error) => log('error', 'Uncaught exception.', error));
}
