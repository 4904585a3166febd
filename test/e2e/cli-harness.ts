/**
 * What the CLI end-to-end tests share: per test a private keyring, a real IdP, the fixture
 * backend and a fresh settings folder; the built CLI runs as separate processes against them.
 * Secrets are read back the way a person could, with `secret-tool`, never through our own code.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveDevice } from '../fixtures/device-user.ts';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.ts';
import { startTestIdp, type TestIdp, type TestIdpOptions } from '../fixtures/oidc-provider.ts';
import { startFixtureBackend, type FixtureBackend } from '../fixtures/openeo-backend.ts';
import { runCli, type CliOptions, type CliRun } from '../helpers/cli.ts';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.ts';

export const KEYCHAIN_SERVICE = 'openeo-auth-tray';
export const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const EXPIRED_SENTENCE = 'This login has expired or was revoked — sign in again.';
/** The next step printed after EXPIRED_SENTENCE: how to sign in again, in the window or the CLI. */
export const signInAgainStep = (backendUrl: string): string =>
  `Sign in again with "Sign in again" in the openEO Auth Tray window, or run: openeo-auth-tray login ${backendUrl}`;

/** What a CLI login needs: the IdP, the backend to sign in to, and the CLI on one settings folder. */
export interface CliTarget {
  idp: TestIdp;
  backend: FixtureBackend;
  cli(args: string[], opts?: Partial<CliOptions>): Promise<CliRun>;
}

export interface CliWorld extends CliTarget {
  keyring: PrivateKeyring;
  /** The settings folder (OPENEO_AUTH_TRAY_HOME) of this test. */
  home: string;
  /** Environment for CLI children: the private keyring plus OPENEO_AUTH_TRAY_HOME. */
  env: NodeJS.ProcessEnv;
  /** A secret as stored in the keychain (`<id>/refresh_token`, ...), or null when there is none. */
  secret(account: string): Promise<string | null>;
  stop(): Promise<void>;
}

export interface CliWorldOptions {
  idp?: Omit<TestIdpOptions, 'issuer'>;
  jwtBearer?: boolean;
  /** Put the IdP behind a fault proxy (its issuer is the proxy's address): `world.idpProxy`. */
  idpProxy?: boolean;
  /** How long a started batch job runs at the fixture backend, ms. */
  jobRunMs?: number;
}

