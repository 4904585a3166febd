/**
 * The token agent's rows (issue 18): our headless agent (`openeo-auth-tray agent --foreground`,
 * the built CLI) beside Debian's real oidc-agent 4.2.6, both holding a cached token of the same
 * test IdP login (alice; a grant each), measured in ONE run, every figure a median of rounds that
 * alternate between the contenders:
 *
 * - Python (python/benchmarks/agent.py): the bridge's round trip to the agent and its in-process
 *   cached path; liboidcagent against ours and against oidc-agent; one plain-JSON request on a raw
 *   socket to each; a forced renewal through ours, through oidc-agent, and the refresh POST alone;
 * - whole processes: `oidc-token` against ours and against oidc-agent, and today's CLI path
 *   (`openeo-auth-tray token --json`, a Node process);
 * - our agent's resident memory idle, and after 100 000 requests.
 *
 * oidc-agent runs with its own socket and config folder in a temp folder (`oidc-agent -d`, a child
 * of this process), and gets its account without prompts (`oidc-gen --rt-env … --prompt none`).
 * It authenticates the public client with an empty HTTP Basic secret, which the test IdP accepts
 * only with `acceptEmptyBasicSecret` (test/fixtures/oidc-provider.ts).
 *
 * Runnable alone (after `node scripts/build.mjs`):
 *   scripts/with-private-keyring.sh node --import tsx scripts/bench/agent.ts [--quick]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { connectIssuer } from '../../src/main/core/oidc/issuer.ts';
import { startDeviceLogin } from '../../src/main/core/oidc/device-login.ts';
import { approveDevice } from '../../test/fixtures/device-user.ts';
import type { TestIdp } from '../../test/fixtures/oidc-provider.ts';
import { liboidcagentPython, oidcTokenPeer } from '../../test/helpers/agent.ts';
import { PYTHON_DIR, pythonEnv, runPython } from '../../test/helpers/python.ts';
import { median, spread, timeCommand, type RunSpec } from './runs.ts';
import { CLI, cliDeviceLogin, startPeers, tempHome } from './setup.ts';
import { markdownTable, ms, verdict, type Row } from './table.ts';

export interface AgentBenchOptions {
  /** Rounds of the in-process Python measures, and calls per contender per round. */
  rounds: number;
  perRound: number;
  /** Forced renewals per contender. */
  renewals: number;
  /** Whole-process runs per contender (`oidc-token`, `token --json`). */
  processRuns: number;
  /** Requests sent to our agent before its memory is read again. */
  load: number;
}

export const AGENT_RUNS = {
  full: { rounds: 30, perRound: 20, renewals: 30, processRuns: 30, load: 100_000 },
  // The memory check keeps its 100 000 requests (about 20 s): fewer would end inside the heap's warm-up.
  quick: { rounds: 10, perRound: 10, renewals: 10, processRuns: 10, load: 100_000 },
} satisfies Record<string, AgentBenchOptions>;

/** Peers this part needs that the machine may lack; null when all are there. */
function missingPeer(): string | null {
  const lib = liboidcagentPython();
  if (lib.missing) return lib.missing;
  const token = oidcTokenPeer();
  if (token.missing) return token.missing;
  for (const tool of ['oidc-agent', 'oidc-gen']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0) return `${tool} is not installed (Debian package oidc-agent): ${r.error?.message ?? `exit ${r.status}`}`;
  }
  return null;
}

interface Served {
  socket: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The agents this bench started: should the bench end on an exception, they are killed with it
 * rather than left serving in the background (Ctrl-C in a terminal reaches them as it reaches us).
 */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function own<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Ends a child (SIGTERM, then SIGKILL after 10 s) and waits for it. */
async function endChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One plain-JSON request on a fresh connection: the answer's text (the agent closes after it). */
function plainRequest(socket: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let text = '';
    conn.setEncoding('utf8');
    conn.on('data', (c: string) => (text += c));
    conn.on('end', () => resolve(text));
    conn.on('error', reject);
    conn.on('connect', () => conn.write(request));
  });
}

