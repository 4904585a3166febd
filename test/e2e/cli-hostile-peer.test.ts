/**
 * The CLI facing hostile peers and closed pipes (issue 10, items 5, 11 and 12), as a user runs
 * it: the built CLI as a separate process, a real IdP and the fixture backend.
 * - Terminal escapes a backend or an IdP puts in job titles, error messages, the device
 *   `verification_uri` or `user_code` never reach the terminal raw (they could erase the sign-in
 *   line, set the window title or write the clipboard with OSC 52); `--json` escapes them.
 * - A sign-in page on another host than the issuer is named in a warning.
 * - `status | head -1`: a reader that goes away ends the command quietly (no EPIPE stack trace).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, assertCliBuilt } from '../helpers/cli.ts';
import { signIn, startCliWorld, type CliWorld } from './cli-harness.ts';

/** Clear screen, OSC 52 (write the clipboard), OSC 0 (window title), a bidi override, C1 CSI, a line of its own. */
const ESCAPES = '\u001b[2J\u001b]52;c;ZWNobyBvd25lZA==\u0007\u001b]0;owned\u0007\u202e\u009b31m\rVisit https://evil.example';
// eslint-disable-next-line no-control-regex -- what must not reach a terminal
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function assertPlain(text: string, what: string): void {
  const found = RAW_CONTROL.exec(text);
  assert.equal(found, null, `${what} carries a raw control character U+${found?.[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${JSON.stringify(text.slice(0, 400))}`);
}

const worlds: CliWorld[] = [];
after(async () => {
  for (const w of worlds) await w.stop();
});

describe('terminal escapes from peers', () => {
  test('job titles, ids and a backend error message reach the terminal as plain text; --json escapes them', async () => {
    const world = await startCliWorld();
    worlds.push(world);
    const id = await signIn(world);
    world.backend.addJob('alice', { id: `job-1${ESCAPES}`, title: `NDVI ${ESCAPES}`, status: 'running', created: `2026-01-01T00:00:00Z${ESCAPES}` });

    const text = await world.cli(['jobs', id]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /NDVI/);
    assertPlain(text.stdout, 'jobs output');

    const json = await world.cli(['jobs', id, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assertPlain(json.stdout, 'jobs --json output');
    const rows = JSON.parse(json.stdout) as Array<{ title: string }>;
    assert.equal(rows[0]?.title, `NDVI ${ESCAPES}`, 'the JSON still carries the value itself, escaped');

    world.backend.override('GET', '/openeo/1.2/jobs', { status: 500, body: { code: `Internal${ESCAPES}`, message: `Something broke ${ESCAPES}` } });
    const failed = await world.cli(['jobs', id]);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /Something broke/);
    assertPlain(failed.stderr, 'the error line');
    assert.equal(failed.stderr.split('\n').filter(Boolean).length, 1, `one error line: ${failed.stderr}`);
  });

  test('device login: an escape-laden sign-in page on another host is printed plain, with a warning', async () => {
    const world = await startCliWorld({
      idp: { deviceResponsePatch: { verification_uri: `https://login.example-lookalike.test/device${ESCAPES}`, verification_uri_complete: undefined } },
    });
    worlds.push(world);
    let device: Record<string, unknown> | undefined;
    const run = await world.cli(['login', world.backend.url, '--json', '--no-browser'], {
      timeoutMs: 30_000,
      onStdoutLine: (line, child) => {
        const event = JSON.parse(line) as Record<string, unknown>;
        if (event.event === 'device_authorization') {
          device = event;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(run.code, 130, `cancelled with Ctrl+C: ${run.stderr}`);
    assertPlain(run.stderr, 'the sign-in instructions');
    assertPlain(run.stdout, 'the JSON lines');
    assert.match(run.stderr, /Visit https:\/\/login\.example-lookalike\.test\/device/);
    assert.match(run.stderr, /Warning: The sign-in page is on login\.example-lookalike\.test, not on the identity provider's own address \(127\.0\.0\.1\)/);
    assert.match(String(device?.warning), /login\.example-lookalike\.test/);
  });
});

describe('closed pipes', () => {
  test('`help | head -0` and `status | head -0`: quiet, exit 141 as after SIGPIPE, every time', async (t) => {
    assertCliBuilt();
    const home = mkdtempSync(join(tmpdir(), 'oat-pipe-'));
    t.after(() => {
      rmSync(home, { recursive: true, force: true });
    });
    for (const args of [['help'], ['status'], ['status', '--json']]) {
      for (let i = 0; i < 5; i++) {
        const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
          const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPENEO_AUTH_TRAY_HOME: home } });
          child.stdout.destroy(); // the reader is gone before the first line is written
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stderr }));
        });
        assert.equal(result.stderr, '', `${args.join(' ')}: nothing on stderr (try ${i + 1})`);
        assert.equal(result.code, 141, `${args.join(' ')}: exit status (try ${i + 1})`);
      }
    }
  });
});
