/**
 * `agent [--foreground|--detach] [--csh] [--stop]`: the token agent without the tray app, for
 * servers, WSL and terminal-only sessions. Prints shell lines for `eval`, as ssh-agent does:
 *
 *   eval "$(openeo-auth-tray agent)"
 *
 * In a terminal it stays in the foreground (Ctrl-C stops it); when its output is captured (as by
 * `eval "$(…)"`) it detaches, since the shell waits for what it runs. One agent per user: when
 * one runs already (the tray app's or another), this prints where it is and exits 0.
 */
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { jsonText, plain, UsageError, type Io } from '../output.ts';
import { AuthTrayError, ERROR_CODES, toAuthTrayError, type ErrorCode } from '../../core/errors.ts';
import { agentDir, AGENT_SOCK_ENV } from '../../core/agent/agent-folder.ts';
import { probeAgent, type AgentInfo } from '../../core/agent/agent-client.ts';
import { AgentAlreadyRunning, createTokenAgent, type TokenAgent } from '../../core/agent/token-agent.ts';
import type { AccessQuestion, AskFn } from '../../core/agent/script-access.ts';
import { VERSION } from '../../../shared/version.ts';

/** Longest wait for a detached agent to say it is ready. */
const DETACH_READY_MS = 20_000;
/** The file descriptor a detached agent reports on (a pipe to the command that started it). */
const READY_FD = 3;

/** POSIX shell quoting for a value in an `eval` line. */
function shq(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The lines a shell evaluates: ssh-agent's form (sh), or setenv (csh). */
export function shellLines(socket: string, pid: number, csh: boolean): string {
  const vars: Array<[string, string]> = [['OIDC_SOCK', socket], [AGENT_SOCK_ENV, socket], ['OPENEO_AUTH_TRAY_AGENT_PID', String(pid)]];
  const set = vars.map(([k, v]) => (csh ? `setenv ${k} ${shq(v)};` : `${k}=${shq(v)}; export ${k};`)).join('\n');
  return `${set}\necho openEO Auth Tray agent pid ${pid};\n`;
}

function noAgentHere(): AuthTrayError {
  return new AuthTrayError('AGENT_UNAVAILABLE', 'The token agent is not available on Windows: Node cannot restrict a named pipe to the current user.', {
    nextStep: 'Scripts get tokens from the command line there: openeo-auth-tray token --json',
  });
}

/** Asks in the agent's terminal, one question at a time; "no" without a terminal. */
function terminalAsk(io: Io): AskFn | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  let queue: Promise<unknown> = Promise.resolve();
  return (q: AccessQuestion, signal: AbortSignal) => {
    const turn = queue.then(() => new Promise<'allow' | 'deny'>((resolve) => {
      if (signal.aborted) return resolve('deny');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const who = q.hint ? `"${plain(q.hint)}" (the name it gives itself; not verified)` : 'A script that gives no name';
      const where = q.forward ? ` through the forward ${q.forward.id}` : '';
      const done = (answer: 'allow' | 'deny'): void => {
        rl.close();
        resolve(answer);
      };
      signal.addEventListener('abort', () => {
        io.stderr('\n(no answer in time: not allowed)\n');
        done('deny');
      }, { once: true });
      rl.question(`\n${who}${where} asks for a token of ${plain(q.identity.label)} (${q.identity.id}). Allow for 1 hour? [y/N] `, (a) => done(/^y(es)?$/i.test(a.trim()) ? 'allow' : 'deny'));
    }));
    queue = turn.catch(() => undefined);
    return turn;
  };
}

/** Serves until a signal; resolves with the exit code. */
async function serve(io: Io, opts: { report?: (line: string) => void; csh: boolean; interactive: boolean }): Promise<number> {
  const ctx = await openContext();
  const dir = agentDir();
  if (dir === null) throw noAgentHere();
  let finished: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finished = resolve));
  const agent: TokenAgent = createTokenAgent({
    tokens: ctx.tokens,
    identities: ctx.identities,
    clock: ctx.clock,
    dir,
    settingsFolder: ctx.dir,
    servedBy: 'cli',
    version: VERSION,
    ...(opts.interactive ? { ask: terminalAsk(io) } : {}),
    ...(ctx.log ? { log: ctx.log } : {}),
    onHandedOver: () => {
      io.stderr('openEO Auth Tray agent: the tray app took over; stopping.\n');
      finished(0);
    },
  });
  try {
    await agent.start();
  } catch (e) {
    if (e instanceof AgentAlreadyRunning) {
      opts.report?.(JSON.stringify({ running: { socket: e.info.socket, pid: e.info.pid, served_by: e.info.servedBy } }));
      return alreadyRunning(io, e.info, opts.csh);
    }
    throw e;
  }
  opts.report?.(JSON.stringify({ ready: { socket: agent.socketPath, pid: process.pid } }));
  if (!opts.report) {
    io.stdout(shellLines(agent.socketPath, process.pid, opts.csh));
    if (io.isTTY) io.stderr(`openEO Auth Tray agent: scripts get tokens at ${agent.socketPath}; Ctrl-C stops it.\n`);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    ctx.log?.('info', `agent: ${signal}; stopping after the answers under way`);
    // Answers being worked out finish first: a refresh started for a script is saved.
    void agent.stop().then(() => ctx.tokens.idle()).then(() => finished(0));
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, stop);
  const code = await done;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, stop);
  return code;
}

