/**
 * The fault tests' stand: the real app core (real settings file, real keychain on this test
 * file's own private gnome-keyring, real IdP, real fixture backend) with a fault proxy in front
 * of the IdP and one in front of the backend, and a FakeClock for the lifecycle's timers.
 *
 * Built on test/helpers/app-core.ts: the IdP's issuer is its proxy's address (so the identity
 * the app saves talks to the proxy), and the app's `fetch` port is the global fetch with a
 * counter and an optional short deadline: the core offers no timeout setting (see docs/faults.md).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import type { IdentityStatus } from '../../src/shared/model.ts';
import type { FetchLike, SecretStore } from '../../src/main/core/ports.ts';
import type { Result } from '../../src/shared/result.ts';
import { approveDevice } from '../fixtures/device-user.ts';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.ts';
import { startTestIdp, type TestIdpOptions } from '../fixtures/oidc-provider.ts';
import { startAppCore, type AppCoreHarness } from '../helpers/app-core.ts';
import { assertCliBuilt } from '../helpers/cli.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Keychain service name the app and the CLI share. */
const KEYCHAIN_SERVICE = 'openeo-auth-tray';

let keyring: Promise<PrivateKeyring> | undefined;

/**
 * This test file's own keyring (it is locked and unlocked here, so it must not be the run's
 * shared one). keytar binds to DBUS_SESSION_BUS_ADDRESS at its first call: call this first.
 */
export function ownKeyring(): Promise<PrivateKeyring> {
  keyring ??= startPrivateKeyring().then((k) => {
    for (const name of ['DISPLAY', 'WAYLAND_DISPLAY', 'GNOME_KEYRING_CONTROL']) delete process.env[name];
    for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME']) process.env[name] = k.env[name];
    return k;
  });
  return keyring;
}

/** Stops this file's keyring (its bus is a child process: the test file cannot end while it runs). */
export async function stopOwnKeyring(): Promise<void> {
  const k = await keyring;
  await k?.stop();
}

/** The app's fetch port: the global fetch, counted, with an optional client-side deadline. */
export interface EdgeFetch {
  fetch: FetchLike;
  calls: number;
  /** Requests the app started to this origin (counted even when the connection is refused). */
  callsTo(origin: string): number;
  /** Those requests in order, each as `path status` or `path error-name` (for assertion messages). */
  pathsTo(origin: string): string[];
  inFlight: number;
  /** When set, every request is aborted after this many ms (a short client timeout). */
  deadlineMs: number | undefined;
}

function edgeFetch(): EdgeFetch {
  const urls: { url: URL; outcome: string }[] = [];
  const edge: EdgeFetch = {
    calls: 0,
    callsTo: (origin) => urls.filter((u) => u.url.origin === origin).length,
    pathsTo: (origin) => urls.filter((u) => u.url.origin === origin).map((u) => `${u.url.pathname} ${u.outcome}`),
    inFlight: 0,
    deadlineMs: undefined,
    fetch: async (input, init) => {
      edge.calls++;
      const call = { url: new URL(input instanceof Request ? input.url : input), outcome: 'pending' };
      urls.push(call);
      edge.inFlight++;
      try {
        const signals = [init?.signal, edge.deadlineMs === undefined ? undefined : AbortSignal.timeout(edge.deadlineMs)]
          .filter((s): s is AbortSignal => s instanceof AbortSignal);
        const res = await fetch(input, { ...init, ...(signals.length ? { signal: AbortSignal.any(signals) } : {}) });
        call.outcome = String(res.status);
        return res;
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        call.outcome = cause ?? (e as Error).name;
        throw e;
      } finally {
        edge.inFlight--;
      }
    },
  };
  return edge;
}

/** The real keychain adapter, with its calls counted (a locked keychain must not be hammered). */
export interface CountedSecrets extends SecretStore {
  calls: number;
  inFlight: number;
}