/** Starts the keyring, the IdP and the backend for one test; `stop()` ends them all. */
export async function startCliWorld(opts: CliWorldOptions = {}): Promise<CliWorld & { idpProxy?: FaultProxy }> {
  const keyring = await startPrivateKeyring();
  const idpProxy = opts.idpProxy ? await startFaultProxy() : undefined;
  const idp = await startTestIdp({ ...opts.idp, ...(idpProxy ? { issuer: idpProxy.url } : {}) });
  idpProxy?.setTarget(idp.localUrl);
  const backend = await startFixtureBackend({ idp, ...(opts.jwtBearer ? { jwtBearer: true } : {}), ...(opts.jobRunMs === undefined ? {} : { jobRunMs: opts.jobRunMs }) });
  const home = mkdtempSync(join(tmpdir(), 'openeo-cli-e2e-'));
  const env = withoutCallersLogins({ ...keyring.env, OPENEO_AUTH_TRAY_HOME: home });
  return {
    idp,
    backend,
    keyring,
    home,
    env,
    ...(idpProxy ? { idpProxy } : {}),
    cli: (args, more = {}) => runCli(args, { ...more, env: more.env ?? env }),
    secret: (account) => lookupSecret(keyring.env, account),
    async stop() {
      idpProxy?.release();
      await backend.stop();
      await idp.stop();
      await idpProxy?.stop();
      await keyring.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** `env` with nothing of the caller's own logins: no secret, no chosen identity, no other CLI. */
function withoutCallersLogins(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  for (const name of ['OPENEO_AUTH_CLIENT_SECRET', 'OPENEO_AUTH_TRAY_IDENTITY', 'OPENEO_AUTH_TRAY_CLI']) delete env[name];
  return env;
}

/**
 * One IdP and fixture backend for a whole test file, on the run's own private keyring (the one
 * `npm test` starts, which the test itself reads with the keytar adapter). Each test makes its
 * own settings folder with `newHome()`; `on(env)` runs the CLI with such an environment.
 */
export interface SharedCliWorld {
  idp: TestIdp;
  backend: FixtureBackend;
  /** This process's environment without the caller's own logins. */
  env: NodeJS.ProcessEnv;
  /** A fresh temporary folder, removed when the world stops. */
  tempDir(prefix: string): string;
  /** A fresh settings folder, and `env` pointing OPENEO_AUTH_TRAY_HOME at it. */
  newHome(): { home: string; env: NodeJS.ProcessEnv };
  /** The CLI with this environment, against this world's IdP and backend. */
  on(env: NodeJS.ProcessEnv): CliTarget;
  stop(): Promise<void>;
}

/** Starts the IdP and the backend for a test file; `stop()` ends them and removes the temporary folders. */
export async function startSharedCliWorld(opts: { idp?: TestIdpOptions } = {}): Promise<SharedCliWorld> {
  const idp = await startTestIdp(opts.idp);
  const backend = await startFixtureBackend({ idp });
  const temps: string[] = [];
  const env = withoutCallersLogins({ ...process.env });
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };
  return {
    idp,
    backend,
    env,
    tempDir,
    newHome() {
      const home = tempDir('oat-e2e-home-');
      return { home, env: { ...env, OPENEO_AUTH_TRAY_HOME: home } };
    },
    on: (runEnv) => ({ idp, backend, cli: (args, more = {}) => runCli(args, { ...more, env: more.env ?? runEnv }) }),
    async stop() {
      await backend.stop();
      await idp.stop();
      for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `secret-tool lookup service openeo-auth-tray account <account>`: the value, or null (exit 1, nothing found). */
export function lookupSecret(env: NodeJS.ProcessEnv, account: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    execFile('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'account', account], { env, timeout: 10_000 }, (err, stdout, stderr) => {
      if (!err) resolve(stdout);
      else if (err.code === 1 && stdout === '' && stderr.trim() === '') resolve(null);
      else reject(new Error(`secret-tool lookup ${account} failed: ${stderr.trim() || err.message}`));
    });
  });
}

export interface DeviceLoginRun {
  run: CliRun;
  /** The JSON lines the CLI printed on stdout, parsed. */
  events: Array<Record<string, unknown>>;
}

/** The user's side of a device login, given the `verification_uri_complete` the CLI printed. */
export type DeviceApproval = (verificationUriComplete: string) => Promise<void>;

/**
 * `login <backendUrl> --json --no-browser <extraArgs>` with the user's side done by `approve` as
 * soon as the device_authorization line appears. A failing approval kills the CLI instead of
 * letting it wait for the code to expire.
 */
export async function runDeviceLogin(
  cli: CliTarget['cli'],
  backendUrl: string,
  approve: DeviceApproval,
  extraArgs: string[] = [],
  timeoutMs = 30_000,
): Promise<DeviceLoginRun> {
  let approval: Promise<void> | undefined;
  const run = await cli(['login', backendUrl, '--json', '--no-browser', ...extraArgs], {
    timeoutMs,
    onStdoutLine: (line, child) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      if (event.event !== 'device_authorization' || approval) return;
      approval = approve(String(event.verification_uri_complete));
      approval.catch(() => child.kill('SIGTERM'));
    },
  });
  if (approval) await approval;
  return { run, events: jsonLines(run.stdout) };
}

/** {@link runDeviceLogin} at the world's backend, the user's side done by `approveDevice` on the test IdP's pages. */
export function deviceLogin(world: CliTarget, extraArgs: string[] = [], user: { refuse?: boolean; login?: string } = {}): Promise<DeviceLoginRun> {
  return runDeviceLogin((args, opts) => world.cli(args, opts), world.backend.url, (uri) => approveDevice(uri, user), extraArgs);
}

/** A device login that must succeed, approved by `user.login` (default alice); returns the new identity's id. */
export async function signIn(world: CliTarget, extraArgs: string[] = [], user: { login?: string } = {}): Promise<string> {
  return signedInIdentity((await deviceLogin(world, extraArgs, user)).run);
}

/** A client-credentials login of the IdP's service client (its secret on stdin) that must succeed; the identity's id. */
export async function signInService(world: CliTarget, extraArgs: string[] = []): Promise<string> {
  const { id, secret } = world.idp.serviceClient;
  const run = await world.cli(['login', world.backend.url, '--flow', 'client-credentials', '--client-id', id, '--client-secret-stdin', '--json', ...extraArgs], {
    input: `${secret}\n`,
  });
  return signedInIdentity(run, 'service-account login');
}

/** The identity id of a `login --json` run that must have succeeded (its `authenticated` event). */
export function signedInIdentity(run: CliRun, what = 'login'): string {
  assert.equal(run.code, 0, `${what} failed: ${run.stderr}`);
  const id = jsonLines(run.stdout).find((e) => e.event === 'authenticated')?.identity;
  assert.equal(typeof id, 'string', `no authenticated event in ${run.stdout}`);
  return id as string;
}

/** The JSON lines a `--json` run printed, parsed. */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface StatusRow {
  id: string;
  label: string;
  backend: string;
  provider: string;
  kind: string;
  user_id: string | null;
  state: string;
  access_token_expires_at: string | null;
  refresh_token_expires_at: string | null;
  [more: string]: unknown;
}

/** `status --json`, which must succeed. */
export async function statusRows(world: CliWorld): Promise<StatusRow[]> {
  const run = await world.cli(['status', '--json']);
  assert.equal(run.code, 0, `status --json failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as StatusRow[];
}

/** `token <args>` that must succeed; returns the printed line without its newline. */
export async function token(world: CliWorld, args: string[] = []): Promise<string> {
  const run = await world.cli(['token', ...args]);
  assert.equal(run.code, 0, `token ${args.join(' ')} failed with ${run.code}: ${run.stderr}`);
  assert.equal(run.stderr, '', 'token prints nothing on stderr when it succeeds');
  assert.match(run.stdout, /^\S+\n$/, 'token prints exactly one line');
  return run.stdout.trimEnd();
}

/** The one error line of a failed run: stderr must be exactly `openeo-auth-tray: <sentence>` and a newline. */
export function theErrorLine(run: CliRun): string {
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0]!, /^openeo-auth-tray: \S/);
  return lines[0]!;
}

/** The error lines of a run's stderr (lines that start with the program name). */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('openeo-auth-tray:'));
}

/** GET /me at the fixture backend with `bearer` (the part after `Bearer `). */
export async function me(backend: FixtureBackend, bearer: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${backend.apiUrl}/me`, { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A refresh grant sent by hand (the public client), as the IdP answers it. */
export async function refreshByHand(idp: TestIdp, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: idp.publicClientId }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Revokes a token at the IdP's revocation endpoint (the public client). */
export async function revokeAtIdp(idp: TestIdp, tokenValue: string, hint: 'refresh_token' | 'access_token'): Promise<void> {
  const res = await fetch(`${idp.issuer}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: tokenValue, token_type_hint: hint, client_id: idp.publicClientId }),
  });
  assert.equal(res.status, 200, `revocation answered ${res.status}: ${await res.text()}`);
}

/** Every file under `dir` (recursively) with its content. */
export function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path, 'latin1') });
  }
  return out;
}

/** The settings file's bytes and mtime, to prove a run did not write it. */
export function settingsSnapshot(home: string): { text: string; mtimeMs: number } {
  const path = join(home, 'settings.json');
  return { text: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs };
}

/**
 * Takes the IdP off the network and back without losing its state (its grants live in memory):
 * the fixture's listening socket is closed, so connections are refused, and later reopened on
 * the same port. The fixture does not hand out its server, so it is found among this process's
 * handles by its port.
 */
export function idpNetwork(idp: TestIdp): { down(): Promise<void>; up(): Promise<void> } {
  const port = Number(new URL(idp.issuer).port);
  // `_getActiveHandles` is undocumented but present in every Node release this project supports.
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const server = handles.find((h): h is Server => h instanceof Server && (h.address() as { port?: number } | null)?.port === port);
  if (!server) throw new Error(`cannot find the test IdP's listening socket on port ${port}`);
  return {
    async down() {
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
    up: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
  };
}
