/**
 * Hostile requests, all at once against the CLI's agent: 10 MB (plain and sealed), nothing at all,
 * half a request, a request sent a byte a second, bad JSON, text that is neither JSON nor a key,
 * and broken key exchanges (garbage after a key, a message sealed with another key, a key and
 * nothing more, a low-order public key). Each ends within the agent's limits (5 s idle, 15 s per
 * request: the CLI agent's defaults) with a failure or a closed connection, and while they are
 * still open, good clients (plain and sealed) get tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nacl from 'tweetnacl';

import { agentRequest, exchange, sealedExchange, sealedRequest, servedLogin, type Exchange, type SealedExchange } from '../helpers/agent.ts';

/** The CLI agent's limits, and a generous margin over them for a loaded machine. */
const REQUEST_MS = 15_000;
const MARGIN_MS = 10_000;

interface Outcome {
  /** What the client saw: the agent's answer (opened, for a sealed one), or '' when it closed without one. */
  answer: string;
  result: Exchange;
}

type Expect = { failure: RegExp } | { closedWithoutAnswer: true };

const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 'a');
const NOT_COMPLETE = /^The request was not complete in time\.$/;

const plainCases: Array<{ name: string; chunks: Array<string | Buffer | number>; expect: Expect }> = [
  { name: 'a 10 MB request', chunks: ['{"request": "access_token", "application_hint": "', TEN_MB, '"}'], expect: { failure: /^The request is larger than 64 KiB\.$/ } },
  { name: 'a connection that sends nothing', chunks: [], expect: { closedWithoutAnswer: true } },
  { name: 'half a request, then nothing', chunks: ['{"request": "access_tok'], expect: { failure: NOT_COMPLETE } },
  { name: 'a request sent a byte a second, never finished', chunks: ['{"request":', ...Array.from({ length: 25 }, () => [1_000, ' '] as const).flat()], expect: { failure: NOT_COMPLETE } },
  { name: 'bad JSON (a trailing comma)', chunks: ['{"request": "access_token",}'], expect: { failure: /^(The request was not complete in time|The request is not valid JSON)\.$/ } },
  { name: 'a JSON value that is not an object', chunks: ['["access_token"]'], expect: { failure: /./ } },
  { name: 'text that is neither JSON nor a key', chunks: ['GET /token HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl\r\n\r\n'], expect: { failure: /^The agent expected a JSON request or a NaCl public key\.$/ } },
  { name: 'a request the agent does not answer', chunks: ['{"request": "mytoken", "account": "x"}'], expect: { failure: /does not answer the request "mytoken"/ } },
];

const otherBox = nacl.box.keyPair();
const sealedCases: Array<{ name: string; after: (seal: (text: string) => string) => Array<string | Buffer | number>; expect: Expect }> = [
  { name: 'a key, then garbage', after: () => ['this is not a sealed message at all'], expect: { failure: NOT_COMPLETE } },
  {
    name: 'a key, then a message sealed with another key',
    after: () => {
      const nonce = nacl.randomBytes(24);
      const box = nacl.box(Buffer.from('{"request":"access_token"}'), nonce, nacl.box.keyPair().publicKey, otherBox.secretKey);
      return [`26:${Buffer.from(nonce).toString('base64')}:${Buffer.from(box).toString('base64')}`];
    },
    expect: { failure: NOT_COMPLETE },
  },
  { name: 'a key, then 10 MB of garbage', after: () => [TEN_MB], expect: { failure: /^The request is larger than 64 KiB\.$/ } },
  { name: 'a key, then nothing', after: () => [], expect: { closedWithoutAnswer: true } },
];

/** Public keys X25519 cannot agree with (low-order points): the agent must refuse them, not fail. */
const LOW_ORDER_KEYS = [
  Buffer.alloc(32).toString('base64'),
  Buffer.from([1, ...Array<number>(31).fill(0)]).toString('base64'),
  Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex').toString('base64'),
];

function check(name: string, outcome: Outcome, expect: Expect): void {
  assert.equal(outcome.result.ended, 'closed', `${name}: the agent closed the connection (${outcome.result.ended} ${outcome.result.error ?? ''})`);
  if ('closedWithoutAnswer' in expect) {
    assert.equal(outcome.answer, '', `${name}: closed without an answer`);
    return;
  }
  const answer = JSON.parse(outcome.answer) as { status?: string; error?: string; code?: string; exit_code?: number };
  assert.equal(answer.status, 'failure', `${name}: ${outcome.answer.slice(0, 200)}`);
  assert.equal(answer.code, 'AGENT_REQUEST_INVALID', name);
  assert.equal(answer.exit_code, 1, name);
  assert.match(answer.error ?? '', expect.failure, name);
}

function sealedOutcome(r: SealedExchange): Outcome {
  if (r.afterKey === '') return { answer: '', result: r };
  const opened = r.open(r.afterKey);
  assert.ok(opened !== null, `a sealed answer opens with the exchanged key: ${r.afterKey.slice(0, 100)}`);
  return { answer: opened, result: r };
}

test('hostile requests are each answered with a failure or closed within the limits, and good clients are served while they are open', async (t) => {
  const { id, agent } = await servedLogin(t);
  const bound = { timeoutMs: REQUEST_MS + MARGIN_MS };

  const started = Date.now();
  const plain = plainCases.map((c) => exchange(agent.socket, c.chunks, bound).then((result) => ({ answer: result.text, result })));
  const sealed = sealedCases.map((c) => sealedExchange(agent.socket, c.after, bound).then(sealedOutcome));
  const lowOrder = LOW_ORDER_KEYS.map((key) => exchange(agent.socket, [key], bound).then((result) => ({ answer: result.text, result })));
  // Hold one of the slow ones open for the ordering check below.
  const slow = exchange(agent.socket, ['{"request": "access_token", "account": '], bound);

  // Good clients, while all of the above are under way.
  const goodAt: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = await agentRequest(agent.socket, { request: 'access_token', account: id, application_hint: 'good client' });
    assert.equal(a.status, 'success', `a good plain request: ${String(a.error)}`);
    const b = await sealedRequest(agent.socket, { request: 'access_token', account: id, application_hint: 'good client (sealed)' });
    assert.equal(b.status, 'success', `a good sealed request: ${String(b.error)}`);
    goodAt.push(Date.now());
  }

  const outcomes = {
    plain: await Promise.all(plain),
    sealed: await Promise.all(sealed),
    lowOrder: await Promise.all(lowOrder),
    slow: await slow,
  };
  t.diagnostic(`all hostile connections ended within ${Date.now() - started} ms`);
  plainCases.forEach((c, i) => check(c.name, outcomes.plain[i]!, c.expect));
  sealedCases.forEach((c, i) => check(c.name, outcomes.sealed[i]!, c.expect));
  outcomes.lowOrder.forEach((o, i) => check(`low-order public key ${i + 1}`, o, { failure: /public key/ }));
  assert.ok(outcomes.slow.text !== '' && outcomes.slow.at > Math.max(...goodAt), 'the good clients were served while a stalled request was still open');

  assert.equal(agent.child.exitCode, null, `the agent still runs; stderr:\n${agent.stderr()}`);
  const after = await agentRequest(agent.socket, { request: 'access_token', account: id });
  assert.equal(after.status, 'success', 'and still serves');
});
