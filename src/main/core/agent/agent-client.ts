/**
 * Asking a token agent over its socket, for our own command line (`forward`, `agent`, the probe
 * that keeps one agent per user): one plain-JSON request, one answer, bounded in time and size.
 * The answer is treated like any peer's: parsed as JSON and checked by the caller.
 */
import { connect } from 'node:net';
import { AuthTrayError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import { peerLine } from '../../../shared/format/peer-text.ts';

const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * AGENT_UNAVAILABLE: no agent answers at a path. `absent`: nothing listens there; `silent`:
 * something accepted the connection but gave no (usable) answer in time.
 */
export class AgentUnavailable extends AuthTrayError {
  constructor(readonly path: string, readonly reason: 'absent' | 'silent', why: string) {
    super('AGENT_UNAVAILABLE', `No openEO Auth Tray agent answers at ${path} (${why}).`, {
      nextStep: 'Start the openEO Auth Tray app, or run: eval "$(openeo-auth-tray agent)"',
    });
  }
}

function agentUnavailable(path: string, why: string, reason: 'absent' | 'silent' = 'silent'): AgentUnavailable {
  return new AgentUnavailable(path, reason, why);
}

/** Sends `request` to the agent at `path` and returns its answer (an object). */
export function askAgent(path: string, request: Record<string, unknown>, opts: { timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    let done = false;
    const fail = (e: AgentUnavailable): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(agentUnavailable(path, `no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request)));
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > MAX_ANSWER_BYTES) fail(agentUnavailable(path, 'its answer is too large'));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const absent = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ENOTSOCK';
      fail(agentUnavailable(path, e.code === 'ENOENT' ? 'no socket there' : e.code === 'ECONNREFUSED' ? 'nothing listens there' : e.code ?? e.message, absent ? 'absent' : 'silent'));
    });
    socket.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        const answer: unknown = JSON.parse(text);
        if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new Error('not an object');
        resolve(answer as Record<string, unknown>);
      } catch {
        reject(agentUnavailable(path, 'its answer is not JSON'));
      }
    });
  });
}

/** What an agent says about itself (`openeo-auth-tray/info`), or null when none answers at `path`. */
export interface AgentInfo {
  version: string;
  pid: number;
  servedBy: 'app' | 'cli';
  socket: string;
}

/**
 * The agent at `path`: its info; null when nothing listens there (a socket file left behind is
 * then safe to replace). Throws AgentUnavailable (`silent`) when something listens but does not
 * answer like an agent: that is not ours to replace.
 */
export async function probeAgent(path: string, timeoutMs = 3_000): Promise<AgentInfo | null> {
  let answer: Record<string, unknown>;
  try {
    answer = await askAgent(path, { request: 'openeo-auth-tray/info' }, { timeoutMs });
  } catch (e) {
    if (e instanceof AgentUnavailable && e.reason === 'absent') return null;
    throw e;
  }
  if (answer.status !== 'success') throw agentUnavailable(path, 'it does not answer like openEO Auth Tray\'s agent');
  return {
    version: typeof answer.version === 'string' ? answer.version.slice(0, 64) : '?',
    pid: typeof answer.pid === 'number' && Number.isSafeInteger(answer.pid) ? answer.pid : 0,
    servedBy: answer.served_by === 'app' ? 'app' : 'cli',
    socket: path,
  };
}

/** An agent's failure answer as the error it stands for (its text is a peer's: made plain and bounded). */
export function agentFailure(answer: Record<string, unknown>): AuthTrayError {
  const code = typeof answer.code === 'string' && (ERROR_CODES as readonly string[]).includes(answer.code) ? (answer.code as ErrorCode) : 'INTERNAL';
  const message = typeof answer.error === 'string' ? peerLine(answer.error, 2048) : 'The agent refused without saying why.';
  return new AuthTrayError(code, message, {
    ...(typeof answer.info === 'string' ? { nextStep: peerLine(answer.info, 2048) } : {}),
    // "Try again later" (exit code 5) travels as the agent classified it.
    ...(answer.exit_code === 5 ? { retryAfterMs: 1_000 } : {}),
  });
}
