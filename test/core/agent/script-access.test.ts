/** Whether a script may have a login's token: the identity's setting, the person's answers, and their bounds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptAccessGate, scriptAccessOf, scriptsSetting, type AccessQuestion } from '../../../src/main/core/agent/script-access.ts';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';

const HOUR = 3_600_000;
const denied = (e: unknown): boolean => isAuthTrayError(e, 'SCRIPT_ACCESS_DENIED');

test('the setting: allowed without asking by default; ask; deny', () => {
  assert.equal(scriptAccessOf(sampleIdentity()), 'allow');
  for (const a of ['allow', 'ask', 'deny'] as const) assert.equal(scriptAccessOf(sampleIdentity({ scripts: scriptsSetting(a) })), a);
});

test('allow needs no question; deny refuses with how to change it', async () => {
  const gate = new ScriptAccessGate({ clock: new FakeClock(), ask: () => assert.fail('nobody is asked') });
  await gate.check({ identity: sampleIdentity(), hint: 'python' });
  await assert.rejects(gate.check({ identity: sampleIdentity({ id: 'x-1', scripts: scriptsSetting('deny') }), hint: 'python' }),
    (e: unknown) => denied(e) && /switched off/.test((e as Error).message) && /script-access x-1 allow/.test((e as { nextStep: string }).nextStep));
});

test('ask: one question per script and login, shared by every request waiting; "Allow" lasts an hour, then it asks again', async () => {
  const clock = new FakeClock();
  const asked: AccessQuestion[] = [];
  let answer: (a: 'allow' | 'deny') => void = () => undefined;
  const gate = new ScriptAccessGate({ clock, timers: clock, ask: (q) => { asked.push(q); return new Promise((r) => (answer = r)); } });
  const identity = sampleIdentity({ scripts: scriptsSetting('ask') });
  const waiting = [1, 2, 3].map(() => gate.check({ identity, hint: 'python (job.py)' }));
  await new Promise((r) => setImmediate(r));
  assert.equal(asked.length, 1);
  assert.equal(asked[0]!.hint, 'python (job.py)');
  answer('allow');
  await Promise.all(waiting);
  await gate.check({ identity, hint: 'python (job.py)' });
  assert.equal(asked.length, 1, 'allowed for the hour: not asked again');
  const other = gate.check({ identity, hint: 'R' });
  await new Promise((r) => setImmediate(r));
  assert.equal(asked.length, 2, 'another script is asked about');
  answer('deny');
  await assert.rejects(other, denied);
  await assert.rejects(gate.check({ identity, hint: 'R' }), (e: unknown) => denied(e) && /a moment ago/.test((e as Error).message));
  await clock.advance(HOUR + 1);
  const again = gate.check({ identity, hint: 'python (job.py)' });
  await new Promise((r) => setImmediate(r));
  assert.equal(asked.length, 3, 'an hour later it asks again');
  answer('allow');
  await again;
});

test('no answer in time is a no; with nobody to ask it is a no with how to allow it; too many open questions are refused', async () => {
  const clock = new FakeClock();
  const gate = new ScriptAccessGate({ clock, timers: clock, askTimeoutMs: 120_000, ask: () => new Promise(() => undefined) });
  const identity = sampleIdentity({ scripts: scriptsSetting('ask') });
  const pending = [gate.check({ identity, hint: 'a' }), gate.check({ identity, hint: 'b' }), gate.check({ identity, hint: 'c' })].map((p) => p.then(() => null, (e: unknown) => e));
  await new Promise((r) => setImmediate(r));
  await assert.rejects(gate.check({ identity, hint: 'd' }), (e: unknown) => denied(e) && /too many/.test((e as Error).message));
  await clock.advance(120_000);
  for (const e of await Promise.all(pending)) assert.ok(denied(e) && /did not allow/.test((e as Error).message), String(e));

  const headless = new ScriptAccessGate({ clock });
  await assert.rejects(headless.check({ identity, hint: 'a' }), (e: unknown) => denied(e) && /nobody to ask/.test((e as Error).message) && /script-access .* allow/.test((e as { nextStep: string }).nextStep));
});

test('a forward is its own place: allowing a script locally does not allow it through a forward', async () => {
  const clock = new FakeClock();
  let n = 0;
  const gate = new ScriptAccessGate({ clock, timers: clock, ask: async () => { n++; return 'allow'; } });
  const identity = sampleIdentity({ scripts: scriptsSetting('ask') });
  await gate.check({ identity, hint: 'python' });
  await gate.check({ identity, hint: 'python', forward: { id: '0a1b2c3d', until: clock.now() + HOUR } });
  assert.equal(n, 2);
  gate.forget(identity.id);
  await gate.check({ identity, hint: 'python' });
  assert.equal(n, 3, 'forgotten: asked again');
});
