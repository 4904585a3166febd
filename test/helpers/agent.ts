/**
 * The token agent as its peers meet it: the built CLI's headless agent (`agent --foreground`) as a
 * child process, and bounded exchanges on its socket. The exchanges are written here from the
 * socket calls up, not with the product's own agent client, so that a test of the agent does not
 * trust the agent's code to check it.
 *
 * Peers a test needs but the machine may lack (oidc-token, liboidcagent, another local user) are
 * looked up here: a test is skipped with the reason when one is missing, except under CI, where
 * `.ci/run` installs them and a missing one is a failure.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { assertCliBuilt, CLI_PATH } from './cli.ts';
import nacl from 'tweetnacl';
import { findPython } from './python.ts';
import { signIn, startCliWorld, type CliWorld } from '../e2e/cli-harness.ts';
import type { TestIdp } from '../fixtures/oidc-provider.ts';

/** How long an agent may take to answer on its socket after it started. */
const READY_MS = 20_000;
/** How long an agent may take to stop after a signal. */
const STOP_MS = 15_000;

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningAgent {
  /** The main socket, as the agent printed it (`OIDC_SOCK=…`). */
  socket: string;
  pid: number;
  child: ChildProcess;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<AgentExit>;
  /** Sends `signal` (default SIGTERM) and waits (bounded) for the exit; SIGKILL and a failure after the bound. */
  stop(signal?: NodeJS.Signals): Promise<AgentExit>;
}

/** The value of `NAME=value;` in shell lines the agent printed (POSIX-quoted or bare), or null. */
export function shellValue(lines: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\n)${name}=('(?:[^']|'\\\\'')*'|[^;\\n]*);`).exec(lines);
  if (!m) return null;
  const raw = m[1]!;
  return raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
}

/**
 * Starts `openeo-auth-tray agent --foreground <args>` with `env` and waits (bounded) until it
 * answers `openeo-auth-tray/info` on the socket it printed, from its own pid. The caller stops it
 * (`t.after(() => agent.stop())`); should the test process end first, it is killed.
 */
export async function startAgent(env: NodeJS.ProcessEnv, opts: { args?: string[]; readyMs?: number } = {}): Promise<RunningAgent> {
  assertCliBuilt();
  const child = spawn(process.execPath, [CLI_PATH, 'agent', '--foreground', ...(opts.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<AgentExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const onExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  void exited.then(() => process.removeListener('exit', onExit));
  let gone: AgentExit | null = null;
  void exited.then((e) => (gone = e));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<AgentExit> => {
    if (gone) return gone;
    child.kill(signal);
    const bound = new Promise<null>((resolve) => setTimeout(resolve, STOP_MS, null).unref());
    const result = await Promise.race([exited, bound]);
    if (result) return result;
    child.kill('SIGKILL');
    await exited;
    throw new Error(`the agent (pid ${child.pid}) did not stop within ${STOP_MS} ms of ${signal}; stderr:\n${stderr}`);
  };

  const deadline = Date.now() + (opts.readyMs ?? READY_MS);
  let socket: string | null = null;
  let lastError = 'nothing printed yet';
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the agent exited (${JSON.stringify(gone)}) before it answered; stdout:\n${stdout}\nstderr:\n${stderr}`);
    socket ??= shellValue(stdout, 'OIDC_SOCK');
    if (socket) {
      try {
        const info = await agentRequest(socket, { request: 'openeo-auth-tray/info' }, 2_000);
        if (info.status === 'success' && info.pid === child.pid) {
          return { socket, pid: child.pid!, child, exited, stdout: () => stdout, stderr: () => stderr, stop };
        }
        lastError = `it answered ${JSON.stringify(info)}`;
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop('SIGKILL').catch(() => undefined);
  throw new Error(`the agent did not answer within ${opts.readyMs ?? READY_MS} ms (${lastError}); stdout:\n${stdout}\nstderr:\n${stderr}`);
}

/** One plain-JSON request on `socket` and its answer (an object); rejects on no answer within `timeoutMs`. */
export async function agentRequest(socket: string, request: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const result = await exchange(socket, [JSON.stringify(request)], { timeoutMs });
  if (result.ended !== 'closed') throw new Error(`no whole answer from ${socket}: ${result.ended}${result.error ? ` (${result.error})` : ''}`);
  const answer: unknown = JSON.parse(result.text);
  assert.ok(typeof answer === 'object' && answer !== null && !Array.isArray(answer), `the answer is not a JSON object: ${result.text.slice(0, 200)}`);
  return answer as Record<string, unknown>;
}

export interface Exchange {
  /** Everything the agent sent. */
  text: string;
  /** `closed`: the agent ended the connection; `timeout`: still open at the bound; `error`: the connection failed. */
  ended: 'closed' | 'timeout' | 'error';
  error?: string;
  /** When the exchange ended (Date.now()). */
  at: number;
}

/**
 * Connects to `socket`, writes `chunks` (each as it is, in order; a number is a pause of that
 * many ms), then reads until the agent closes or `timeoutMs` passes. The connection is kept open
 * from this side (as a stalled client would) until the agent closes it or the bound.
 */
export function exchange(socket: string, chunks: Array<string | Buffer | number>, opts: { timeoutMs: number; onData?: (text: string, conn: Socket) => void }): Promise<Exchange> {
  return new Promise((resolve) => {
    const conn = connect({ path: socket, allowHalfOpen: true });
    let text = '';
    let done = false;
    const finish = (ended: Exchange['ended'], error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      resolve({ text, ended, at: Date.now(), ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs);
    conn.setEncoding('utf8');
    conn.on('data', (c: string) => {
      text += c;
      opts.onData?.(text, conn);
    });
    conn.on('end', () => finish('closed'));
    conn.on('close', () => finish('closed'));
    conn.on('error', (e: NodeJS.ErrnoException) => {
      // A reset after the agent answered is the agent closing on a client still writing.
      if (text && (e.code === 'EPIPE' || e.code === 'ECONNRESET')) finish('closed');
      else finish('error', e.code ?? e.message);
    });
    conn.on('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          if (done) return;
          if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
          else if (!conn.write(chunk)) await new Promise((r) => conn.once('drain', r));
        }
      })().catch(() => undefined);
    });
  });
}

