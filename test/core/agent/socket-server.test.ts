/**
 * The agent's socket under hostile clients, with small limits so a test takes milliseconds: every
 * bad connection is bounded (answered with a failure or closed), and good clients keep being
 * served while it happens. The same with the default limits and the real agent is in
 * test/agent/hostile-clients.test.ts.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocketServer, type SocketLimits, type SocketServer } from '../../../src/main/core/agent/socket-server.ts';

const LIMITS: SocketLimits = { maxConnections: 16, idleMs: 300, requestMs: 1_000 };

async function server(t: TestContext, limits: Partial<SocketLimits> = LIMITS, answer?: (text: string) => Promise<Record<string, unknown>>): Promise<SocketServer & { answered: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'oat-sock-'));
  const answered: string[] = [];
  const s = createSocketServer({
    path: join(dir, 'agent.sock'),
    limits,
    answer: answer ?? (async (text) => { answered.push(text); return { status: 'success', text }; }),
  });
  await s.listen();
  t.after(async () => { await s.close(); rmSync(dir, { recursive: true, force: true }); });
  return Object.assign(s, { answered });
}

/** Sends `chunks` and collects everything until the agent closes; `closed` without an answer is ''. */
function exchange(path: string, chunks: Array<string | Buffer>, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let text = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`not closed within ${timeoutMs} ms`)); }, timeoutMs);
    s.on('connect', () => { for (const c of chunks) s.write(c); });
    s.setEncoding('utf8').on('data', (c: string) => (text += c));
    s.on('error', () => undefined);
    s.on('close', () => { clearTimeout(timer); resolve(text); });
  });
}

const good = (path: string) => exchange(path, ['{"request":"loaded_accounts"}']).then((t) => JSON.parse(t) as Record<string, unknown>);

function openSilent(path: string, n: number): Promise<Socket[]> {
  return Promise.all(Array.from({ length: n }, () => new Promise<Socket>((resolve, reject) => {
    const s = connect(path);
    s.on('connect', () => resolve(s));
    s.on('error', (e) => { if (!s.connecting) return; reject(e); });
  })));
}

test('a request in pieces is answered once whole; a request broken before its end is answered at once', async (t) => {
  const s = await server(t);
  const answer = await exchange(s.path, ['{"request":', '"loaded_', 'accounts"}']);
  assert.deepEqual(JSON.parse(answer), { status: 'success', text: '{"request":"loaded_accounts"}' });
  const broken = JSON.parse(await exchange(s.path, ['{"request": }'])) as Record<string, unknown>;
  assert.equal(broken.status, 'success', 'the answerer is handed the text (and the agent\'s parser refuses it)');
  assert.equal(s.answered.at(-1), '{"request": }');
});

test('too large: a failure at 64 KiB, without reading the rest; a 10 MB request costs nothing more', async (t) => {
  const s = await server(t);
  const big = Buffer.alloc(10 * 1024 * 1024, 'a');
  const answer = JSON.parse(await exchange(s.path, ['{"request":"access_token","application_hint":"', big])) as Record<string, unknown>;
  assert.deepEqual([answer.status, answer.code], ['failure', 'AGENT_REQUEST_INVALID']);
  assert.match(String(answer.error), /larger than 64 KiB/);
  assert.deepEqual(await good(s.path), { status: 'success', text: '{"request":"loaded_accounts"}' });
  assert.equal(s.answered.length, 1, 'only the good request reached the answerer');
});

test('garbage: neither a request nor a key is refused; a key then garbage, and silence, end within the limits', async (t) => {
  const s = await server(t);
  assert.match(await exchange(s.path, ['x'.repeat(100)]), /expected a JSON request or a NaCl public key/);
  // A valid key, then something that never opens (sent at once, not waiting for the agent's key):
  // the agent's key comes back, then a failure at the idle limit.
  const afterKey = await exchange(s.path, [Buffer.alloc(32, 9).toString('base64'), '12:AAAA:BBBB']);
  assert.match(afterKey, /^[A-Za-z0-9+/]{43}=/);
  assert.ok(afterKey.length > 44, 'a failure follows the key');
  // Half a request, then nothing: a failure at the idle limit. Nothing at all: closed.
  assert.match(await exchange(s.path, ['{"request":"acc']), /not complete in time/);
  assert.equal(await exchange(s.path, []), '');
  assert.equal(s.answered.length, 0);
});

test('connections at the limit: the one sending longest is dropped for a new one; good clients are served among 300 silent ones', async (t) => {
  const s = await server(t, { ...LIMITS, idleMs: 60_000, requestMs: 60_000 });
  const silent = await openSilent(s.path, 300);
  t.after(() => { for (const c of silent) c.destroy(); });
  for (let i = 0; i < 5; i++) assert.deepEqual(await good(s.path), { status: 'success', text: '{"request":"loaded_accounts"}' });
  assert.ok(s.connections() <= LIMITS.maxConnections, `${s.connections()} connections held`);
});

test('a connection being answered is never dropped, however many come after it', async (t) => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  const s = await server(t, { ...LIMITS, idleMs: 60_000, requestMs: 60_000 }, async (text) => {
    if (text.includes('slow')) await held;
    return { status: 'success', text };
  });
  const slow = exchange(s.path, ['{"request":"slow"}'], 20_000);
  await new Promise((r) => setTimeout(r, 50));
  const silent = await openSilent(s.path, 100);
  t.after(() => { for (const c of silent) c.destroy(); });
  assert.deepEqual(JSON.parse(await exchange(s.path, ['{"request":"fast"}'])), { status: 'success', text: '{"request":"fast"}' });
  release();
  assert.deepEqual(JSON.parse(await slow), { status: 'success', text: '{"request":"slow"}' });
});

test('closing removes the socket file only while it is still ours', async (t) => {
  const s = await server(t);
  await s.close();
  const { existsSync } = await import('node:fs');
  assert.equal(existsSync(s.path), false);
});