function alreadyRunning(io: Io, info: AgentInfo, csh: boolean): number {
  io.stdout(shellLines(info.socket, info.pid, csh));
  io.stderr(`openEO Auth Tray's agent is already running at ${info.socket} (${info.servedBy === 'app' ? 'the tray app' : 'the command line'}, pid ${info.pid}).\n`);
  return 0;
}

/** Starts a detached agent and prints its lines once it is ready. */
async function detach(io: Io, csh: boolean): Promise<number> {
  const script = process.argv[1];
  if (!script) throw new AuthTrayError('INTERNAL', 'Cannot tell where the openeo-auth-tray command is.');
  const child = spawn(process.execPath, [...process.execArgv, script, 'agent', '--serve-detached'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: process.env,
  });
  const pipe = child.stdio[READY_FD] as NodeJS.ReadableStream & { destroy(): void };
  pipe.setEncoding('utf8');
  const report = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new AuthTrayError('AGENT_UNAVAILABLE', `The agent did not start within ${DETACH_READY_MS / 1000} s.`, { nextStep: 'Run `openeo-auth-tray agent --foreground` to see why.' })), DETACH_READY_MS);
    pipe.on('data', (c: string) => {
      text += c;
      if (text.length > 65_536) text = text.slice(0, 65_536);
    });
    pipe.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  child.unref();
  pipe.destroy();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(report.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
  } catch {
    throw new AuthTrayError('AGENT_UNAVAILABLE', 'The agent stopped before it was ready.', { nextStep: 'Run `openeo-auth-tray agent --foreground` to see why.' });
  }
  const ready = parsed.ready as { socket?: unknown; pid?: unknown } | undefined;
  const running = parsed.running as { socket?: unknown; pid?: unknown; served_by?: unknown } | undefined;
  const error = parsed.error as { code?: unknown; message?: unknown; nextStep?: unknown } | undefined;
  if (ready && typeof ready.socket === 'string' && typeof ready.pid === 'number') {
    io.stdout(shellLines(ready.socket, ready.pid, csh));
    return 0;
  }
  if (running && typeof running.socket === 'string' && typeof running.pid === 'number') {
    return alreadyRunning(io, { socket: running.socket, pid: running.pid, servedBy: running.served_by === 'app' ? 'app' : 'cli', version: '' }, csh);
  }
  // The detached agent's own error, with its code (an unsafe folder stays AGENT_FOLDER_UNSAFE).
  const said = typeof error?.message === 'string' ? plain(error.message) : '';
  const code = typeof error?.code === 'string' && (ERROR_CODES as readonly string[]).includes(error.code) ? (error.code as ErrorCode) : 'AGENT_UNAVAILABLE';
  throw new AuthTrayError(code, said.startsWith('The token agent did not start') ? said : `The agent did not start: ${said || 'no reason given'}`, {
    nextStep: typeof error?.nextStep === 'string' ? plain(error.nextStep) : 'Run `openeo-auth-tray agent --foreground` to see why.',
  });
}

/** The detached agent: reports ready (or why not) on its pipe, then serves. */
async function serveDetached(io: Io): Promise<number> {
  const report = (line: string): void => {
    try {
      writeSync(READY_FD, `${line}\n`);
      closeSync(READY_FD);
    } catch {
      // the starting command went away: serve all the same
    }
  };
  try {
    return await serve(io, { report, csh: false, interactive: false });
  } catch (e) {
    report(jsonText({ error: toAuthTrayError(e).toJSON() }));
    throw e;
  }
}

async function stopAgent(io: Io): Promise<number> {
  const dir = agentDir();
  if (dir === null) throw noAgentHere();
  const socket = `${dir}/agent.sock`;
  const info = await probeAgent(socket);
  if (!info) {
    io.stderr(`No openEO Auth Tray agent is running at ${socket}.\n`);
    return 0;
  }
  if (info.servedBy === 'app') {
    io.stderr('The tray app serves the agent; it stops when you quit the app.\n');
    return 0;
  }
  process.kill(info.pid, 'SIGTERM');
  io.stderr(`Asked the agent (pid ${info.pid}) to stop.\n`);
  return 0;
}

export const spec: CommandSpec = {
  name: 'agent',
  args: '',
  summary: 'Serves the token agent without the tray app (servers, WSL, terminal-only sessions) and prints shell lines for eval: eval "$(openeo-auth-tray agent)". In a terminal it stays in the foreground (Ctrl-C stops it); when its output is captured it detaches. One agent per user: when one runs already, this says where and exits 0.',
  options: {
    foreground: { type: 'boolean', help: 'stay in the foreground (a service manager, or a terminal you keep open)' },
    detach: { type: 'boolean', help: 'start in the background and return' },
    csh: { type: 'boolean', help: 'print the lines for csh and tcsh (setenv)' },
    stop: { type: 'boolean', help: 'stop the agent started from the command line' },
    'serve-detached': { type: 'boolean', help: 'the detached agent itself', hidden: true },
  },
  maxPositionals: 0,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, spec);
  if (values.foreground && values.detach) throw new UsageError('choose --foreground or --detach, not both');
  if (values['serve-detached']) return serveDetached(io);
  if (values.stop) return stopAgent(io);
  if (agentDir() === null) throw noAgentHere();
  const csh = values.csh === true;
  const foreground = values.foreground === true || (!values.detach && Boolean(process.stdout.isTTY));
  return foreground ? serve(io, { csh, interactive: true }) : detach(io, csh);
}
