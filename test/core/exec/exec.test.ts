import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { execEnvironment, openEoBearer } from '../../../src/main/core/exec/environment.ts';
import { childExitCode, FORWARDED_SIGNALS, runWithEnvironment } from '../../../src/main/core/exec/run.ts';
import { commandLine, isOnPath } from '../../../src/main/core/exec/cli-command-line.ts';
import { spawnSync } from 'node:child_process';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';
import type { Identity } from '../../../src/shared/model.ts';

function identity(over: Partial<Identity> = {}): Identity {
  return {
    id: 'cdse-1a2b3c',
    label: 'CDSE personal',
    kind: 'personal',
    flow: 'device',
    backendUrl: 'https://openeo.example',
    apiUrl: 'https://openeo.example/openeo/1.2',
    providerId: 'CDSE',
    issuer: 'https://idp.example/realms/CDSE',
    clientId: 'openeo-public',
    scopes: ['openid'],
    jwtBearer: false,
    createdAt: 0,
    accessTokenExpiresAt: null,
    accessTokenObtainedAt: null,
    refreshTokenExpiry: { kind: 'unknown' },
    refreshTokenObtainedAt: null,
    warningsSent: [],
    ...over,
  };
}

const SECRET = 'cc-secret-Zq9x81-never-in-argv';
const ACCESS = 'at-Yp3v-fresh-access-token-value';

describe('execEnvironment', () => {
  const parent: NodeJS.ProcessEnv = {
    PATH: '/usr/bin',
    HOME: '/home/u',
    OPENEO_AUTH_CLIENT_SECRET: 'stale-secret',
    OPENEO_AUTH_METHOD: 'basic',
    openeo_access_token: 'stale-lowercase',
    OPENEO_BEARER: 'stale-bearer',
    OPENEO_CLIENT_CONFIG: '/keep/this.ini',
  };

  test('client credentials with the secret: the variables authenticate_oidc() reads; stale ones dropped; parent untouched', () => {
    const before = structuredClone(parent);
    const env = execEnvironment(identity({ kind: 'client-credentials', flow: 'client-credentials', clientId: 'sh-client' }), { clientSecret: SECRET }, parent);
    assert.deepEqual(parent, before, 'parentEnv was mutated');
    assert.equal(env['OPENEO_AUTH_METHOD'], 'client_credentials');
    assert.equal(env['OPENEO_AUTH_CLIENT_ID'], 'sh-client');
    assert.equal(env['OPENEO_AUTH_CLIENT_SECRET'], SECRET);
    assert.equal(env['OPENEO_AUTH_PROVIDER_ID'], 'CDSE');
    assert.equal(env['OPENEO_BACKEND_URL'], 'https://openeo.example');
    assert.equal(env['OPENEO_AUTH_TRAY_IDENTITY'], 'cdse-1a2b3c');
    assert.equal(env['OPENEO_ACCESS_TOKEN'], undefined);
    assert.equal(env['openeo_access_token'], undefined);
    assert.equal(env['OPENEO_BEARER'], undefined);
    assert.equal(env['PATH'], '/usr/bin');
    assert.equal(env['OPENEO_CLIENT_CONFIG'], '/keep/this.ini');
  });

  test('personal: access token, openEO bearer, provider, backend and the identity for the bridge', () => {
    const env = execEnvironment(identity(), { accessToken: ACCESS }, parent);
    assert.equal(env['OPENEO_ACCESS_TOKEN'], ACCESS);
    assert.equal(env['OPENEO_BEARER'], `oidc/CDSE/${ACCESS}`);
    assert.equal(env['OPENEO_AUTH_PROVIDER_ID'], 'CDSE');
    assert.equal(env['OPENEO_BACKEND_URL'], 'https://openeo.example');
    assert.equal(env['OPENEO_AUTH_TRAY_IDENTITY'], 'cdse-1a2b3c');
    assert.equal(env['OPENEO_AUTH_METHOD'], undefined);
    assert.equal(env['OPENEO_AUTH_CLIENT_SECRET'], undefined);
    assert.equal(openEoBearer(identity({ jwtBearer: true }), ACCESS), ACCESS);
    assert.equal(execEnvironment(identity(), { accessToken: ACCESS, bearer: 'given' }, {})['OPENEO_BEARER'], 'given');
  });

  test('a service account gets an access token by default, and no client secret', () => {
    const env = execEnvironment(identity({ kind: 'client-credentials', flow: 'client-credentials' }), { accessToken: ACCESS }, parent);
    assert.equal(env['OPENEO_ACCESS_TOKEN'], ACCESS);
    assert.equal(env['OPENEO_AUTH_TRAY_IDENTITY'], 'cdse-1a2b3c');
    assert.equal(env['OPENEO_AUTH_CLIENT_SECRET'], undefined);
    assert.equal(env['OPENEO_AUTH_METHOD'], undefined);
  });

  test("our own settings pass on; another login's identity does not; OPENEO_AUTH_TRAY_CLI only when there is none", () => {
    const inherited = { OPENEO_AUTH_TRAY_HOME: '/my/settings', OPENEO_AUTH_TRAY_TIMEOUT: '5', OPENEO_AUTH_TRAY_IDENTITY: 'other-9f9f9f' };
    const env = execEnvironment(identity(), { accessToken: ACCESS }, inherited, { cliCommandLine: "node '/opt/a b/cli.cjs'" });
    assert.equal(env['OPENEO_AUTH_TRAY_HOME'], '/my/settings');
    assert.equal(env['OPENEO_AUTH_TRAY_TIMEOUT'], '5');
    assert.equal(env['OPENEO_AUTH_TRAY_IDENTITY'], 'cdse-1a2b3c');
    assert.equal(env['OPENEO_AUTH_TRAY_CLI'], "node '/opt/a b/cli.cjs'");
    const configured = execEnvironment(identity(), { accessToken: ACCESS }, { OPENEO_AUTH_TRAY_CLI: 'my-cli' }, { cliCommandLine: 'node x' });
    assert.equal(configured['OPENEO_AUTH_TRAY_CLI'], 'my-cli');
    assert.equal(execEnvironment(identity(), { accessToken: ACCESS }, {})['OPENEO_AUTH_TRAY_CLI'], undefined);
  });

  test('missing secret → SECRET_MISSING', () => {
    assert.throws(() => execEnvironment(identity(), {}, {}), (e) => isAuthTrayError(e, 'SECRET_MISSING'));
    assert.throws(() => execEnvironment(identity({ kind: 'client-credentials' }), { clientSecret: '' }, {}), (e) => isAuthTrayError(e, 'SECRET_MISSING'));
    assert.throws(() => execEnvironment(identity(), { clientSecret: SECRET }, {}), (e) => isAuthTrayError(e, 'SECRET_MISSING'), 'a personal login has no client secret');
  });
});

