/**
 * The openEO backend failing, behind its fault proxy (which rewrites the backend's absolute URLs
 * to its own). The backend is needed to sign in (discovery, providers, /me) and to follow batch
 * jobs; a token refresh never touches it. So: a failing backend must stop a sign-in before the
 * person is asked anything, must never make a login look broken or spend a refresh token, must
 * not be polled in a loop, and must be followed again once it is back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fault } from '../fixtures/fault-proxy.ts';
import { HOUR, MINUTE, startSignedInStand, stopOwnKeyring, type FaultStand } from './harness.ts';

const API = '/openeo/1.2';
const JOBS = `${API}/jobs`;

after(stopOwnKeyring);

describe('backend faults', () => {
  let s: FaultStand;
  let id: string;
  before(async () => ({ s, id } = await startSignedInStand()));
  after(() => s?.stop());

  const signInFaults: Array<{ name: string; path: string; fault: Fault | 'refuse'; code: string; message: RegExp }> = [
    { name: 'backend refuses connections', path: '', fault: 'refuse', code: 'BACKEND_UNREACHABLE', message: /connection was refused/ },
    { name: '/.well-known/openeo answers 503 with Retry-After', path: '/.well-known/openeo', fault: { kind: 'status', status: 503, retryAfter: '120' }, code: 'BACKEND_ERROR', message: /has a problem right now \(HTTP 503\)/ },
    { name: '/.well-known/openeo answers an HTML page', path: '/.well-known/openeo', fault: { kind: 'body', body: '<html><body>Maintenance</body></html>' }, code: 'BACKEND_INVALID_RESPONSE', message: /No openEO API was found/ },
    { name: '/.well-known/openeo truncated', path: '/.well-known/openeo', fault: { kind: 'truncate' }, code: 'BACKEND_INVALID_RESPONSE', message: /No openEO API was found/ },
    { name: '/credentials/oidc reset mid-response', path: `${API}/credentials/oidc`, fault: { kind: 'reset' }, code: 'BACKEND_UNREACHABLE', message: /broke off before the whole answer arrived/ },
  ];
  for (const c of signInFaults) {
    test(`sign-in while ${c.name}: stopped before the IdP is asked, nothing saved`, async () => {
      const identities = await s.api.listIdentities();
      const deviceRequests = s.idpProxy.count('/device/auth');
      if (c.fault === 'refuse') await s.backendProxy.setRefusing(true);
      else s.backendProxy.inject({ path: c.path, fault: c.fault });
      try {
        const discovered = await s.api.discoverBackend(s.backendProxy.url);
        assert.equal(discovered.ok, false);
        if (!discovered.ok) {
          assert.equal(discovered.code, c.code, discovered.message);
          assert.match(discovered.message, c.message);
        }
        const started = await s.api.startDeviceLogin({ backendUrl: s.backendProxy.url });
        assert.equal(started.ok, false);
        if (!started.ok) assert.equal(started.code, c.code, started.message);
      } finally {
        s.backendProxy.clear();
        await s.backendProxy.setRefusing(false);
      }
      assert.equal(s.idpProxy.count('/device/auth'), deviceRequests, 'the person was asked nothing');
      assert.deepEqual(await s.api.listIdentities(), identities, 'no identity added');
      assert.ok((await s.api.discoverBackend(s.backendProxy.url)).ok, 'works again once the fault is gone');
    });
  }

  test('sign-in while /me answers 503: the login is saved, with the user id from the token', async () => {
    s.backendProxy.inject({ path: `${API}/me`, fault: { kind: 'status', status: 503 } });
    try {
      const again = await s.login(id);
      assert.equal(again, id);
    } finally {
      s.backendProxy.clear();
    }
    const row = await s.status(id);
    assert.equal(row.state, 'active');
    assert.equal(row.userId, 'alice');
  });

  const jobFaults: Array<{ name: string; fault: Fault | 'refuse'; code: string; deadlineMs?: number }> = [
    { name: 'refused', fault: 'refuse', code: 'BACKEND_UNREACHABLE' },
    { name: 'reset mid-response', fault: { kind: 'reset' }, code: 'BACKEND_UNREACHABLE' },
    { name: 'HTTP 500 without Retry-After', fault: { kind: 'status', status: 500, body: '{"id":"x","code":"Internal","message":"Server error."}', contentType: 'application/json' }, code: 'BACKEND_ERROR' },
    { name: 'HTTP 502 gateway page', fault: { kind: 'status', status: 502 }, code: 'BACKEND_ERROR' },
    { name: 'HTTP 503 with Retry-After', fault: { kind: 'status', status: 503, retryAfter: '300' }, code: 'BACKEND_ERROR' },
    { name: 'truncated JSON', fault: { kind: 'truncate', bytes: 10 }, code: 'BACKEND_INVALID_RESPONSE' },
    { name: 'HTML with status 200', fault: { kind: 'body', body: '<!DOCTYPE html><title>Login</title>' }, code: 'BACKEND_INVALID_RESPONSE' },
    { name: 'no answer for 60 s (client deadline 200 ms)', fault: { kind: 'delay', ms: 60_000 }, code: 'BACKEND_UNREACHABLE', deadlineMs: 200 },
  ];
  for (const c of jobFaults) {
    test(`batch jobs: ${c.name} → ${c.code}; the login stays active and no token is spent`, async (t) => {
      await s.runFor(1_000);
      const rtBefore = await s.keychainRefreshToken(id);
      const tokenRequests = s.idpProxy.count('/token');
      if (c.fault === 'refuse') await s.backendProxy.setRefusing(true);
      else s.backendProxy.inject({ path: JOBS, fault: c.fault });
      s.edge.deadlineMs = c.deadlineMs;
      try {
        const listed = await s.api.listJobs(id, { limit: 20 });
        assert.equal(listed.ok, false);
        if (!listed.ok) {
          t.diagnostic(`${listed.code}: ${listed.message}`);
          assert.equal(listed.code, c.code, listed.message);
        }
        const row = await s.status(id);
        assert.equal(row.state, 'active', 'a failing backend does not make the login look broken');
      } finally {
        s.edge.deadlineMs = undefined;
        s.backendProxy.clear();
        await s.backendProxy.setRefusing(false);
      }
      assert.equal(s.idpProxy.count('/token'), tokenRequests, 'no refresh was triggered');
      assert.equal(await s.keychainRefreshToken(id), rtBefore);
      assert.ok((await s.api.listJobs(id, { limit: 20 })).ok, 'listing works again');
    });
  }

  test('a running job while the backend answers 503 for an hour: bounded polling, then the change is reported', async (t) => {
    await s.runFor(1_000);
    s.backend.addJob('alice', { id: 'job-1', title: 'NDVI composite', status: 'running' });
    assert.ok((await s.api.listJobs(id, { limit: 20 })).ok);
    const listingsBefore = s.backendProxy.count(JOBS);
    s.core.resume(); // lists every identity now: the tracker learns that job-1 runs
    // That listing is under way once resume() returns; quiet() alone sees only requests on the
    // wire and could return in a gap before it reaches the backend (seen once in a CI run).
    await s.core.idle();
    assert.ok(s.backendProxy.count(JOBS) > listingsBefore, 'the tracker listed the jobs');
    await s.quiet();
    s.backendProxy.inject({ path: JOBS, fault: { kind: 'status', status: 503 } });
    const before = s.backendProxy.count(JOBS);
    const notes = s.notifications.length;
    await s.runFor(HOUR);
    const polls = s.backendProxy.count(JOBS) - before;
    t.diagnostic(`GET /jobs in the failing hour: ${polls} (token refreshes trigger a listing too)`);
    assert.ok(polls <= 40, `${polls} job listings in an hour`);
    assert.equal((await s.status(id)).state, 'active');
    assert.equal(s.notifications.length, notes, 'a failing job listing is not announced');

    s.backendProxy.clear();
    s.backend.updateJob('alice', 'job-1', { status: 'finished' });
    await s.runFor(6 * MINUTE);
    const said = s.notifications.slice(notes).map((n) => n.title);
    assert.deepEqual(said, ['Job finished: NDVI composite']);
  });
});