function countedSecrets(inner: SecretStore): CountedSecrets {
  const counted = {
    calls: 0,
    inFlight: 0,
  } as CountedSecrets;
  const wrap = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    counted.calls++;
    counted.inFlight++;
    try {
      return await fn(...a);
    } finally {
      counted.inFlight--;
    }
  };
  counted.get = wrap((k: string) => inner.get(k));
  counted.set = wrap((k: string, v: string) => inner.set(k, v));
  counted.delete = wrap((k: string) => inner.delete(k));
  counted.health = wrap(() => inner.health());
  return counted;
}

/** The app core of test/helpers/app-core.ts, with the proxies, the fake clock and the counted ports. */
export interface FaultStand extends AppCoreHarness {
  clock: FakeClock;
  idpProxy: FaultProxy;
  backendProxy: FaultProxy;
  edge: EdgeFetch;
  secrets: CountedSecrets;
  keyring: PrivateKeyring;
  /** Environment for a CLI child using this stand's settings and keychain. */
  cliEnv(): NodeJS.ProcessEnv;
  /** A device login through the proxies, approved by "alice" (`identityId`: sign in again); the identity's id. */
  login(identityId?: string): Promise<string>;
  /** The identity's status row, as the window shows it. */
  status(id: string): Promise<IdentityStatus>;
  /** The refresh token as the keychain holds it (read with secret-tool, not with the app). */
  keychainRefreshToken(id: string): Promise<string | null>;
  /** Whether the IdP still honours this refresh token (introspection, directly, not counted). */
  isActiveAtIdp(token: string): Promise<boolean>;
  /** Fires each lifecycle timer as it falls due for `ms` of fake time, waiting for the work it starts. */
  runFor(ms: number): Promise<void>;
  /** Waits (real time, bounded) until the lifecycle has finished what it started. */
  quiet(): Promise<void>;
}

export interface FaultStandOptions {
  idp?: Omit<TestIdpOptions, 'issuer'>;
  /** The tests run the built CLI too: check that it is built before anything starts. */
  cli?: boolean;
  /** The app's environment (e.g. OPENEO_AUTH_TRAY_TIMEOUT); default empty. */
  env?: NodeJS.ProcessEnv;
}