describe('how a child finds the CLI', () => {
  test('isOnPath looks in every PATH folder, with PATHEXT on Windows', () => {
    const files = new Set(['/b/openeo-auth-tray', 'C:\\tools\\openeo-auth-tray.CMD']);
    assert.equal(isOnPath('openeo-auth-tray', { PATH: '/a:/b' }, 'linux', (p) => files.has(p)), true);
    assert.equal(isOnPath('openeo-auth-tray', { PATH: '/a' }, 'linux', (p) => files.has(p)), false);
    assert.equal(isOnPath('openeo-auth-tray', {}, 'linux', () => true), false);
    assert.equal(isOnPath('openeo-auth-tray', { Path: 'C:\\bin;C:\\tools', PATHEXT: '.EXE;.CMD' }, 'win32', (p) => files.has(p)), true);
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  test("commandLine gives back the arguments through Python's shlex.split", { skip: python ? false : 'python3 not installed' }, () => {
    const argv = ['/usr/bin/node', "/home/o'brien/my app/cli.cjs", '--x=$HOME', 'a"b'];
    const r = spawnSync('python3', ['-c', 'import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))', commandLine(argv, 'linux')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), argv);
    assert.equal(commandLine(['C:\\Program Files\\node.exe', 'x'], 'win32'), '"C:\\Program Files\\node.exe" "x"');
  });
});

/** Waits for `text` on the child's stdout, with a bounded wait and a clear failure. */
function waitForOutput(child: ChildProcess, text: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child did not print "${text}" within ${timeoutMs} ms; got: ${out}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

// The child reports which variables it got, then waits for a line on stdin before exiting 7.
const REPORTER = `
const names = ['OPENEO_AUTH_METHOD','OPENEO_AUTH_CLIENT_ID','OPENEO_AUTH_CLIENT_SECRET','OPENEO_AUTH_PROVIDER_ID','OPENEO_BACKEND_URL','OPENEO_ACCESS_TOKEN'];
console.log(JSON.stringify(Object.fromEntries(names.map((n) => [n, process.env[n] ?? null]))) + '\\nREADY');
process.stdin.once('data', () => process.exit(7));
`;

describe('runWithEnvironment', () => {
  test('the secret reaches the child environment only: not argv, not /proc/<pid>/cmdline, not our env', async () => {
    const env = execEnvironment(identity({ kind: 'client-credentials', clientId: 'sh-client' }), { clientSecret: SECRET }, process.env);
    let child: ChildProcess | undefined;
    const ran = runWithEnvironment([process.execPath, '-e', REPORTER], env, {
      stdio: ['pipe', 'pipe', 'inherit'],
      onSpawn: (c) => (child = c),
    });
    assert.ok(child?.pid, 'no child pid');
    const out = await waitForOutput(child, 'READY');
    const seen = JSON.parse(out.split('\n')[0] ?? '{}') as Record<string, string | null>;
    assert.deepEqual(seen, {
      OPENEO_AUTH_METHOD: 'client_credentials',
      OPENEO_AUTH_CLIENT_ID: 'sh-client',
      OPENEO_AUTH_CLIENT_SECRET: SECRET,
      OPENEO_AUTH_PROVIDER_ID: 'CDSE',
      OPENEO_BACKEND_URL: 'https://openeo.example',
      OPENEO_ACCESS_TOKEN: null,
    });
    if (existsSync(`/proc/${child.pid}/cmdline`)) {
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      assert.ok(cmdline.includes('READY'), 'read the wrong process');
      assert.ok(!cmdline.includes(SECRET), 'the secret is in the child\'s command line');
      assert.ok(readFileSync(`/proc/${child.pid}/environ`, 'utf8').includes(`OPENEO_AUTH_CLIENT_SECRET=${SECRET}`));
      assert.ok(!readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').includes(SECRET), 'the secret is in our command line');
      assert.ok(!readFileSync(`/proc/${process.pid}/environ`, 'utf8').includes(SECRET), 'the secret is in our initial environment');
    }
    assert.ok(!Object.values(process.env).some((v) => v?.includes(SECRET)), 'the secret leaked into process.env');
    child.stdin?.end('go\n');
    const result = await ran;
    assert.deepEqual(result, { exitCode: 7, signal: null });
    assert.equal(childExitCode(result), 7);
  });

  test('exit code 0 and a non-zero code pass through', async () => {
    assert.deepEqual(await runWithEnvironment([process.execPath, '-e', 'process.exit(0)'], {}, { stdio: 'ignore' }), { exitCode: 0, signal: null });
    const r = await runWithEnvironment([process.execPath, '-e', 'process.exitCode = 42'], {}, { stdio: 'ignore' });
    assert.equal(childExitCode(r), 42);
  });

  test('a child killed by a signal → that signal, exit code 128 + n', { skip: process.platform === 'win32' ? 'POSIX signals' : false }, async () => {
    const r = await runWithEnvironment([process.execPath, '-e', "process.kill(process.pid, 'SIGKILL')"], {}, { stdio: 'ignore' });
    assert.deepEqual(r, { exitCode: null, signal: 'SIGKILL' });
    assert.equal(childExitCode(r), 137);
    assert.equal(childExitCode({ exitCode: null, signal: 'SIGINT' }), 130);
  });

  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    test(`${signal} sent to us is forwarded to the child and does not end us`, { skip: process.platform === 'win32' ? 'POSIX signals' : false }, async () => {
      const listenersBefore = FORWARDED_SIGNALS.map((s) => process.listenerCount(s));
      let child: ChildProcess | undefined;
      const ran = runWithEnvironment([process.execPath, '-e', "console.log('WAITING'); setInterval(() => {}, 1000)"], {}, {
        stdio: ['ignore', 'pipe', 'inherit'],
        onSpawn: (c) => (child = c),
      });
      assert.ok(child);
      await waitForOutput(child, 'WAITING');
      process.kill(process.pid, signal);
      const r = await ran;
      assert.deepEqual(r, { exitCode: null, signal });
      assert.deepEqual(FORWARDED_SIGNALS.map((s) => process.listenerCount(s)), listenersBefore, 'signal handlers left behind');
    });
  }

  test('an unknown command or an empty one → INVALID_ARGUMENT', async () => {
    await assert.rejects(runWithEnvironment(['/nonexistent/openeo-tool'], {}, { stdio: 'ignore' }), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT') && /not found/.test(e.message));
    await assert.rejects(runWithEnvironment([], {}), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
  });
});
