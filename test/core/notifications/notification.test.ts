import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { notificationFor, REFRESH_FAILING_AFTER_MS } from '../../../src/main/core/notifications/notification.ts';
import type { NotifiableEvent } from '../../../src/main/core/notifications/events.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';
import type { BatchJob } from '../../../src/shared/model.ts';
import { DAY, EN, NOW, status } from '../../helpers/identity-status.ts';

const on = { ...EN, notificationsEnabled: true };
const id = 'cdse-3f9a1c';
const HOUR = 3_600_000;
const job = (s: BatchJob['status'], extra: Partial<BatchJob> = {}): BatchJob =>
  ({ id: 'j-42', title: 'NDVI Austria', status: s, created: '2025-11-29T07:00:00Z', ...extra });

describe('notificationFor', () => {
  afterEach(() => clearRegisteredSecrets());

  test('refresh token expiring: when, where, and a click that leads to the re-login', () => {
    const expiresAt = Date.UTC(2025, 11, 6, 10, 42);
    const n = notificationFor({ type: 'refresh-token-expiring', identityId: id, thresholdMs: 7 * DAY, expiresAt }, status(), NOW, on);
    assert.deepEqual(n, {
      title: 'CDSE login expires in 7 days',
      body: 'The refresh token on openeo.dataspace.copernicus.eu expires 6 Dec at 10:42. '
        + 'Sign in again before then to keep scripts and the tray working. Click to sign in.',
      onClick: { page: 'add', identityId: id },
      urgency: 'normal',
    });
  });

  test('the last warning (an hour or less) is critical; one that arrives too late reads as expired', () => {
    const soon = notificationFor({ type: 'refresh-token-expiring', identityId: id, thresholdMs: HOUR, expiresAt: NOW + HOUR }, status(), NOW, on);
    assert.equal(soon?.urgency, 'critical');
    assert.equal(soon?.title, 'CDSE login expires in 1 hour');
    const late = notificationFor({ type: 'refresh-token-expiring', identityId: id, thresholdMs: HOUR, expiresAt: NOW - 1 }, status(), NOW, on);
    assert.equal(late?.title, 'CDSE needs a new sign-in');
  });

  test('expired: critical, names the login, click opens the re-login', () => {
    const n = notificationFor({ type: 'expired', identityId: id }, status({ state: 'expired' }), NOW, on);
    assert.equal(n?.title, 'CDSE needs a new sign-in');
    assert.match(n?.body ?? '', /openeo\.dataspace\.copernicus\.eu has expired/);
    assert.deepEqual(n?.onClick, { page: 'add', identityId: id });
    assert.equal(n?.urgency, 'critical');
  });

  test('a failing refresh is announced only after it has failed for a few minutes', () => {
    const ev = (since: number, code = 'IDP_UNREACHABLE'): NotifiableEvent => ({
      type: 'refresh-failing', identityId: id, since, error: { code, message: 'The sign-in server cannot be reached.' },
    });
    assert.equal(notificationFor(ev(NOW - REFRESH_FAILING_AFTER_MS + 1), status(), NOW, on), null);
    const n = notificationFor(ev(NOW - 7 * 60_000), status(), NOW, on);
    assert.equal(n?.title, 'CDSE: tokens are not being renewed');
    assert.equal(n?.body, 'Renewing has failed for 7 minutes (since 08:53): The sign-in server cannot be reached. The app keeps trying.');
    assert.deepEqual(n?.onClick, { page: 'accounts', identityId: id });
    assert.equal(notificationFor(ev(NOW - 60_000), status(), NOW, { ...on, refreshFailingAfterMs: 30_000 })?.urgency, 'normal');
    assert.deepEqual(notificationFor(ev(NOW - HOUR, 'REFRESH_TOKEN_INVALID'), status(), NOW, on)?.onClick, { page: 'add', identityId: id });
  });

  test('login completed says until when the login lasts', () => {
    const n = notificationFor({ type: 'login-completed', identityId: id }, status(), NOW, on);
    assert.equal(n?.title, 'Signed in to CDSE');
    assert.equal(n?.body, 'openeo.dataspace.copernicus.eu · refresh token expires 12 Dec (in 13 days).');
    assert.deepEqual(n?.onClick, { page: 'accounts', identityId: id });
  });

  test('jobs: finished, failed and canceled notify once; other transitions do not', () => {
    const n = (j: BatchJob, from: BatchJob['status'] | null) => notificationFor({ type: 'job', identityId: id, job: j, from }, status(), NOW, on);
    assert.deepEqual(n(job('finished', { costs: 12.5 }), 'running'), {
      title: 'Job finished: NDVI Austria',
      body: 'CDSE on openeo.dataspace.copernicus.eu. Costs: 12.5. Click to see its results.',
      onClick: { page: 'jobs', identityId: id },
      urgency: 'normal',
    });
    assert.equal(n(job('error'), 'running')?.title, 'Job failed: NDVI Austria');
    assert.equal(n(job('canceled', { title: undefined }), 'queued')?.title, 'Job canceled: j-42');
    assert.equal(n(job('running'), 'queued'), null);
    assert.equal(n(job('queued'), 'created'), null);
    assert.equal(n(job('finished'), 'finished'), null);
    // A job that appeared between two listings and had already ended still ended.
    assert.equal(n(job('finished'), null)?.title, 'Job finished: NDVI Austria');
    assert.equal(n(job('running'), null), null);
  });

  test('takes the events of the lifecycle and the job tracker as they are', () => {
    const problem: { code: string; message: string } = { code: 'IDP_UNREACHABLE', message: 'Unreachable.' };
    const transition = { identityId: id, job: job('error'), from: 'running' as const, to: 'error' as const };
    const fromTracker: NotifiableEvent = { type: 'job', ...transition };
    assert.equal(notificationFor(fromTracker, status(), NOW, on)?.title, 'Job failed: NDVI Austria');
    const failing: NotifiableEvent = { type: 'refresh-failing', identityId: id, since: NOW - REFRESH_FAILING_AFTER_MS, error: problem };
    assert.ok(notificationFor(failing, status(), NOW, on), 'announced exactly at the 5-minute mark the lifecycle uses');
  });

  test('recovery and plain state changes are not notified', () => {
    assert.equal(notificationFor({ type: 'recovered', identityId: id }, status(), NOW, on), null);
    assert.equal(notificationFor({ type: 'state-changed', identityId: id, state: 'offline' }, status(), NOW, on), null);
  });

  test('muted: nothing at all', () => {
    const off = { ...EN, notificationsEnabled: false };
    const events: NotifiableEvent[] = [
      { type: 'expired', identityId: id },
      { type: 'refresh-token-expiring', identityId: id, thresholdMs: DAY, expiresAt: NOW + DAY },
      { type: 'refresh-failing', identityId: id, since: NOW - DAY, error: { code: 'IDP_ERROR', message: 'x' } },
      { type: 'login-completed', identityId: id },
      { type: 'job', identityId: id, job: job('finished'), from: 'running' },
    ];
    for (const e of events) {
      assert.notEqual(notificationFor(e, status(), NOW, on), null, e.type);
      assert.equal(notificationFor(e, status(), NOW, off), null, e.type);
    }
  });

  test('the text never contains a token, wherever a secret was slipped in', () => {
    const secret = 'opaque-refresh-token-1234';
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    registerSecret(secret);
    const identity = status({ label: `CDSE ${secret}`, backend: `https://${secret}.example.org` });
    const events: NotifiableEvent[] = [
      { type: 'expired', identityId: id },
      { type: 'refresh-token-expiring', identityId: id, thresholdMs: DAY, expiresAt: NOW + DAY },
      { type: 'refresh-failing', identityId: id, since: NOW - DAY, error: { code: 'IDP_ERROR', message: `refused ${secret} ${jwt}` } },
      { type: 'login-completed', identityId: id },
      { type: 'job', identityId: id, job: job('error', { title: `job ${secret} ${jwt}` }), from: 'running' },
    ];
    for (const e of events) {
      const n = notificationFor(e, identity, NOW, on);
      assert.ok(n, e.type);
      const text = `${n.title}\n${n.body}`;
      assert.ok(!text.includes(secret), `${e.type}: ${text}`);
      assert.ok(!text.includes('eyJzdWIiOiJhbGljZSJ9'), `${e.type}: ${text}`);
    }
  });
});