const tokenRequest = (account: string): string => JSON.stringify({ request: 'access_token', account, min_valid_period: 0, application_hint: 'agent-bench' });

async function hasToken(socket: string, account: string): Promise<boolean> {
  try {
    const answer = JSON.parse(await plainRequest(socket, tokenRequest(account))) as { status?: unknown; access_token?: unknown };
    return answer.status === 'success' && typeof answer.access_token === 'string' && answer.access_token.length > 0;
  } catch {
    return false;
  }
}

/** Our agent, headless, from the built CLI: listening in `dir` and answering for `account`. */
export async function startOurAgent(env: NodeJS.ProcessEnv, dir: string, account: string, nodeArgs: string[] = []): Promise<Served> {
  const child = own(spawn(process.execPath, [...nodeArgs, CLI, 'agent', '--foreground'], { env: { ...env, OPENEO_AUTH_TRAY_AGENT_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-8_000)));
  const stop = () => endChild(child);
  try {
    await until(() => {
      if (child.exitCode !== null) throw new Error(`our agent exited ${child.exitCode}: ${stderr}`);
      return /^OIDC_SOCK=/m.test(stdout);
    }, 'our agent prints its socket');
    const socket = join(dir, 'agent.sock');
    await until(() => hasToken(socket, account), `our agent hands out a token at ${socket}`);
    return { socket, pid: child.pid!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export const PEER_ACCOUNT = 'bench';

/**
 * Debian's oidc-agent with its own socket and config folder in `dir`, given the account
 * {@link PEER_ACCOUNT} from `refreshToken` by oidc-gen without prompts.
 */
export async function startPeerAgent(dir: string, idp: TestIdp, refreshToken: string): Promise<Served> {
  const conf = join(dir, 'conf');
  await mkdir(conf, { mode: 0o700 });
  const socket = join(dir, 'agent.sock');
  // HOME too: nothing of oidc-agent's lands in the real home folder.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, OIDC_CONFIG_DIR: conf, OIDC_SOCK: socket };
  const child = own(spawn('oidc-agent', ['-d', `--socket-path=${socket}`], { env, stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-8_000)));
  const stop = () => endChild(child);
  try {
    await until(() => {
      if (child.exitCode !== null) throw new Error(`oidc-agent exited ${child.exitCode}: ${stderr}`);
      return existsSync(socket);
    }, 'oidc-agent creates its socket');
    const gen = await timeCommand('oidc-gen', {
      // The refresh token through the environment (--rt-env), never argv.
      args: ['--issuer', idp.issuer, '--client-id', idp.publicClientId, '--client-secret', '', '--rt-env', '--pw-cmd', 'echo pw', '--scope', 'openid offline_access', '--confirm-default', '--prompt', 'none', PEER_ACCOUNT],
      env: { ...env, OIDC_REFRESH_TOKEN: refreshToken },
    }, 60_000);
    if (!/success/i.test(gen.stdout)) throw new Error(`oidc-gen did not say success: ${gen.stdout.slice(-400)} ${gen.stderr.slice(-400)}`);
    await until(() => hasToken(socket, PEER_ACCOUNT), 'oidc-agent hands out a token');
    return { socket, pid: child.pid!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A refresh token of a fresh device login of `login` (a grant of its own). */
export async function ownGrant(idp: TestIdp, login: string): Promise<string> {
  const conn = await connectIssuer(idp.issuer, idp.publicClientId);
  const device = await startDeviceLogin(conn, { scopes: ['openid', 'offline_access'], usePkce: true });
  await approveDevice(device.authorization.verificationUriComplete!, { login });
  const token = (await device.result).refreshToken;
  if (!token) throw new Error('the device login gave no refresh token');
  return token;
}

/**
 * What the keychain itself takes (keytar → the Secret Service): medians of `runs` writes of a
 * token-sized value and reads, on a throwaway entry. A renewal reads one refresh token and writes
 * a refresh and an access token before the agent answers.
 */
async function keychainTimes(runs: number): Promise<{ readMs: number; writeMs: number }> {
  const secrets = createKeytarSecretStore();
  const key = `bench-keychain-probe-${randomBytes(3).toString('hex')}/access_token`;
  const reads: number[] = [];
  const writes: number[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      let t = performance.now();
      await secrets.set(key, randomBytes(450).toString('base64url'));
      const w = performance.now() - t;
      t = performance.now();
      await secrets.get(key);
      const r = performance.now() - t;
      if (i > 0) {
        writes.push(w);
        reads.push(r);
      }
    }
  } finally {
    await secrets.delete(key).catch(() => false);
  }
  return { readMs: median(reads), writeMs: median(writes) };
}

/** Resident memory of a process, MiB (Linux). */
export function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** `count` plain-JSON token requests, `concurrency` at a time; every answer must be a token. Returns requests per second. */
export async function load(socket: string, account: string, count: number, concurrency = 8): Promise<number> {
  const request = tokenRequest(account);
  let sent = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent++;
      const text = await plainRequest(socket, request);
      if (!text.startsWith('{"status":"success"')) throw new Error(`a request under load failed: ${text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - started) / 1000);
}

interface Stat {
  median: number;
  p10: number;
  p90: number;
  n: number;
}

const statSpread = (s: Stat, unit: string, digits: number): string => `p10–p90 ${s.p10.toFixed(digits)}–${s.p90.toFixed(digits)} ${unit}, n=${s.n}`;
const µsAsMs = (s: Stat): string => `${(s.median / 1000).toFixed(3)} ms (${statSpread({ ...s, p10: s.p10 / 1000, p90: s.p90 / 1000 }, 'ms', 3)})`;

async function python(py: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, Stat>> {
  const run = await runPython(py, [join(PYTHON_DIR, 'benchmarks', 'agent.py'), ...args], env, 600_000);
  if (run.code !== 0) throw new Error(`agent.py ${args[0]} exited ${run.code}: ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, Stat>;
}

/** Whole processes, `runs` rounds (after 2 unrecorded), the contenders' order turning each round. */
async function rotate(contenders: Record<string, { command: string; spec: RunSpec; check(stdout: string): boolean }>, runs: number): Promise<Record<string, number[]>> {
  const names = Object.keys(contenders);
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs + 2; i++) {
    const shift = i % names.length;
    for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
      const c = contenders[name]!;
      const run = await timeCommand(c.command, c.spec);
      if (!c.check(run.stdout)) throw new Error(`${name} printed no token`);
      if (i >= 2) out[name]!.push(run.ms);
    }
  }
  return out;
}

export async function agentRows(opts: AgentBenchOptions, step: (what: string) => void = () => undefined): Promise<Row[]> {
  const missing = missingPeer();
  if (missing) return [{ measure: 'token agent beside oidc-agent', value: 'not measured', baseline: missing, ratioTarget: '', verdict: 'info' }];
  const py = liboidcagentPython().python!;
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    // Long-lived access tokens: every cached measure stays cached however slow the machine is.
    const peers = await startPeers(1, { accessTokenTtl: 3600, refreshTokenTtl: 86_400, acceptEmptyBasicSecret: true });
    cleanup.push(() => peers.stop());
    const { idp } = peers;
    const home = await tempHome('agent');
    cleanup.push(() => home.remove());
    const folders = await mkdtemp(join(tmpdir(), 'oeat-bench-agent-'));
    cleanup.push(() => rm(folders, { recursive: true, force: true }));
    const oursDir = join(folders, 'ours');
    const peerDir = join(folders, 'peer');
    await mkdir(oursDir, { mode: 0o700 });
    await mkdir(peerDir, { mode: 0o700 });

    step('agent: logins and both agents');
    const { identityId } = await cliDeviceLogin(peers.backends[0]!.url, home.env);
    const ours = await startOurAgent(home.env, oursDir, identityId);
    cleanup.push(() => ours.stop());
    await new Promise((r) => setTimeout(r, 1_000));
    const rssIdle = rssMiB(ours.pid);
    const peer = await startPeerAgent(peerDir, idp, await ownGrant(idp, 'alice'));
    cleanup.push(() => peer.stop());
    const rawGrant = await ownGrant(idp, 'alice');

    const env = pythonEnv({
      ...home.env,
      BENCH_OURS_SOCK: ours.socket,
      BENCH_OURS_ACCOUNT: identityId,
      BENCH_PEER_SOCK: peer.socket,
      BENCH_PEER_ACCOUNT: PEER_ACCOUNT,
    });
    delete env.OIDC_SOCK;
    delete env.OIDC_REMOTE_SOCK;

    step(`agent: Python, cached tokens (${opts.rounds} rounds × ${opts.perRound} calls)`);
    const calls = await python(py, ['calls', String(opts.rounds), String(opts.perRound)], env);

    step(`agent: oidc-token and token --json (${opts.processRuns} rounds)`);
    const token = /^\S{20,}\n?$/;
    const jsonToken = (out: string): boolean => {
      try {
        return typeof (JSON.parse(out) as { access_token?: unknown }).access_token === 'string';
      } catch {
        return false;
      }
    };
    const processes = await rotate({
      oidcTokenOurs: { command: 'oidc-token', spec: { args: [identityId], env: { ...home.env, OIDC_SOCK: ours.socket } }, check: (o) => token.test(o) },
      oidcTokenPeer: { command: 'oidc-token', spec: { args: [PEER_ACCOUNT], env: { ...home.env, OIDC_SOCK: peer.socket } }, check: (o) => token.test(o) },
      cliToken: { command: process.execPath, spec: { args: [CLI, 'token', identityId, '--json'], env: home.env }, check: jsonToken },
    }, opts.processRuns);

    step(`agent: forced renewals (${opts.renewals} rounds)`);
    const grantsBefore = idp.counters.byGrant.refresh_token ?? 0;
    const renew = await python(py, ['renew', String(opts.renewals)], {
      ...env,
      BENCH_TOKEN_ENDPOINT: `${idp.issuer}/token`,
      BENCH_CLIENT_ID: idp.publicClientId,
      BENCH_REFRESH_TOKEN: rawGrant,
    });
    const grants = (idp.counters.byGrant.refresh_token ?? 0) - grantsBefore;
    if (grants !== 3 * (opts.renewals + 2)) throw new Error(`expected ${3 * (opts.renewals + 2)} refresh grants at the IdP, saw ${grants}`);
    const keychain = await keychainTimes(Math.max(5, Math.round(opts.renewals / 3)));

    step(`agent: ${opts.load} requests, memory`);
    // Resident memory after each tenth of the load: it grows while the heap warms up (the first
    // tenth), then must stay flat.
    const rssBefore = rssMiB(ours.pid);
    const tenth = Math.round(opts.load / 10);
    const rss: number[] = [];
    const rates: number[] = [];
    for (let i = 0; i < 10; i++) {
      rates.push(await load(ours.socket, identityId, tenth));
      rss.push(rssMiB(ours.pid));
    }
    const rssTenth = rss[0]!;
    const rssAfter = rss.at(-1)!;

    const c = (name: string): Stat => calls[name]!;
    const r = (name: string): Stat => renew[name]!;
    const libRatio = c('lib_ours').median / c('lib_peer').median;
    const rawRatio = c('raw_ours').median / c('raw_peer').median;
    const renewOver = r('agent').median - r('raw').median;
    const tokOurs = median(processes.oidcTokenOurs!);
    const tokPeer = median(processes.oidcTokenPeer!);
    const cli = median(processes.cliToken!);
    const growth = rssAfter - rssTenth;
    const mib = (x: number): string => `${x.toFixed(1)} MiB`;
    return [
      {
        measure: 'agent: Python bridge asks the agent, cached token (one round trip per call)',
        value: µsAsMs(c('bridge_agent')),
        baseline: `the bridge's in-process cached token (\`TokenSource.current()\`): ${c('bridge_cached').median.toFixed(2)} µs per call`,
        ratioTarget: '≤ 0.5 ms',
        verdict: verdict(c('bridge_agent').median / 1000 <= 0.5),
      },
      {
        measure: 'agent: liboidcagent `get_access_token` (NaCl exchange), cached token',
        value: `ours ${µsAsMs(c('lib_ours'))}`,
        baseline: `oidc-agent 4.2.6: ${µsAsMs(c('lib_peer'))}`,
        ratioTarget: `${libRatio.toFixed(2)}× / ≤ 1.0×`,
        verdict: verdict(libRatio <= 1.0),
      },
      {
        measure: 'agent: one plain-JSON request on a raw socket (Python), cached token',
        value: `ours ${µsAsMs(c('raw_ours'))}`,
        baseline: `oidc-agent 4.2.6: ${µsAsMs(c('raw_peer'))}`,
        ratioTarget: `${rawRatio.toFixed(2)}×`,
        verdict: 'info',
      },
      {
        measure: 'agent: a forced renewal through the agent (`min_valid_period: -1`)',
        value: `${ms(r('agent').median)} (${statSpread(r('agent'), 'ms', 1)})`,
        baseline: `the refresh POST alone (Python urllib): ${ms(r('raw').median)} (${statSpread(r('raw'), 'ms', 1)}); through oidc-agent: ${ms(r('peer').median)}; the keychain alone here: a read ${ms(keychain.readMs)}, a write ${ms(keychain.writeMs)} (a renewal reads the refresh token before the grant; it answers before its 2 writes)`,
        ratioTarget: `+${ms(renewOver)} / ≤ +5 ms`,
        verdict: verdict(renewOver <= 5),
      },
      {
        measure: `agent: resident memory, idle → after ${opts.load.toLocaleString('en')} requests`,
        value: `${mib(rssIdle)} → ${mib(rssAfter)} (before the load ${mib(rssBefore)}; after each tenth of it ${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)} MiB)`,
        baseline: `after the first ${tenth.toLocaleString('en')}: ${mib(rssTenth)}; ${Math.round(median(rates))} requests/s (8 at a time)`,
        ratioTarget: `${growth >= 0 ? '+' : ''}${mib(growth)} over the last ${(opts.load - tenth).toLocaleString('en')} / flat (< 5 MiB)`,
        verdict: verdict(growth < 5),
      },
      {
        measure: '`oidc-token` (whole process), cached token',
        value: `against ours ${ms(tokOurs)} (${spread(processes.oidcTokenOurs!)})`,
        baseline: `against oidc-agent 4.2.6: ${ms(tokPeer)} (${spread(processes.oidcTokenPeer!)})`,
        ratioTarget: `${(tokOurs / tokPeer).toFixed(2)}× / ≤ 1.5×`,
        verdict: verdict(tokOurs / tokPeer <= 1.5),
      },
      {
        measure: "today's CLI path: `openeo-auth-tray token --json` (a Node process), cached token",
        value: `${ms(cli)} (${spread(processes.cliToken!)})`,
        baseline: `\`oidc-token\` against ours: ${ms(tokOurs)}`,
        ratioTarget: `${(cli / tokOurs).toFixed(1)}×`,
        verdict: 'info',
      },
    ];
  } finally {
    for (const fn of cleanup.reverse()) await fn().catch((e: unknown) => process.stderr.write(`bench: cleanup failed: ${String(e)}\n`));
  }
}

/** Alone: `scripts/with-private-keyring.sh node --import tsx scripts/bench/agent.ts [--quick]`. */
async function alone(): Promise<void> {
  if (process.env.OPENEO_AUTH_TRAY_TEST_KEYRING !== '1') throw new Error('run it inside scripts/with-private-keyring.sh (the login goes to a keychain)');
  const started = performance.now();
  const rows = await agentRows(process.argv.includes('--quick') ? AGENT_RUNS.quick : AGENT_RUNS.full, (what) =>
    process.stderr.write(`bench: ${what}… (${((performance.now() - started) / 1000).toFixed(0)} s)\n`));
  process.stdout.write(markdownTable(rows));
  process.stderr.write(`bench: agent part took ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

if (process.argv[1] && /scripts[\\/]bench[\\/]agent\.ts$/.test(process.argv[1])) {
  alone().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error('bench failed:', e);
      process.exit(1);
    },
  );
}
