/**
 * The real peers the bench runs against: the test IdP (oidc-provider on 127.0.0.1), fixture
 * openEO backends, a throwaway settings folder, and real logins made by the built CLI with the
 * user's side of the device flow driven over HTTP (test/fixtures/device-user.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveDevice } from '../../test/fixtures/device-user.ts';
import { startFixtureBackend, type FixtureBackend } from '../../test/fixtures/openeo-backend.ts';
import { startTestIdp, type TestIdp, type TestIdpOptions } from '../../test/fixtures/oidc-provider.ts';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The built CLI. scripts/bench.mjs points this at a snapshot of dist/cli taken right after its
 * build (same files), so a rebuild running meanwhile cannot pull the files from under a run.
 */
export const CLI_DIR = process.env.OPENEO_AUTH_TRAY_BENCH_CLI_DIR ?? join(root, 'dist/cli');
export const CLI = join(CLI_DIR, 'openeo-auth-tray.cjs');

export interface Peers {
  idp: TestIdp;
  backends: FixtureBackend[];
  stop(): Promise<void>;
}

/** One IdP and `backendCount` backends that all use it. */
export async function startPeers(backendCount: number, idpOptions: TestIdpOptions = {}): Promise<Peers> {
  const idp = await startTestIdp(idpOptions);
  const backends: FixtureBackend[] = [];
  try {
    for (let i = 0; i < backendCount; i++) backends.push(await startFixtureBackend({ idp }));
  } catch (e) {
    await Promise.all(backends.map((b) => b.stop()));
    await idp.stop();
    throw e;
  }
  return {
    idp,
    backends,
    async stop() {
      await Promise.all(backends.map((b) => b.stop()));
      await idp.stop();
    },
  };
}

/** A fresh settings folder and the environment the CLI runs in (the private keyring's bus included). */
export async function tempHome(name: string): Promise<{ dir: string; env: NodeJS.ProcessEnv; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `openeo-auth-tray-bench-${name}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, OPENEO_AUTH_TRAY_HOME: dir };
  delete env.NODE_OPTIONS; // measure the CLI as a user runs it, not with a loader
  return { dir, env, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface DeviceLoginTiming {
  identityId: string;
  /** performance.now() when the user's approval (approveDevice) resolved. */
  approvedAt: number;
  /** performance.now() when the CLI printed its `authenticated` line. */
  authenticatedAt: number;
  /** performance.now() when the IdP received the last device-grant poll before that line (±2 ms). */
  lastPollAt: number | null;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Notes when the IdP's device-grant poll counter moves (it lives in this process). */
function watchPolls(idp: TestIdp | undefined): { last(): number | null; stop(): void } {
  if (!idp) return { last: () => null, stop: () => undefined };
  let seen = idp.counters.byGrant[DEVICE_GRANT] ?? 0;
  let lastAt: number | null = null;
  const timer = setInterval(() => {
    const now = idp.counters.byGrant[DEVICE_GRANT] ?? 0;
    if (now !== seen) {
      seen = now;
      lastAt = performance.now();
    }
  }, 2);
  return { last: () => lastAt, stop: () => clearInterval(timer) };
}

/**
 * `openeo-auth-tray login <backend> --json --no-browser`, approved by `login` as soon as the
 * device_authorization line arrives. Resolves when the CLI exits 0.
 */
export function cliDeviceLogin(backendUrl: string, env: NodeJS.ProcessEnv, opts: { login?: string; idp?: TestIdp; timeoutMs?: number } = {}): Promise<DeviceLoginTiming> {
  const login = opts.login ?? 'alice';
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const polls = watchPolls(opts.idp);
  return new Promise<DeviceLoginTiming>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'login', backendUrl, '--json', '--no-browser'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end();
    let pending = '';
    let stderr = '';
    let approvedAt: number | null = null;
    let authenticatedAt: number | null = null;
    let identityId: string | null = null;
    let lastPollAt: number | null = null;
    let approval: Promise<void> = Promise.resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`login did not finish within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const now = performance.now();
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const event = JSON.parse(line) as { event: string; verification_uri_complete?: string; identity?: string };
        if (event.event === 'device_authorization') {
          approval = approveDevice(event.verification_uri_complete!, { login }).then(() => {
            approvedAt = performance.now();
          });
          approval.catch(() => child.kill('SIGKILL'));
        } else if (event.event === 'authenticated') {
          authenticatedAt = now;
          lastPollAt = polls.last();
          identityId = event.identity ?? null;
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      approval.then(() => {
        if (code !== 0 || approvedAt === null || authenticatedAt === null || identityId === null) {
          reject(new Error(`login exited ${code} without an authenticated line: ${stderr.trim()}`));
        } else resolve({ identityId, approvedAt, authenticatedAt, lastPollAt });
      }, reject);
    });
  }).finally(() => polls.stop());
}
