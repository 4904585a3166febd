/**
 * `status` shows what scripts did with a login through the token agent, from another process:
 * the headless agent (`openeo-auth-tray agent --foreground`, the built CLI) answers a script on a
 * raw socket with plain JSON, records the use in script-use.json, and `status` reads it while the
 * agent runs and after it stopped (it writes what is left when it stops on SIGTERM).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH } from '../helpers/cli.ts';
import { ISO_8601, signIn, startCliWorld, statusRows, type CliWorld, type StatusRow } from './cli-harness.ts';

let world: CliWorld | undefined;
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
  await world?.stop();
  world = undefined;
});

/** One request on the agent's socket, as a script without any client library sends it. */
function ask(socket: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let text = '';
    const timer = setTimeout(() => conn.destroy(new Error('no answer within 10 s')), 10_000);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(JSON.stringify(request)));
    conn.on('data', (chunk: string) => { text += chunk; });
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    conn.on('end', () => {
      clearTimeout(timer);
      resolve(JSON.parse(text) as Record<string, unknown>);
    });
  });
}

/** Starts the headless agent in its own folder; resolves once it said where it listens. */
async function startAgent(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; socket: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI_PATH, 'agent', '--foreground'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const socket = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not start within 20 s: ${stderr}`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const found = /OPENEO_AUTH_TRAY_SOCK=([^;\s]+);/.exec(stdout);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the agent exited (${code}) before it was ready: ${stderr}`));
    });
  });
  return { child, socket, exited };
}

const scriptFields = (row: StatusRow) => ({
  scripts: row.scripts, last_script_use_at: row.last_script_use_at, last_script_hint: row.last_script_hint, script_uses_last_hour: row.script_uses_last_hour,
});

test('status --json and status say how often scripts used a login, which one last and when — while the agent runs and after', async () => {
  world = await startCliWorld();
  const id = await signIn(world, ['--label', 'Work']);
  const [fresh] = await statusRows(world);
  assert.deepEqual(scriptFields(fresh!), { scripts: 'allow', last_script_use_at: null, last_script_hint: null, script_uses_last_hour: 0 });
  assert.doesNotMatch((await world.cli(['status'])).stdout, /scripts/i, 'no line about scripts before any used the login');

  const dir = mkdtempSync(join(tmpdir(), 'oat-agent-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const agent = await startAgent({ ...world.env, OPENEO_AUTH_TRAY_AGENT_DIR: dir });
  assert.equal(agent.socket, join(dir, 'agent.sock'));
  const before = Date.now();
  for (let i = 0; i < 3; i++) {
    const answer = await ask(agent.socket, { request: 'access_token', application_hint: 'python (job.py)' });
    assert.equal(answer.status, 'success', JSON.stringify(answer));
    assert.equal(answer.identity, id);
  }

  // The agent writes its record every few seconds: status in this other process sees it (bounded wait).
  let running: StatusRow | undefined;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    [running] = await statusRows(world);
    if (running?.script_uses_last_hour === 3) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(running?.script_uses_last_hour, 3, 'status shows the use while the agent runs');

  agent.child.kill('SIGTERM');
  assert.equal(await agent.exited, 0, 'the agent stops cleanly on SIGTERM');

  const [row] = await statusRows(world);
  assert.equal(row!.scripts, 'allow');
  assert.equal(row!.last_script_hint, 'python (job.py)');
  assert.equal(row!.script_uses_last_hour, 3);
  assert.match(String(row!.last_script_use_at), ISO_8601);
  const at = Date.parse(String(row!.last_script_use_at));
  assert.ok(at >= before - 1000 && at <= Date.now(), `last use ${String(row!.last_script_use_at)}`);
  assert.equal(JSON.stringify(row).includes('access_token"'), false);

  const text = await world.cli(['status']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /\n {4}Used by scripts: 3 times in the last hour, last by “python \(job\.py\)” \(unverified name\) at [^\n]+\n/);

  // The setting comes from the settings file, whoever changed it.
  const denied = await world.cli(['script-access', id, 'deny']);
  assert.equal(denied.code, 0, denied.stderr);
  assert.equal((await statusRows(world))[0]!.scripts, 'deny');
  assert.equal((await world.cli(['script-access', id, 'ask'])).code, 0);
  assert.deepEqual(scriptFields((await statusRows(world))[0]!), {
    scripts: 'ask', last_script_use_at: row!.last_script_use_at, last_script_hint: 'python (job.py)', script_uses_last_hour: 3,
  });
});
