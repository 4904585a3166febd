/** OPENEO_AUTH_TRAY_TIMEOUT bounds the wait for a peer that accepts connections and never answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { startLocalServer } from '../helpers/local-server.ts';

test('a backend that never answers: exit 5 with "did not answer within 1 s" when the timeout is 1 s', async (t) => {
  const silent = await startLocalServer(() => undefined); // accepts, never answers
  const home = mkdtempSync(join(tmpdir(), 'openeo-cli-timeout-'));
  t.after(async () => {
    await silent.stop();
    rmSync(home, { recursive: true, force: true });
  });
  const run = await runCli(['login', silent.url, '--no-browser'], {
    env: { ...process.env, OPENEO_AUTH_TRAY_HOME: home, OPENEO_AUTH_TRAY_TIMEOUT: '1' },
    timeoutMs: 30_000, // a bound for a hung CLI; without the variable the message would say 15 s
  });
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.stderr, /did not answer within 1 s/);
  assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
});
