/**
 * The installed app's binary as the command line (launch.ts decided so): one CLI run in the main
 * process, then exit with its code. It creates no window and no tray, takes no single-instance
 * lock (the tray app may be running: the CLI works beside it, as the npm CLI does), and keeps
 * Chromium's own files in a folder of its own, never the tray app's (two browser processes must
 * not share one). Never imports 'electron': index.ts passes the app.
 */
import { join } from 'node:path';
import type { App } from 'electron';
import { logDir, settingsDir } from '../core/settings/paths.ts';
import { EXIT, EXIT_CLOSED_PIPE, closedPipes, processIo, quietOnClosedPipes, reportError, type Io } from '../cli/output.ts';

/** Chromium's files for command-line runs, inside the settings folder (the tray app's are in `electron`). */
export const CLI_ELECTRON_FOLDER = 'electron-cli';

export type CliModeApp = Pick<App, 'setPath' | 'setAppLogsPath' | 'disableHardwareAcceleration' | 'exit'>;

export interface CliModeDeps {
  args: string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Runs the command line (run-cli.ts's runCli, loaded only in this mode). */
  runCli(args: string[], io: Io): Promise<number>;
  io?: Io;
  /** Resolves once what was written to stdout and stderr has gone out (app.exit does not wait). */
  flush?(): Promise<void>;
}

/**
 * Commands that take a refresh token or a client secret out of the keychain: `export-python`
 * (into the Python client's store) and `exec --with-client-secret` (into a child's environment).
 */
export function takesSecretOut(args: readonly string[]): boolean {
  const [command, ...rest] = args;
  if (command === 'export-python') return true;
  const own = rest.indexOf('--');
  return command === 'exec' && (own === -1 ? rest : rest.slice(0, own)).includes('--with-client-secret');
}

/**
 * Why the installed app's command line refuses these on macOS. There the keychain lets the app's
 * own signed binary read its items without asking, while any other program (the npm CLI's node
 * included) makes macOS ask the person first. A command line inside the app binary would hand
 * that trust to every program that can start it — the reason the runAsNode fuse stays off
 * (docs/command-line-install.md). Access tokens are no such secret: the token agent gives them
 * to any program of the user's anyway.
 */
export const MACOS_SECRET_REFUSAL = 'openeo-auth-tray: on macOS the installed app\'s command line does not take refresh tokens or client secrets out of the keychain, '
  + 'because any program could run it as the app and macOS would ask no one. Use the window instead (Settings: keep the openEO Python client in sync), '
  + 'or the command line from npm (npm install -g openeo-auth-tray), for which macOS asks you first.\n';

function flushStandardStreams(): Promise<void> {
  const drained = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  return Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => undefined);
}

/** Runs the command line and exits the app with its exit code (also returned, for tests). */
export async function runCliMode(app: CliModeApp, deps: CliModeDeps): Promise<number> {
  // Before `ready`, as Electron requires; nothing here shows or draws anything.
  app.setPath('userData', join(settingsDir(deps.env, deps.platform), CLI_ELECTRON_FOLDER));
  app.setAppLogsPath(logDir(deps.env, deps.platform));
  app.disableHardwareAcceleration();
  const io = deps.io ?? processIo;
  if (!deps.io) quietOnClosedPipes();
  let code: number;
  if (deps.platform === 'darwin' && takesSecretOut(deps.args)) {
    io.stderr(MACOS_SECRET_REFUSAL);
    code = EXIT.failure;
  } else {
    try {
      code = await deps.runCli(deps.args, io);
    } catch (e) {
      code = reportError(e, io);
    }
  }
  // As the Node bin does at exit: a reader that went away (`status | head -1`) is 141.
  if (!deps.io && closedPipes.stdout && code === 0) code = EXIT_CLOSED_PIPE;
  await (deps.flush ?? flushStandardStreams)();
  app.exit(code);
  return code;
}