export interface SealedExchange extends Exchange {
  /** The agent's public key, when it sent one. */
  agentKey: Uint8Array | null;
  /** What the agent sent after its key. */
  afterKey: string;
  /** Opens a sealed `len:nonce:ciphertext` message from the agent with this exchange's key, or null. */
  open(message: string): string | null;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * oidc-agent's key exchange, written here with tweetnacl (not the product's code): sends a fresh
 * NaCl public key, waits for the agent's, then writes what `after(seal)` returns (`seal` boxes a
 * text for the agent as `len:nonce:ciphertext`; a number is a pause), and reads until the agent
 * closes or the bound.
 */
export function sealedExchange(socket: string, after: (seal: (text: string) => string) => Array<string | Buffer | number>, opts: { timeoutMs: number }): Promise<SealedExchange> {
  const mine = nacl.box.keyPair();
  let agentKey: Uint8Array | null = null;
  let shared: Uint8Array | null = null;
  const seal = (text: string): string => {
    const nonce = nacl.randomBytes(nacl.box.nonceLength);
    const plain = Buffer.from(text, 'utf8');
    return `${plain.length}:${b64(nonce)}:${b64(nacl.secretbox(new Uint8Array(plain), nonce, shared!))}`;
  };
  const open = (message: string): string | null => {
    const [, nonce, box] = message.trim().split(':');
    if (!shared || !nonce || !box) return null;
    const plain = nacl.secretbox.open(new Uint8Array(Buffer.from(box, 'base64')), new Uint8Array(Buffer.from(nonce, 'base64')), shared);
    return plain ? Buffer.from(plain).toString('utf8') : null;
  };
  return exchange(socket, [b64(mine.publicKey)], {
    timeoutMs: opts.timeoutMs,
    onData: (text, conn) => {
      if (agentKey || text.length < 44) return;
      const key = Buffer.from(text.slice(0, 44), 'base64');
      if (key.length !== nacl.box.publicKeyLength) return;
      agentKey = new Uint8Array(key);
      shared = nacl.box.before(agentKey, mine.secretKey);
      void (async () => {
        for (const chunk of after(seal)) {
          if (conn.destroyed) return;
          if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
          else if (!conn.write(chunk)) await new Promise((r) => conn.once('drain', r));
        }
      })().catch(() => undefined);
    },
  }).then((result) => ({ ...result, agentKey, afterKey: agentKey ? result.text.slice(44) : '', open }));
}

/** A request over the key exchange (as liboidcagent and oidc-token make it) and its opened answer. */
export async function sealedRequest(socket: string, request: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const result = await sealedExchange(socket, (seal) => [seal(JSON.stringify(request))], { timeoutMs });
  if (result.ended !== 'closed') throw new Error(`no whole sealed answer from ${socket}: ${result.ended}`);
  const text = result.open(result.afterKey);
  if (text === null) throw new Error('the agent\'s answer does not open with the exchanged key');
  return JSON.parse(text) as Record<string, unknown>;
}

// --- peers that may be missing ---

/** Whether a missing peer fails the test (CI) rather than skipping it. */
export function inCi(): boolean {
  return Boolean(process.env.CI) && process.env.CI !== 'false';
}

