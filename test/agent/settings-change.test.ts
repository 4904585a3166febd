/**
 * The headless agent keeps the settings file's checked document while the file is unchanged (it
 * reads the settings at every request), yet a change another process makes shows at the very next
 * request: `script-access` run by the CLI (an atomic replace), and an editor's write in place to
 * the same size. Each change is made only after the file has settled (SETTLED_AFTER_MS), so the
 * agent answers from its kept document just before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { agentRequest, servedLogin } from '../helpers/agent.ts';
import { SETTLED_AFTER_MS } from '../../src/main/core/settings/settings-file.ts';

/** Waits until the settings file last changed more than SETTLED_AFTER_MS ago. */
async function settled(file: string): Promise<void> {
  const st = statSync(file);
  const left = Math.max(st.ctimeMs, st.mtimeMs) + SETTLED_AFTER_MS + 100 - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
}

/** Another process rewrites the file in place (same inode), replacing `from` by `to` (same length). */
function rewriteInPlace(file: string, from: string, to: string): Promise<void> {
  const script = `const fs = require('node:fs'); const [file, from, to] = process.argv.slice(1);
    const text = fs.readFileSync(file, 'utf8'); if (!text.includes(from)) process.exit(3);
    fs.writeFileSync(file, text.replace(from, to), { flag: 'r+' });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, file, from, to], (err) => (err ? reject(new Error(`the rewrite failed: ${err.message}`)) : resolve()));
  });
}

test('a settings change by another process reaches the agent at the next request: script access turned off and on by the CLI, a label changed in place', async (t) => {
  const { world, id, agent } = await servedLogin(t, ['--label', 'alice']);
  const file = join(world.home, 'settings.json');
  const ask = (account: string): Promise<Record<string, unknown>> =>
    agentRequest(agent.socket, { request: 'access_token', account, min_valid_period: 0, application_hint: 'settings-change' });

  await settled(file);
  assert.equal((await ask(id)).status, 'success');
  assert.equal((await ask(id)).status, 'success', 'asked again with the file unchanged');

  const denied = await world.cli(['script-access', id, 'deny']);
  assert.equal(denied.code, 0, denied.stderr);
  const refused = await ask(id);
  assert.equal(refused.status, 'failure', 'the very next request sees scripts turned off');
  assert.equal(refused.code, 'SCRIPT_ACCESS_DENIED');

  await settled(file);
  assert.equal((await ask(id)).code, 'SCRIPT_ACCESS_DENIED', 'still off, from the kept document');
  const allowed = await world.cli(['script-access', id, 'allow']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal((await ask(id)).status, 'success', 'the very next request sees scripts allowed again');

  await settled(file);
  assert.equal((await ask('alice')).status, 'success', 'by label, from the kept document');
  const ino = statSync(file).ino;
  const size = statSync(file).size;
  await rewriteInPlace(file, '"label": "alice"', '"label": "alicf"');
  assert.equal(statSync(file).ino, ino, 'written in place');
  assert.equal(statSync(file).size, size, 'to the same size');
  assert.match(readFileSync(file, 'utf8'), /"label": "alicf"/);
  const renamed = await ask('alicf');
  assert.equal(renamed.status, 'success', `the very next request knows the new label (${String(renamed.error)})`);
  assert.equal(renamed.identity, id);
  assert.equal((await ask('alice')).code, 'IDENTITY_NOT_FOUND', 'and no longer the old one');
});
