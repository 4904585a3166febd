/**
 * Many connections at once, held by another process (test/agent/stalled-clients.ts): 1 000 that
 * never finish their request, and clients that got their answer but never close their side. The
 * agent keeps at most its limit of them (128), drops the rest, closes the ones it keeps within
 * its time limits (5 s idle, 15 s per request, the CLI agent's defaults), and meanwhile other
 * clients keep getting tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { agentRequest, sealedRequest, servedLogin, until } from '../helpers/agent.ts';

const CHILD = fileURLToPath(new URL('./stalled-clients.ts', import.meta.url));
/** The agent's connection limit per socket (DEFAULT_SOCKET_LIMITS.maxConnections). */
const MAX_CONNECTIONS = 128;
/** Generous bound for a good client's answer while the agent is under load. */
const GOOD_ANSWER_MS = 10_000;

interface StalledStatus {
  attempted: number;
  connected: number;
  /** Not ended by the agent. */
  open: number;
  /** Ended by the agent, but its socket is still there (writes go through). */
  halfOpen: number;
  /** Let go of entirely by the agent. */
  gone: number;
  answers: Record<string, number>;
  errors: Record<string, number>;
  retried: number;
}

interface Stalled {
  opened: StalledStatus;
  status(): Promise<StalledStatus>;
  stop(): Promise<void>;
}

/** Starts the child that holds `count` connections of `mode`; resolves when it has attempted them all. */
async function stalledClients(socket: string, count: number, mode: 'silent' | 'trickle' | 'answered'): Promise<Stalled> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, socket, String(count), mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const waiting: Array<(s: StalledStatus) => void> = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line) as StalledStatus));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const next = (what: string): Promise<StalledStatus> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stalled clients did not report ${what} within 60 s; stderr:\n${stderr}`)), 60_000);
    waiting.push((s) => {
      clearTimeout(timer);
      resolve(s);
    });
    void exited.then(() => reject(new Error(`the stalled clients exited; stderr:\n${stderr}`)));
  });
  const opened = await next('opening');
  return {
    opened,
    status() {
      const reply = next('a status');
      child.stdin.write('status\n');
      return reply;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}


/** A good client's requests, plain and sealed: both must get a token within the bound. */
async function goodClientsServed(socket: string, id: string, what: string): Promise<void> {
  const plain = await agentRequest(socket, { request: 'access_token', account: id, application_hint: 'good client' }, GOOD_ANSWER_MS);
  assert.equal(plain.status, 'success', `a plain request ${what}: ${String(plain.error)}`);
  const sealed = await sealedRequest(socket, { request: 'access_token', account: id, application_hint: 'good client (sealed)' }, GOOD_ANSWER_MS);
  assert.equal(sealed.status, 'success', `a sealed request ${what}: ${String(sealed.error)}`);
  assert.equal(typeof sealed.access_token, 'string');
}

test('1 000 connections that never finish their request: the agent holds at most 128, serves good clients meanwhile, and closes the rest within its request limit', async (t) => {
  const { id, agent, defer } = await servedLogin(t);
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  t.diagnostic(`ulimit -n: ${limit}`);
  assert.ok(Number.isNaN(limit) || limit > 1_100, `the stalled clients need more than 1 100 file descriptors; ulimit -n is ${limit}`);

  const stalled = await stalledClients(agent.socket, 1_000, 'trickle');
  defer(() => stalled.stop());
  assert.deepEqual(stalled.opened.errors, {}, 'every connection was made');
  assert.equal(stalled.opened.connected, 1_000);

  for (let i = 0; i < 3; i++) await goodClientsServed(agent.socket, id, `while 1 000 stalled connections were made (${i + 1})`);
  // The agent's ends of the dropped ones reach the child in their own time: wait for them, briefly
  // (well within the 15 s the held ones may still take).
  let during = await stalled.status();
  await until(async () => (during = await stalled.status()).open <= MAX_CONNECTIONS, `the agent holds at most ${MAX_CONNECTIONS}`, 5_000);
  t.diagnostic(`after the good requests: ${JSON.stringify(during)}`);
  assert.ok(during.open > 0, 'stalled connections were still open while the good clients were served');

  // Each held one sends a byte a second, so only the 15 s request limit ends it: with a failure.
  await until(async () => (await stalled.status()).open === 0, 'the agent ended every stalled connection', 30_000);
  // Those told why keep writing; the agent lets go of them after its idle limit.
  await until(async () => (await stalled.status()).gone === 1_000, 'the agent let go of every stalled connection', 15_000);
  const end = await stalled.status();
  t.diagnostic(`at the end: ${JSON.stringify(end)}`);
  assert.ok((end.answers['failure AGENT_REQUEST_INVALID The request was not complete in time.'] ?? 0) > 0, 'those held to the limit were told why');
  assert.deepEqual(Object.keys(end.answers).filter((k) => !k.startsWith('failure AGENT_REQUEST_INVALID')), [], 'nothing else was answered to them');
  await goodClientsServed(agent.socket, id, 'afterwards');
});

test('clients that got their answer but never close their side do not lock others out; the agent closes them', async (t) => {
  const { id, agent, defer } = await servedLogin(t);
  const holders = await stalledClients(agent.socket, 300, 'answered');
  defer(() => holders.stop());
  t.diagnostic(`holders opened: ${JSON.stringify(holders.opened)}`);
  await until(async () => (await holders.status()).open === 0, 'every holder had its answer or was ended');

  await goodClientsServed(agent.socket, id, 'with 300 answered clients holding their connections');
  // Each sends a byte a second after its answer, which fails once the agent has let go.
  await until(async () => (await holders.status()).halfOpen === 0, 'the agent let go of every connection whose client kept it after the answer', 20_000);
  const end = await holders.status();
  t.diagnostic(`at the end: ${JSON.stringify(end)}`);
  assert.equal(end.gone, 300);
  await goodClientsServed(agent.socket, id, 'afterwards');
});
