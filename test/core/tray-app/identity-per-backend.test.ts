/**
 * An identity is one person at one backend (issue 10, item 1), in the real app core (real
 * settings file and keychain, real oidc-provider, two fixture backends on that one IdP).
 *
 * Matching logins by issuer + client + user alone made a login as alice at a second backend on
 * the same IdP (CDSE and its federation share one IdP; a look-alike backend can name CDSE's
 * issuer) re-point the first identity to the second backend: its tokens, job polling, exec's
 * OPENEO_BACKEND_URL and the Python snippet then went there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { approveDevice } from '../../fixtures/device-user.ts';
import { startFixtureBackend, type FixtureBackend } from '../../fixtures/openeo-backend.ts';
import { startAppCore, type AppCoreHarness } from '../../helpers/app-core.ts';

let h: AppCoreHarness;
let second: FixtureBackend;
before(async () => {
  h = await startAppCore({ idp: { refreshTokenTtl: 30 * 86_400 } });
  second = await startFixtureBackend({ idp: h.idp });
});
after(async () => {
  await second.stop();
  await h.stop();
});

/** A device login through the window's API at `backendUrl`, approved by `login`. */
async function signIn(backendUrl: string, login: string, identityId?: string) {
  const started = await h.api.startDeviceLogin({ backendUrl, ...(identityId ? { identityId } : {}) });
  assert.ok(started.ok, JSON.stringify(started));
  await approveDevice(started.value.verificationUriComplete!, { login });
  return h.api.awaitLogin(started.value.loginId);
}

async function rows() {
  const listed = await h.api.listIdentities();
  assert.ok(listed.ok);
  return listed.value;
}

test('alice at a second backend on the same IdP is a second identity; the first stays at its backend', async () => {
  const first = await signIn(h.backend.url, 'alice');
  assert.ok(first.ok, JSON.stringify(first));
  const other = await signIn(second.url, 'alice');
  assert.ok(other.ok, JSON.stringify(other));
  assert.notEqual(other.value.identityId, first.value.identityId, 'a new identity for the second backend');

  const byId = new Map((await rows()).map((r) => [r.id, r]));
  assert.equal(byId.get(first.value.identityId)?.backend, h.backend.url, 'the first login still points to its own backend');
  assert.equal(byId.get(other.value.identityId)?.backend, second.url);
  assert.equal(byId.get(first.value.identityId)?.userId, 'alice');

  // Each identity's requests go to its own backend: a job that only the first backend has.
  h.backend.addJob('alice', { id: 'only-at-the-first-backend', status: 'queued', created: '2026-01-01T00:00:00Z' });
  const jobs = await h.api.listJobs(first.value.identityId, { limit: 20 });
  assert.ok(jobs.ok, JSON.stringify(jobs));
  assert.deepEqual(jobs.value.jobs.map((j) => j.id), ['only-at-the-first-backend']);
  const otherJobs = await h.api.listJobs(other.value.identityId, { limit: 20 });
  assert.ok(otherJobs.ok, JSON.stringify(otherJobs));
  assert.deepEqual(otherJobs.value.jobs, []);

  // Signing in again at the same backend is still the same identity.
  const again = await signIn(h.backend.url, 'alice');
  assert.ok(again.ok);
  assert.equal(again.value.identityId, first.value.identityId);
});

test('"Sign in again" as another person is refused and leaves the login as it was', async () => {
  const alice = await signIn(h.backend.url, 'alice');
  assert.ok(alice.ok);
  const id = alice.value.identityId;
  const renewed = await signIn(h.backend.url, 'bob', id);
  assert.equal(renewed.ok, false, 'bob cannot take over alice\'s login');
  if (!renewed.ok) {
    assert.equal(renewed.code, 'LOGIN_REFUSED');
    assert.match(renewed.message, /signed in as "bob", but the login .* belongs to "alice"/);
  }
  const row = (await rows()).find((r) => r.id === id);
  assert.equal(row?.userId, 'alice');
  const token = await h.api.listJobs(id, { limit: 20 });
  assert.ok(token.ok, 'alice\'s tokens still work');
  assert.ok(!(await rows()).some((r) => r.userId === 'bob'), 'nothing of bob was saved');
});
