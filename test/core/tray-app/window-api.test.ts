/**
 * What the window's pages get from the real core (real oidc-provider, fixture backend, real
 * keychain): default names from the backend's title, job lists with their cost unit, one job's
 * logs and signed result links, and the linking facts of a service account (what its own job list
 * says, where support is).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { approveDevice } from '../../fixtures/device-user.ts';
import { startAppCore, type AppCoreHarness } from '../../helpers/app-core.ts';
import { CDSE_HELP_CENTER_URL, batchJobSummary, supportDesk, supportMessage } from '../../../src/main/core/tray-app/credits.ts';
import { defaultIdentityLabel } from '../../../src/main/core/session/login.ts';
import type { Identity } from '../../../src/shared/model.ts';

async function signIn(h: AppCoreHarness, backendUrl = h.backend.url): Promise<string> {
  const started = await h.api.startDeviceLogin({ backendUrl });
  assert.ok(started.ok, JSON.stringify(started));
  await approveDevice(started.value.verificationUriComplete!);
  const done = await h.api.awaitLogin(started.value.loginId);
  assert.ok(done.ok, JSON.stringify(done));
  return done.value.identityId;
}

async function addRobot(h: AppCoreHarness, backendUrl = h.backend.url): Promise<string> {
  const added = await h.api.addServiceAccount({ backendUrl, clientId: h.idp.serviceClient.id, clientSecret: h.idp.serviceClient.secret });
  assert.ok(added.ok, JSON.stringify(added));
  return added.value.identityId;
}

describe('window API on the real core', () => {
  let h: AppCoreHarness;
  before(async () => { h = await startAppCore(); });
  after(async () => { await h?.stop(); });

  test('discoverBackend names the defaults after the backend, and logins get those names', async () => {
    const found = await h.api.discoverBackend(h.backend.url);
    assert.ok(found.ok, JSON.stringify(found));
    assert.deepEqual(found.value.defaultLabels, { personal: 'Fixture openEO backend', serviceAccount: 'Fixture openEO backend service account' });
    const robot = await addRobot(h);
    const rows = await h.api.listIdentities();
    assert.ok(rows.ok);
    assert.equal(rows.value.find((r) => r.id === robot)?.label, 'Fixture openEO backend service account');
  });

  test('listJobs gives the costs’ unit from GET /; getJob gives the logs and, once finished, the signed result links', async () => {
    const robot = h.core.statuses().find((r) => r.kind === 'client-credentials')!.id;
    const owner = `service-account-${h.idp.serviceClient.id}`;
    h.backend.addJob(owner, { id: 'done-1', title: 'Done', status: 'finished', created: '2025-11-29T09:00:00Z', costs: 4 });
    h.backend.addJob(owner, { id: 'run-2', status: 'running', progress: 10, created: '2025-11-29T10:00:00Z' });
    h.backend.setJobLogs(owner, 'done-1', [{ level: 'warning', message: 'Cloudy\u0007 tile.\nSkipped.', time: '2025-11-29T09:01:00Z' }, { level: 'nonsense', message: 'x' }]);
    const list = await h.api.listJobs(robot, { limit: 20 });
    assert.ok(list.ok, JSON.stringify(list));
    assert.equal(list.value.currency, 'credits');
    assert.deepEqual(list.value.jobs.map((j) => j.id).sort(), ['done-1', 'run-2']);

    const done = await h.api.getJob(robot, 'done-1');
    assert.ok(done.ok, JSON.stringify(done));
    assert.equal(done.value.job.costs, 4);
    assert.deepEqual(done.value.logs, { ok: true, more: false, entries: [
      { level: 'warning', message: 'Cloudy  tile.\nSkipped.', time: '2025-11-29T09:01:00Z' },
      { level: 'info', message: 'x' },
    ] }, 'control characters gone, unknown levels read as info');
    assert.ok(done.value.results?.ok);
    assert.match(done.value.results.canonical ?? '', /\/signed\/done-1\/collection\.json\?sig=fixture$/);
    assert.deepEqual(done.value.results.assets.map((a) => a.title), ['openEO.tif']);

    const running = await h.api.getJob(robot, 'run-2');
    assert.ok(running.ok);
    assert.equal(running.value.results, null, 'no results asked for before the job has finished');

    const missing = await h.api.getJob(robot, 'no-such-job');
    assert.equal(missing.ok, false);
  });

  test('a results document with links a browser must not open: only https (or loopback) links are kept', async () => {
    const robot = h.core.statuses().find((r) => r.kind === 'client-credentials')!.id;
    h.backend.override('GET', '/openeo/1.2/jobs/done-1/results', { body: {
      type: 'Collection', links: [{ rel: 'canonical', href: 'javascript:alert(1)' }],
      assets: { a: { href: 'http://evil.example/a.tif' }, b: { href: 'file:///etc/passwd' }, c: { href: 'https://cdn.example/c.tif', title: 'C' } },
    } });
    try {
      const done = await h.api.getJob(robot, 'done-1');
      assert.ok(done.ok && done.value.results?.ok);
      assert.equal(done.value.results.canonical, null);
      assert.deepEqual(done.value.results.assets, [{ title: 'C', href: 'https://cdn.example/c.tif' }]);
    } finally {
      h.backend.override('GET', '/openeo/1.2/jobs/done-1/results', null);
    }
  });

  test('getCredits of a service account: both IDs, what its job list says, no claim it cannot know', async () => {
    await signIn(h);
    const robot = h.core.statuses().find((r) => r.kind === 'client-credentials')!.id;
    const credits = await h.api.getCredits(robot);
    assert.ok(credits.ok, JSON.stringify(credits));
    const sa = credits.value.serviceAccount!;
    assert.deepEqual(sa.batchJobs, { started: 2, finished: 1 });
    assert.equal(sa.personalUserId, 'alice');
    assert.deepEqual(sa.support, { name: `the operators of ${new URL(h.backend.url).host}`, url: null }, 'no address is made up for a backend that names none');
    assert.match(sa.supportMessage, /The service account’s job list shows 2 batch jobs that were started \(1 finished\)\./);

    // The job list cannot be read: the message leaves the jobs out rather than guess.
    h.backend.override('GET', '/openeo/1.2/jobs', { status: 503, body: { code: 'Unavailable', message: 'down' } });
    try {
      const without = await h.api.getCredits(robot);
      assert.ok(without.ok, JSON.stringify(without));
      assert.equal(without.value.serviceAccount?.batchJobs, null);
      assert.doesNotMatch(without.value.serviceAccount?.supportMessage ?? '', /job/i);
    } finally {
      h.backend.override('GET', '/openeo/1.2/jobs', null);
    }
  });

  test('listJobs pages by the backend\'s limit and next link; refreshJobs reads the jobs named again, leaving out what is gone', async () => {
    const robot = h.core.statuses().find((r) => r.kind === 'client-credentials')!.id;
    const owner = `service-account-${h.idp.serviceClient.id}`;
    for (let i = 0; i < 5; i++) h.backend.addJob(owner, { id: `page-${i}`, status: 'queued', created: `2025-11-2${i}T10:00:00Z` });
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await h.api.listJobs(robot, { limit: 3, ...(next ? { next } : {}) });
      assert.ok(page.ok, JSON.stringify(page));
      assert.ok(page.value.jobs.length <= 3);
      seen.push(...page.value.jobs.map((j) => j.id));
      next = page.value.next ?? undefined;
      pages++;
    } while (next);
    assert.equal(pages, Math.ceil(seen.length / 3), 'pages of three until the backend gives no next link');
    assert.equal(new Set(seen).size, seen.length, 'no job twice');
    assert.ok(['page-0', 'page-4', 'done-1', 'run-2'].every((id) => seen.includes(id)));

    const elsewhere = await h.api.listJobs(robot, { limit: 3, next: 'https://openeo.example/openeo/1.2/jobs?offset=3' });
    assert.equal(elsewhere.ok || elsewhere.code, 'INVALID_ARGUMENT', 'a next link outside the login\'s API is not followed');

    const again = await h.api.refreshJobs(robot, ['run-2', 'no-such-job']);
    assert.ok(again.ok, JSON.stringify(again));
    assert.deepEqual(again.value.jobs.map((j) => [j.id, j.status]), [['run-2', 'running']]);
    const none = await h.api.refreshJobs(robot, ['no-such-job']);
    assert.equal(none.ok, false, 'nothing could be read: said, not an empty answer');
  });

  test('renameIdentity: the new name in the row, the tray and the file; a name taken by another login is refused', async () => {
    const rows = h.core.statuses();
    const [first, second] = [rows[0]!, rows[1]!];
    let changes = 0;
    const off = h.core.onChange(() => changes++);
    try {
      const renamed = await h.api.renameIdentity(first.id, ' Nightly robot ');
      assert.ok(renamed.ok, JSON.stringify(renamed));
      assert.equal(renamed.value.label, 'Nightly robot');
      assert.equal(h.core.statuses().find((r) => r.id === first.id)?.label, 'Nightly robot');
      assert.ok(h.core.trayMenu().some((item) => item.label.includes('Nightly robot')), 'the tray shows it');
      assert.ok(changes > 0, 'the window and the tray are told');
      const taken = await h.api.renameIdentity(second.id, 'nightly ROBOT');
      assert.equal(taken.ok, false);
      if (!taken.ok) {
        assert.equal(taken.code, 'INVALID_ARGUMENT');
        assert.equal(taken.message, 'Another login is already called “Nightly robot”.');
        assert.equal(taken.nextStep, 'Choose another name.');
      }
      assert.equal(h.core.statuses().find((r) => r.id === second.id)?.label, second.label, 'unchanged');
    } finally {
      off();
    }
  });

  test('startBrowserLogin answers with the sign-in page the browser was sent to', async () => {
    const started = await h.api.startBrowserLogin({ backendUrl: h.backend.url });
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal(started.value.signInUrl, h.opened.at(-1), 'the page the app opened');
    assert.equal(started.value.browserOpened, true);
    const page = new URL(started.value.signInUrl);
    assert.equal(page.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(!page.searchParams.has('code_verifier'), 'no secret in it');
    await h.api.cancelLogin(started.value.loginId);
    const outcome = await h.api.awaitLogin(started.value.loginId);
    assert.equal(outcome.ok || outcome.code, 'LOGIN_CANCELLED');
  });

  test('the job id is guarded at the boundary', async () => {
    const { guardArgs } = await import('../../../src/shared/guards.ts');
    assert.equal(guardArgs('getJob', ['cdse-1', '../me']).ok, false);
    assert.equal(guardArgs('getJob', ['cdse-1', 'a'.repeat(257)]).ok, false);
    assert.equal(guardArgs('getJob', ['cdse-1', 'j-2025.11~29_a']).ok, true);
  });

  test('a login that is not there: the Python snippet and a refresh say so with a code and a next step', async () => {
    for (const result of [await h.api.copy('gone-000000', 'python-snippet'), await h.api.refreshNow('gone-000000')]) {
      assert.ok(!result.ok, JSON.stringify(result));
      assert.equal(result.code, 'IDENTITY_NOT_FOUND');
      assert.match(result.message, /gone-000000/);
      assert.ok(result.nextStep);
    }
  });
});

describe('linking facts (pure)', () => {
  const robot = { backendUrl: 'https://openeo.dataspace.copernicus.eu', clientId: 'sh-1' } as Identity;
  test('CDSE requests go to its help center; other backends to their own page, or to no made-up address', () => {
    assert.deepEqual(supportDesk('https://openeo.dataspace.copernicus.eu', null), { name: 'the Copernicus Data Space Ecosystem help center', url: CDSE_HELP_CENTER_URL });
    assert.equal(supportDesk('https://openeo.example', 'https://openeo.example/about').url, 'https://openeo.example/about');
    assert.equal(supportDesk('https://openeo.example', null).url, null);
  });
  test('the message states the IDs and the job list, and blanks for what is not known', () => {
    assert.deepEqual(batchJobSummary([{ status: 'created' }, { status: 'queued' }, { status: 'finished' }, { status: 'error' }]), { started: 3, finished: 1 });
    const none = supportMessage(robot, 'sub-1', undefined, { started: 0, finished: 0 });
    assert.match(none, /Personal account user ID: \[your personal user ID\]/);
    assert.match(none, /shows no batch job that was started yet/);
    assert.match(supportMessage(robot, 'sub-1', undefined, { started: 1, finished: 0 }), /shows 1 batch job that was started \(0 finished\)/);
  });
  test('default names: the backend’s title, else its host; never the provider id', () => {
    assert.equal(defaultIdentityLabel({ backendUrl: 'https://openeo.dataspace.copernicus.eu', backendTitle: 'Copernicus Data Space Ecosystem' }, 'personal'), 'Copernicus Data Space Ecosystem');
    assert.equal(defaultIdentityLabel({ backendUrl: 'https://openeo.vito.be' }, 'client-credentials'), 'openeo.vito.be service account');
    assert.equal(defaultIdentityLabel({ backendUrl: 'https://x.example', backendTitle: ' \u0007 ' }, 'personal'), 'x.example', 'a blank title falls back to the host');
  });
});
