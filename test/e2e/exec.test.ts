/**
 * `exec <id> -- <command…>` end to end: the built CLI runs a real child process with the
 * identity's credentials in the CHILD's environment only. Checked from the outside while the
 * child runs: not in any process's arguments (/proc/<pid>/cmdline, the child's, the CLI's, every
 * other), not in the CLI's own environment, not in the test's, not in any file of the settings
 * folder. Exit codes and signals of the child pass through.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, runCli, type CliRun } from '../helpers/cli.ts';
import { isOnPath } from '../../src/main/core/exec/cli-command-line.ts';
import { filesUnder, signIn, signInService, startSharedCliWorld, type SharedCliWorld } from './cli-harness.ts';

const VARIABLES = ['OPENEO_ACCESS_TOKEN', 'OPENEO_BEARER', 'OPENEO_AUTH_PROVIDER_ID', 'OPENEO_BACKEND_URL',
  'OPENEO_AUTH_METHOD', 'OPENEO_AUTH_CLIENT_ID', 'OPENEO_AUTH_CLIENT_SECRET', 'OPENEO_AUTH_TRAY_IDENTITY', 'OPENEO_AUTH_TRAY_CLI',
  'OPENEO_AUTH_TRAY_HOME'] as const;

/**
 * The child: prints its pid, its parent's pid and the openEO variables it sees, then waits until
 * the test has looked at /proc and created the "go" file (bounded: exits 99 after 20 s).
 */
const CHILD = `
const fs = require('node:fs');
const env = {};
for (const k of ${JSON.stringify(VARIABLES)}) if (process.env[k] !== undefined) env[k] = process.env[k];
process.stdout.write(JSON.stringify({ pid: process.pid, ppid: process.ppid, env }) + '\\n');
const go = process.argv[1], started = Date.now();
(function wait() {
  if (fs.existsSync(go)) process.exit(0);
  if (Date.now() - started > 20000) process.exit(99);
  setTimeout(wait, 20);
})();`;

interface ChildView {
  pid: number;
  ppid: number;
  env: Partial<Record<(typeof VARIABLES)[number], string>>;
  /** Read from /proc while the child was running. */
  childCmdline: string;
  cliCmdline: string;
  cliEnviron: string;
  /** Every process's arguments at that moment. */
  allCmdlines: string[];
}

let world: SharedCliWorld;
let home: string;
let env: NodeJS.ProcessEnv;
let personal: string;
let service: string;

