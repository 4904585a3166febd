/**
 * Runs one command with a prepared environment: no shell (so no secret in any argument list and no
 * quoting surprises), signals passed on to the child, exit code and signal handed back.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { AuthTrayError } from '../errors.ts';

/** How the child ended: an exit code, or the signal that ended it. */
export interface ExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  /** Defaults to 'inherit': the command talks to the user's terminal directly. */
  stdio?: StdioOptions;
  /** Working directory; defaults to ours. */
  cwd?: string;
  /** Called once the child exists (e.g. to read its pid). */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Signals passed on to the child. With a terminal, Ctrl-C reaches the child from the terminal as
 * well, so it may see SIGINT twice; without forwarding, a `kill -INT` of our pid would not reach
 * it at all, and we would exit while it kept running.
 */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Spawns `command[0]` with arguments `command.slice(1)` and environment `env`, without a shell.
 * While it runs, SIGINT/SIGTERM/SIGHUP sent to this process are forwarded to the child (and do
 * not end this process). Resolves when the child has ended and its stdio has closed.
 * Rejects with `INVALID_ARGUMENT` when the command is empty or cannot be started.
 */
export function runWithEnvironment(
  command: readonly string[],
  env: NodeJS.ProcessEnv,
  opts: RunOptions = {},
): Promise<ExecResult> {
  const [file, ...args] = command;
  if (!file) {
    return Promise.reject(new AuthTrayError('INVALID_ARGUMENT', 'No command was given to run.', {
      nextStep: 'Put the command after "--", e.g. exec my-id -- python script.py',
    }));
  }
  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: opts.stdio ?? 'inherit', shell: false, cwd: opts.cwd });
    const forwarders = FORWARDED_SIGNALS.map((signal) => {
      const forward = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      process.on(signal, forward);
      return { signal, forward };
    });
    const cleanUp = (): void => {
      for (const { signal, forward } of forwarders) process.off(signal, forward);
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      cleanUp();
      const why = e.code === 'ENOENT' ? 'was not found' : e.code === 'EACCES' ? 'may not be run' : 'could not be started';
      reject(new AuthTrayError('INVALID_ARGUMENT', `The command "${file}" ${why}.`, {
        cause: e,
        nextStep: 'Check the command name and your PATH.',
      }));
    });
    child.once('close', (exitCode, signal) => {
      cleanUp();
      resolve({ exitCode, signal });
    });
    opts.onSpawn?.(child);
  });
}

/** The exit code to end with, like a shell: the child's code, or 128 + the signal's number. */
export function childExitCode(result: ExecResult): number {
  if (result.exitCode !== null) return result.exitCode;
  if (result.signal !== null) {
    const n = (osConstants.signals as Partial<Record<NodeJS.Signals, number>>)[result.signal];
    return n === undefined ? 1 : 128 + n;
  }
  return 1;
}
