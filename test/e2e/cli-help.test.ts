/**
 * The CLI's help is written from the tables that parse each command's arguments: every option a
 * command takes is in `help` and in `<command> --help`, none that it does not take, and
 * `--version` is package.json's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
const env = { ...process.env, OPENEO_AUTH_TRAY_HOME: '/nonexistent/openeo-auth-tray-help' };
const COMMANDS = ['login', 'status', 'token', 'logout', 'jobs', 'exec', 'agent', 'forward', 'script-access', 'export-python', 'import-python', 'doctor'];

/** The options a command's module declares (its parse table), visible ones only. */
async function declared(name: string): Promise<string[]> {
  const mod = (await import(`../../src/main/cli/commands/${name}.ts`)) as { spec: { options: Record<string, { hidden?: boolean }> } };
  return Object.entries(mod.spec.options).filter(([, o]) => !o.hidden).map(([k]) => `--${k}`);
}

const optionsIn = (text: string): string[] => [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])];

test('help lists every command with exactly the options its table parses, the exit codes and 141', async () => {
  const run = await runCli(['help'], { env });
  assert.equal(run.code, 0, run.stderr);
  for (const name of COMMANDS) {
    const line = run.stdout.split('\n').find((l) => l.startsWith(`  openeo-auth-tray ${name} `) || l === `  openeo-auth-tray ${name}`);
    assert.ok(line, `help lists ${name}`);
    assert.deepEqual(optionsIn(line.replace(/ -- <command…>$/, '')).sort(), (await declared(name)).sort(), `${name}'s options`);
  }
  assert.match(run.stdout, /130 cancelled, 141 the reader of the output went away/);
  assert.match(run.stdout, /export-python <id> \[--dir DIR\] \[--sync\] \[--no-sync\]/);
  assert.match(run.stdout, /import-python \[--dir DIR\] \[--backend URL\] \[--yes\]/);
});

test('<command> --help, and help <command>, explain every option and exit 0 without touching anything', async () => {
  for (const name of COMMANDS) {
    for (const args of [[name, '--help'], ['help', name]]) {
      const run = await runCli(args, { env });
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(run.stdout.startsWith(`openeo-auth-tray ${name}`), args.join(' '));
      for (const option of await declared(name)) assert.match(run.stdout, new RegExp(`^  ${option}\\b.* \\S`, 'm'), `${name} explains ${option}`);
    }
  }
  // With other arguments too (the help wins), and exec's before its "--".
  assert.equal((await runCli(['token', 'whatever', '--help'], { env })).code, 0);
  assert.equal((await runCli(['exec', '--help'], { env })).code, 0);
});

test('--version is package.json\'s; an option a command does not take is a usage error', async () => {
  assert.equal((await runCli(['--version'], { env })).stdout, `openeo-auth-tray ${VERSION}\n`);
  const bad = await runCli(['status', '--sync'], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option '--sync'.*openeo-auth-tray help/);
});