/** POSIX shell quoting, as `shlex.split` reads it. */
const shq = (a: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'"'"'`)}'`);

const readProc = (pid: number | string, what: string): string => {
  try {
    return readFileSync(`/proc/${pid}/${what}`).toString('utf8').replaceAll('\0', ' ');
  } catch {
    return ''; // the process ended meanwhile
  }
};

/** Runs `exec <id> -- node -e CHILD <go-file>` and looks at the running child from the outside. */
async function execChild(id: string, runEnv: NodeJS.ProcessEnv = env, onView?: (view: ChildView) => void, flags: string[] = []): Promise<{ run: CliRun; view: ChildView }> {
  const dir = world.tempDir('oat-e2e-exec-');
  const go = join(dir, 'go');
  let view: ChildView | undefined;
  const run = await runCli(['exec', id, ...flags, '--', process.execPath, '-e', CHILD, go], {
    env: runEnv,
    onStdoutLine: (line) => {
      const seen = JSON.parse(line) as Pick<ChildView, 'pid' | 'ppid' | 'env'>;
      view = {
        ...seen,
        childCmdline: readProc(seen.pid, 'cmdline'),
        cliCmdline: readProc(seen.ppid, 'cmdline'),
        cliEnviron: readProc(seen.ppid, 'environ'),
        allCmdlines: readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((pid) => readProc(pid, 'cmdline')),
      };
      if (onView) onView(view);
      else writeFileSync(go, '');
    },
  });
  assert.ok(view, `the child printed nothing; stderr: ${run.stderr}`);
  return { run, view };
}

function assertNowhereElse(secret: string, view: ChildView, what: string): void {
  assert.ok(secret.length >= 16, `${what} looks like a real secret`);
  assert.ok(view.cliCmdline.includes(CLI_PATH) && view.cliCmdline.includes(' exec '), `the child's parent is the CLI: ${view.cliCmdline}`);
  assert.ok(!view.childCmdline.includes(secret), `${what} is not in /proc/<child>/cmdline`);
  assert.ok(!view.cliCmdline.includes(secret), `${what} is not in /proc/<cli>/cmdline`);
  assert.ok(view.allCmdlines.length > 3 && view.allCmdlines.every((c) => !c.includes(secret)), `${what} is in no process's arguments`);
  assert.ok(view.cliEnviron.length > 0 && !view.cliEnviron.includes(secret), `${what} is not in the CLI's own environment`);
  assert.ok(!Object.values(process.env).some((v) => v?.includes(secret)), `${what} is not in the test's environment`);
  for (const f of filesUnder(home)) assert.ok(!f.text.includes(secret), `${what} is not in ${f.path}`);
}

before(async () => {
  world = await startSharedCliWorld();
  ({ home, env } = world.newHome());
  personal = await signIn(world.on(env), ['--label', 'Alice']);
  // The client secret goes in on stdin: never an argument, never in this test's environment.
  service = await signInService(world.on(env), ['--label', 'Robot']);
});
after(() => world?.stop());

describe('exec', () => {
  test('a personal identity: a fresh access token and the openEO bearer, for the child only', async () => {
    // Stale credentials of another login in the caller's environment must not reach the child.
    const { run, view } = await execChild(personal, {
      ...env,
      OPENEO_AUTH_METHOD: 'client_credentials',
      OPENEO_AUTH_CLIENT_SECRET: 'stale-secret-from-the-shell',
      OPENEO_ACCESS_TOKEN: 'stale-token-from-the-shell',
    });
    assert.equal(run.code, 0, run.stderr);
    const { OPENEO_ACCESS_TOKEN: token, OPENEO_BEARER: bearer } = view.env;
    assert.ok(token && token !== 'stale-token-from-the-shell');
    assert.deepEqual(Object.keys(view.env).sort(), ['OPENEO_ACCESS_TOKEN', 'OPENEO_AUTH_PROVIDER_ID', 'OPENEO_AUTH_TRAY_CLI',
      'OPENEO_AUTH_TRAY_HOME', 'OPENEO_AUTH_TRAY_IDENTITY', 'OPENEO_BACKEND_URL', 'OPENEO_BEARER']);
    assert.equal(view.env.OPENEO_AUTH_TRAY_IDENTITY, personal, 'the Python bridge picks this login with no arguments');
    assert.equal(view.env.OPENEO_AUTH_TRAY_HOME, home, 'our own settings folder is passed on');
    // Where the CLI is not on the PATH, the child learns how to run it (a command line for shlex).
    const onPath = isOnPath('openeo-auth-tray', env, process.platform, (p) => existsSync(p) && statSync(p).isFile());
    assert.equal(view.env.OPENEO_AUTH_TRAY_CLI, onPath ? undefined : `${shq(process.execPath)} ${shq(CLI_PATH)}`);
    assert.equal(bearer, `oidc/${world.backend.providerId}/${token}`);
    assert.equal(view.env.OPENEO_AUTH_PROVIDER_ID, world.backend.providerId);
    assert.equal(view.env.OPENEO_BACKEND_URL, world.backend.url);

    // The token works at the backend, as the child would use it.
    const me = await fetch(`${world.backend.apiUrl}/me`, { headers: { authorization: `Bearer ${bearer}` } });
    assert.equal(me.status, 200);
    assert.equal((await me.json() as { user_id: string }).user_id, 'alice');

    assertNowhereElse(token, view, 'the access token');
    assert.ok(!run.stderr.includes(token), 'not printed by the CLI');
  });

  test('a service account: by default an access token and its id, never its client secret', async () => {
    const { run, view } = await execChild(service);
    assert.equal(run.code, 0, run.stderr);
    const { OPENEO_ACCESS_TOKEN: token, OPENEO_BEARER: bearer } = view.env;
    assert.ok(token);
    assert.equal(bearer, `oidc/${world.backend.providerId}/${token}`);
    assert.equal(view.env.OPENEO_AUTH_TRAY_IDENTITY, service);
    for (const name of ['OPENEO_AUTH_METHOD', 'OPENEO_AUTH_CLIENT_ID', 'OPENEO_AUTH_CLIENT_SECRET'] as const) assert.equal(view.env[name], undefined, name);
    assert.ok(!JSON.stringify(view.env).includes(world.idp.serviceClient.secret), 'the client secret is not in the child');
    const me = await fetch(`${world.backend.apiUrl}/me`, { headers: { authorization: `Bearer ${bearer}` } });
    assert.equal((await me.json() as { user_id: string }).user_id, `service-account-${world.idp.serviceClient.id}`);
    assertNowhereElse(token, view, 'the access token');
  });

  test('a service account with --with-client-secret: the client credentials the Python client reads, for the child only', async () => {
    const { run, view } = await execChild(service, env, undefined, ['--with-client-secret']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual({ ...view.env, OPENEO_AUTH_TRAY_CLI: undefined, OPENEO_AUTH_TRAY_HOME: undefined }, {
      OPENEO_AUTH_METHOD: 'client_credentials',
      OPENEO_AUTH_CLIENT_ID: world.idp.serviceClient.id,
      OPENEO_AUTH_CLIENT_SECRET: world.idp.serviceClient.secret,
      OPENEO_AUTH_PROVIDER_ID: world.backend.providerId,
      OPENEO_BACKEND_URL: world.backend.url,
      OPENEO_AUTH_TRAY_IDENTITY: service,
      OPENEO_AUTH_TRAY_CLI: undefined,
      OPENEO_AUTH_TRAY_HOME: undefined,
    });
    assertNowhereElse(world.idp.serviceClient.secret, view, 'the client secret');
  });

  test('--with-client-secret is refused for a personal login, and nothing runs', async () => {
    const run = await runCli(['exec', personal, '--with-client-secret', '--', process.execPath, '-e', 'console.log("ran")'], { env });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--with-client-secret is for service accounts/);
  });

  test('the exit code of the command passes through', async () => {
    for (const code of [0, 7, 42]) {
      const run = await runCli(['exec', personal, '--', process.execPath, '-e', `process.exit(${code})`], { env });
      assert.equal(run.code, code, run.stderr);
    }
  });

  test('a command ended by a signal ends the CLI with 128 + the signal number, like a shell', async () => {
    const run = await runCli(['exec', service, '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"], { env });
    assert.deepEqual({ code: run.code, signal: run.signal }, { code: 143, signal: null }, run.stderr);
  });

  test('SIGTERM sent to the CLI reaches the command', async () => {
    let cliPid = 0;
    const { run } = await execChild(personal, env, (view) => {
      cliPid = view.ppid;
      process.kill(view.ppid, 'SIGTERM'); // the go file never comes: only the forwarded signal ends the child
    });
    assert.ok(cliPid > 0);
    assert.equal(run.code, 143, `the child died of the forwarded SIGTERM; stderr: ${run.stderr}`);
  });

  test('a command that does not exist is a clear usage error', async () => {
    const run = await runCli(['exec', personal, '--', 'no-such-command-anywhere-4711'], { env });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /"no-such-command-anywhere-4711" was not found/);
  });

  test('without a command after "--" nothing runs', async () => {
    const run = await runCli(['exec', personal], { env });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /needs a command after "--"/);
  });
});
