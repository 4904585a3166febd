/**
 * The tray facing an identity provider that answers too much or not at all (issue 10, items 4
 * and 10), on the real app core: a fault proxy in front of the real oidc-provider, the real
 * keychain, the real lifecycle.
 * - Backend bodies were capped at 2 MB, IdP bodies not at all: a 300 MB discovery document took
 *   the process to 3.8 GB. Now every IdP answer goes through the HTTP layer's 1 MB cap; the proxy
 *   counts how much of the flood the app let through.
 * - The tray's own requests ignored OPENEO_AUTH_TRAY_TIMEOUT, and nothing stopped a request when
 *   the app quit: a hung IdP held a refresh, and its cross-process lock, for openid-client's 30 s
 *   (or as long as the socket lived). Now the timeout applies to the tray too, and quitting
 *   aborts the request and frees the lock at once.
 * Waits are bounded (`within`) in real time; the timings asserted are deadlines far above what
 * the fixed code takes, not measurements.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { forgetDiscoveredIssuers } from '../../src/main/core/oidc/issuer.ts';
import { withFileLock } from '../../src/main/core/process-lock.ts';
import { startSignedInStand, stopOwnKeyring, until, type FaultStand, type FaultStandOptions, type SignedInStand } from './harness.ts';

const MB = 1024 * 1024;
const DISCOVERY = '/.well-known/openid-configuration';

/** `promise`, or a failure after `ms` of real time (the old code would hang for 30 s or more). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The next refresh discovers the IdP again: this process's copy and the settings folder's kept one go. */
function forgetDiscovery(s: FaultStand): void {
  forgetDiscoveredIssuers();
  rmSync(join(s.dir, 'cache'), { recursive: true, force: true });
}

const lockFile = (s: FaultStand, id: string): string => join(s.dir, 'locks', `refresh-${id}.lock`);

after(() => stopOwnKeyring());

describe('an IdP that answers too much (item 4)', () => {
  let s: FaultStand;
  let id: string;
  before(async () => ({ s, id } = await startSignedInStand()));
  after(() => s?.stop());

  test('a 300 MB discovery document: refused after 1 MB, with a sentence', async () => {
    await s.runFor(1_000); // a forced refresh right after another one is answered from the cache
    forgetDiscovery(s);
    s.idpProxy.inject({ path: DISCOVERY, fault: { kind: 'flood', bytes: 300 * MB }, times: 1 });
    const before = s.idpProxy.floodedBytes;
    const result = await within(s.api.refreshNow(id), 20_000, 'the refresh');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.code, 'IDP_INVALID_RESPONSE', result.message);
    assert.match(result.message, /more than 1 MB of data/);
    const read = s.idpProxy.floodedBytes - before;
    assert.ok(read < 16 * MB, `the app let ${Math.round(read / MB)} MB through before it stopped reading`);
  });

  test('a token answer of 300 MB with its Content-Length announced: refused unread; the refresh token is kept', async () => {
    await s.runFor(1_000);
    forgetDiscovery(s);
    const kept = await s.keychainRefreshToken(id);
    s.idpProxy.inject({ path: '/token', method: 'POST', fault: { kind: 'flood', bytes: 300 * MB, announce: true }, times: 1 });
    const before = s.idpProxy.floodedBytes;
    const result = await within(s.api.refreshNow(id), 20_000, 'the refresh');
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, 'IDP_INVALID_RESPONSE', result.message);
    assert.ok(s.idpProxy.floodedBytes - before < 16 * MB);
    assert.equal(await s.keychainRefreshToken(id), kept);
    // The next refresh, without the flood, works.
    await s.runFor(1_000);
    const again = await within(s.api.refreshNow(id), 20_000, 'the next refresh');
    assert.ok(again.ok, again.ok ? '' : again.message);
  });
});

/**
 * A stand of its own for one test (stopped when it ends, answering what a hang held first),
 * signed in, its next refresh discovering the IdP again.
 */
async function readyToRefresh(t: TestContext, opts: FaultStandOptions = {}): Promise<SignedInStand> {
  const stand = await startSignedInStand(opts);
  t.after(async () => {
    stand.s.idpProxy.clear();
    await stand.s.stop();
  });
  await stand.s.runFor(1_000);
  forgetDiscovery(stand.s);
  return stand;
}

describe('a hung IdP (item 10)', () => {
  test('the tray honours OPENEO_AUTH_TRAY_TIMEOUT: the refresh ends, says why, and frees the lock', async (t) => {
    const { s, id } = await readyToRefresh(t, { env: { OPENEO_AUTH_TRAY_TIMEOUT: '0.5' } });
    s.idpProxy.inject({ path: '/token', method: 'POST', fault: { kind: 'delay', ms: 60_000 } });
    const result = await within(s.api.refreshNow(id), 10_000, 'a refresh against an IdP that never answers');
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, 'IDP_UNREACHABLE', result.message);
      assert.match(result.message, /did not answer within 1 s/);
    }
    assert.equal(existsSync(lockFile(s, id)), false, 'the refresh lock is released');
    await within(withFileLock(lockFile(s, id), async () => undefined, { timeoutMs: 1_000 }), 5_000, 'taking the lock');
  });

  test('quitting aborts a refresh that waits for a hung IdP and frees its lock at once', async (t) => {
    const { s, id } = await readyToRefresh(t);
    s.idpProxy.inject({ path: '/token', method: 'POST', fault: { kind: 'delay', ms: Infinity } });
    const pending = s.api.refreshNow(id);
    await until(async () => s.idpProxy.inFlight > 0 && existsSync(lockFile(s, id)), 'the refresh waits at the IdP, holding its lock');
    s.core.stop();
    const result = await within(pending, 5_000, 'the refresh after quitting');
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, 'LOGIN_CANCELLED', result.message);
    assert.equal(existsSync(lockFile(s, id)), false, 'the refresh lock is released');
    await within(s.core.idle(), 5_000, 'the core going idle');
  });
});