/** `test` options for a test that needs a peer: skipped with the reason when it is missing, except in CI. */
export function peerOptions(missing: string | null): { skip?: string } {
  return missing && !inCi() ? { skip: `SKIPPED: ${missing}` } : {};
}

/** First line of a test that needs a peer: under CI a missing one fails the test. */
export function requirePeer(missing: string | null): void {
  if (missing) assert.fail(`CI must run this test, but: ${missing} (.ci/run installs it)`);
}

/** Why `oidc-token` (Debian's oidc-agent-cli) cannot run here, or null; its version otherwise in `version`. */
export function oidcTokenPeer(): { missing: string | null; version: string } {
  const r = spawnSync('oidc-token', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return { missing: `oidc-token is not installed (Debian package oidc-agent-cli): ${r.error?.message ?? `exit ${r.status}`}`, version: '' };
  return { missing: null, version: /oidc-token (\S+)/.exec(r.stdout)?.[1] ?? '?' };
}

export const LIBOIDCAGENT_VERSION = '0.6.0';

/** The test Python with liboidcagent (and PyNaCl) at the pinned version, or why there is none. */
export function liboidcagentPython(): { python: string; missing: null } | { python: null; missing: string } {
  const found = findPython();
  if ('missing' in found) return { python: null, missing: found.missing };
  const r = spawnSync(found.python, ['-c', 'import nacl, liboidcagent, importlib.metadata as m; print(m.version("liboidcagent"))'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return { python: null, missing: `${found.python} has no liboidcagent with PyNaCl (${r.stderr.trim().split('\n').at(-1) ?? r.error?.message}); run \`npm run setup:python\`` };
  const version = r.stdout.trim();
  if (version !== LIBOIDCAGENT_VERSION) return { python: null, missing: `${found.python} has liboidcagent ${version}, the tests pin ${LIBOIDCAGENT_VERSION}` };
  return { python: found.python, missing: null };
}

/** The system's Python, as another local user can run it (the test venv lives under root's home). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Why this test cannot act as another local user (`runuser -u nobody`), or null. */
export function otherUserMissing(): string | null {
  if (process.getuid?.() !== 0) return 'the tests do not run as root, so they cannot act as another user (runuser) or give a folder away (chown)';
  const r = spawnSync('runuser', ['-u', 'nobody', '--', SYSTEM_PYTHON, '-c', 'import os; print(os.getuid())'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return `runuser -u nobody -- ${SYSTEM_PYTHON} does not run: ${r.error?.message ?? r.stderr.trim()}`;
  return null;
}

/** The user `nobody`'s uid and gid. */
export function nobodyIds(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).stdout.trim());
  assert.ok(Number.isInteger(uid) && Number.isInteger(gid), 'no user nobody');
  return { uid, gid };
}

/** Whether the IdP still honours `refreshToken` (introspection with the backend's client, not through any proxy). */
export async function refreshTokenActive(idp: TestIdp, refreshToken: string): Promise<boolean> {
  const basic = Buffer.from(`${idp.backendClient.id}:${idp.backendClient.secret}`).toString('base64');
  const res = await fetch(`${idp.localUrl}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }),
  });
  return ((await res.json()) as { active?: boolean }).active === true;
}

/** Waits (bounded) until `check` holds; fails with `what` otherwise. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Cleanup in the reverse order of setup (an agent before the world it uses): node:test runs
 * `t.after` hooks in the order they were added. Returns `defer(fn)`; every deferred function
 * runs, and failures are reported after all of them.
 */
export function deferrer(t: { after(fn: () => Promise<void>): void }): (fn: () => unknown) => void {
  const stack: Array<() => unknown> = [];
  t.after(async () => {
    const failures: unknown[] = [];
    while (stack.length) {
      try {
        await stack.pop()!();
      } catch (e) {
        failures.push(e);
      }
    }
    if (failures.length === 1 && failures[0] instanceof Error) throw failures[0];
    if (failures.length) throw new AggregateError(failures, `${failures.length} cleanup step(s) failed`);
  });
  return (fn) => {
    stack.push(fn);
  };
}

/**
 * A world with alice signed in (`signInArgs`: the login's options, e.g. a label) and the CLI's
 * agent serving her; everything is stopped after the test.
 */
export async function servedLogin(t: { after(fn: () => Promise<void>): void }, signInArgs: string[] = []): Promise<{ world: CliWorld; id: string; agent: RunningAgent; defer: (fn: () => unknown) => void }> {
  const defer = deferrer(t);
  const world = await startCliWorld();
  defer(() => world.stop());
  const id = await signIn(world, signInArgs);
  const agent = await startAgent(world.env);
  defer(() => agent.stop());
  return { world, id, agent, defer };
}