/** Starts proxies, IdP, backend and the app core. Call `ownKeyring()` first (this does). */
export async function startFaultStand(opts: FaultStandOptions = {}): Promise<FaultStand> {
  if (opts.cli) assertCliBuilt();
  const ring = await ownKeyring();
  const idpProxy = await startFaultProxy();
  const clock = new FakeClock(Date.now());
  const edge = edgeFetch();
  const secrets = countedSecrets(createKeytarSecretStore());
  const idp = await startTestIdp({ accessTokenTtl: 300, refreshTokenTtl: 30 * 24 * 3600, ...opts.idp, issuer: idpProxy.url, appClock: () => clock.now() });
  idpProxy.setTarget(idp.localUrl);
  const app = await startAppCore({ startedIdp: idp, clock, secrets, fetch: edge.fetch, env: opts.env ?? {} });
  const { api, core, backend, dir } = app;
  const backendProxy = await startFaultProxy({ rewriteOrigin: true });
  backendProxy.setTarget(backend.url);

  // The window is open: access tokens are kept fresh (80% of their life), so that an hour of
  // fake time means a stream of refreshes to fail. Without it only keep-alives run (lifecycle tests).
  core.setWindowVisible(true);

  /** Whether the core's work under way (refreshes, job listings, settings writes) ends within `ms` of real time. */
  async function coreSettles(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
    try {
      return await Promise.race([core.idle().then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Nothing in flight and the lifecycle re-armed: a timer soon (a retry or the next refresh), or
   * none (dead). "Nothing in flight" is the core's own word too, not only what is on the wire: a
   * job listing between its token and its request would otherwise see fake time run past it.
   */
  async function quiet(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      await clock.runDue();
      const next = clock.pendingTimerTimes()[0];
      const settled = await coreSettles(5);
      const idle = settled && idpProxy.inFlight === 0 && backendProxy.inFlight === 0 && edge.inFlight === 0 && secrets.inFlight === 0;
      if (idle && (next === undefined || next - clock.now() <= 2 * HOUR)) return;
      if (Date.now() > deadline) {
        throw new Error(`the lifecycle did not settle within 15 s (core ${settled ? 'idle' : 'busy'}, IdP in flight ${idpProxy.inFlight}, backend ${backendProxy.inFlight}, keychain ${secrets.inFlight}, next timer in ${next === undefined ? '-' : Math.round((next - clock.now()) / 1000)} s)`);
      }
      if (settled) await new Promise((r) => setTimeout(r, 5));
    }
  }

  return {
    ...app,
    clock,
    idpProxy,
    backendProxy,
    edge,
    secrets,
    keyring: ring,
    cliEnv: () => ({ ...ring.env, OPENEO_AUTH_TRAY_HOME: dir }),
    async login(identityId) {
      const started = ok(await api.startDeviceLogin({ backendUrl: backendProxy.url, ...(identityId ? { identityId } : {}) }), 'startDeviceLogin');
      assert.ok(started.verificationUriComplete, 'the IdP gives verification_uri_complete');
      await approveDevice(started.verificationUriComplete);
      return ok(await api.awaitLogin(started.loginId), 'awaitLogin').identityId;
    },
    async status(id) {
      const row = ok(await api.listIdentities(), 'listIdentities').find((r) => r.id === id);
      assert.ok(row, `identity ${id} is listed`);
      return row;
    },
    keychainRefreshToken: (id) => secretToolLookup(ring.env, `${id}/refresh_token`),
    async isActiveAtIdp(token) {
      const basic = Buffer.from(`${idp.backendClient.id}:${idp.backendClient.secret}`).toString('base64');
      const res = await fetch(`${idp.localUrl}/token/introspection`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: 'refresh_token' }),
      });
      return ((await res.json()) as { active?: boolean }).active === true;
    },
    async runFor(ms) {
      const end = clock.now() + ms;
      for (let step = 0; ; step++) {
        if (step > 10_000) throw new Error('runFor: more than 10 000 timers fired; a timer loop?');
        const next = clock.pendingTimerTimes()[0];
        if (next === undefined || next > end) {
          await clock.advanceTo(end);
          return;
        }
        await clock.advanceTo(next);
        await quiet();
      }
    },
    quiet,
    async stop() {
      await app.stop();
      await idpProxy.stop();
      await backendProxy.stop();
    },
  };
}

/** A stand and the one identity signed in on it. */
export interface SignedInStand {
  s: FaultStand;
  id: string;
}

/** {@link startFaultStand}, then one device login (approved by alice); a failed login stops the stand. */
export async function startSignedInStand(opts: FaultStandOptions = {}): Promise<SignedInStand> {
  const s = await startFaultStand(opts);
  try {
    return { s, id: await s.login() };
  } catch (e) {
    await s.stop();
    throw e;
  }
}

/** The value of an ok Result, or a failed assertion naming the call and the error. */
export function ok<T>(result: Result<T>, what: string): T {
  if (!result.ok) assert.fail(`${what} failed: ${result.code}: ${result.message}`);
  return result.value;
}

/** Polls `check` (real time, at most 5 s), for things the app does not announce. */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `secret-tool lookup service openeo-auth-tray account <account>`; null when there is no such entry. */
export function secretToolLookup(env: NodeJS.ProcessEnv, account: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    execFile('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'account', account], { env, timeout: 10_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout.replace(/\n$/, ''));
      if (err.code === 1 && stderr.trim() === '') return resolve(null);
      reject(new Error(`secret-tool lookup ${account} failed: ${stderr.trim() || err.message}`));
    });
  });
}
