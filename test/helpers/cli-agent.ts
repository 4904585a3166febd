/**
 * The built CLI's headless token agent (`openeo-auth-tray agent --foreground`) as a child process
 * of a test, the way a person runs it on a server. It is ready when it prints its `eval` lines;
 * `stop()` ends it with SIGTERM as Ctrl-C or a logout would (answers under way finish first).
 */
import { spawn } from 'node:child_process';
import { assertCliBuilt, CLI_PATH } from './cli.ts';

/** Longest wait for the agent to say it listens (a cold start on a busy 2-core machine). */
const READY_MS = 30_000;
/** Longest wait for it to end after SIGTERM, then SIGKILL. */
const STOP_MS = 15_000;
const MAX_OUTPUT = 64 * 1024;

export interface CliAgent {
  /** The socket it listens on, as it printed it (`OPENEO_AUTH_TRAY_SOCK=…`). */
  socket: string;
  pid: number;
  /** SIGTERM, then (after {@link STOP_MS}) SIGKILL; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts the agent with `env` (its keyring, settings folder and XDG_RUNTIME_DIR decide where it listens). */
export function startCliAgent(env: NodeJS.ProcessEnv): Promise<CliAgent> {
  assertCliBuilt();
  const child = spawn(process.execPath, [CLI_PATH, 'agent', '--foreground'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout = (stdout + c).slice(-MAX_OUTPUT)));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-MAX_OUTPUT)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`ended before it was ready (exit ${code ?? signal})`);
    const onData = (): void => {
      const m = /^OPENEO_AUTH_TRAY_SOCK=(.+?); export OPENEO_AUTH_TRAY_SOCK;$/m.exec(stdout);
      if (!m?.[1] || child.pid === undefined) return;
      settle();
      // Undo agent.ts's shell quoting ('…', with '\'' for a quote).
      const socket = m[1].startsWith("'") ? m[1].slice(1, -1).replace(/'\\''/g, "'") : m[1];
      resolve({ socket, pid: child.pid, stop });
    };
    const settle = (): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
    };
    const fail = (why: string): void => {
      settle();
      void stop().then(() => reject(new Error(`openeo-auth-tray agent --foreground ${why}; stderr:\n${stderr.slice(-4000)}`)));
    };
    const timer = setTimeout(() => fail(`did not say it was ready within ${READY_MS / 1000} s`), READY_MS);
    child.once('error', (e) => fail(`could not start (${e.message})`));
    child.once('exit', onExit);
    child.stdout.on('data', onData);
  });
}
