/** The record of scripts' use of logins: the last hour's count, the last hint, a private file other processes read, a hostile file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScriptUse, scriptUseFile, ScriptUseLog } from '../../../src/main/core/agent/script-use.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const MIN = 60_000;

test('uses in the last hour are counted by the minute; the last use keeps its hint; the file says the same', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oat-use-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new FakeClock();
  let changes = 0;
  const log = new ScriptUseLog({ settingsFolder: dir, clock, timers: clock, writeEveryMs: 2_000, onChange: () => changes++ });
  for (let i = 0; i < 14; i++) {
    log.record('cdse-3f9a1c', 'python (my_job.py)');
    await clock.advance(5 * MIN);
  }
  log.record('cdse-3f9a1c', 'R');
  const use = log.use('cdse-3f9a1c')!;
  assert.equal(use.lastHint, 'R');
  assert.equal(use.lastAt, clock.now());
  assert.equal(use.lastHour, 12, 'uses an hour old or older no longer count (11 of python, then R)');
  assert.equal(changes, 15);
  assert.equal(log.use('other-000000'), null);
  await log.flush();
  assert.equal(statSync(scriptUseFile(dir)).mode & 0o777, 0o600);
  assert.deepEqual(readScriptUse(dir, clock.now()).get('cdse-3f9a1c'), use);
  assert.equal(readScriptUse(dir, clock.now() + 2 * 60 * MIN).get('cdse-3f9a1c')!.lastHour, 0);
  // A new log (the app restarted) goes on from the file.
  const again = new ScriptUseLog({ settingsFolder: dir, clock, timers: clock });
  assert.deepEqual(again.use('cdse-3f9a1c'), use);
  again.forget('cdse-3f9a1c');
  await again.flush();
  assert.equal(readScriptUse(dir, clock.now()).size, 0);
});

test('a damaged or hostile file is an empty record, never a crash; its text is made inert', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oat-use-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = scriptUseFile(dir);
  for (const text of ['', 'nope', '[]', 'null', '{"__proto__":{"last_at":1}}', JSON.stringify({ 'BAD ID': { last_at: 1 } }), JSON.stringify({ 'a-1': { last_at: -5 } })]) {
    writeFileSync(file, text);
    assert.equal(readScriptUse(dir, Date.now()).size, 0, text);
  }
  writeFileSync(file, JSON.stringify({ 'a-1': { last_at: 5, last_hint: '\u001b]52;c;AAAA\u0007evil\u202e', minutes: [[1, 2], ['x', 1], [3]] } }));
  const use = readScriptUse(dir, 10).get('a-1')!;
  assert.equal(use.lastHint, ']52;c;AAAA evil');
  assert.equal(use.lastHour, 0);
});
