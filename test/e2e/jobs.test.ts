/**
 * `jobs [<id>] [--json]` end to end against the fixture backend's per-user batch jobs: a
 * personal login and a service account (whose jobs are separate), pages followed through `next`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveDevice } from '../fixtures/device-user.ts';
import { startTestIdp, type TestIdp } from '../fixtures/oidc-provider.ts';
import { startFixtureBackend, type FixtureBackend } from '../fixtures/openeo-backend.ts';
import { runCli } from '../helpers/cli.ts';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { secretKey } from '../../src/shared/model.ts';

const secrets = createKeytarSecretStore();

interface JobRow { identity: string; id: string; title: string | null; status: string; progress: number | null; created: string; updated: string | null; costs: number | null }

let idp: TestIdp;
let backend: FixtureBackend;
let home: string;
let env: NodeJS.ProcessEnv;
let personal: string;
let service: string;
let serviceUserId: string;

const ALICE_JOBS = [
  { id: 'a-1', title: 'NDVI 2024', status: 'finished', progress: 100, created: '2025-01-01T10:00:00Z', updated: '2025-01-01T11:00:00Z', costs: 12.5 },
  { id: 'a-2', title: 'Mosaic', status: 'running', progress: 40, created: '2025-01-02T10:00:00Z', updated: '2025-01-02T10:30:00Z' },
  { id: 'a-3', status: 'queued', created: '2025-01-03T10:00:00Z' },
  { id: 'a-4', title: 'Broken', status: 'error', created: '2025-01-04T10:00:00Z', updated: '2025-01-04T10:05:00Z' },
] as const;

function idOf(stdout: string): string {
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { identity: string }).identity;
}

async function jobsJson(args: string[]): Promise<JobRow[]> {
  const run = await runCli(['jobs', ...args, '--json'], { env });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as JobRow[];
}

before(async () => {
  idp = await startTestIdp();
  backend = await startFixtureBackend({ idp });
  home = mkdtempSync(join(tmpdir(), 'oat-e2e-home-'));
  env = { ...process.env, OPENEO_AUTH_TRAY_HOME: home };
  let approval: Promise<void> | undefined;
  const login = await runCli(['login', backend.url, '--json', '--no-browser'], {
    env,
    onStdoutLine: (line) => {
      const event = JSON.parse(line) as { event: string; verification_uri_complete?: string };
      if (event.event === 'device_authorization') approval = approveDevice(event.verification_uri_complete!);
    },
  });
  await approval;
  assert.equal(login.code, 0, login.stderr);
  personal = idOf(login.stdout);
  const svc = await runCli(['login', backend.url, '--flow', 'client-credentials', '--client-id', idp.serviceClient.id, '--client-secret-stdin', '--json'], {
    env,
    input: idp.serviceClient.secret,
  });
  assert.equal(svc.code, 0, svc.stderr);
  service = idOf(svc.stdout);
  const rows = JSON.parse((await runCli(['status', '--json'], { env })).stdout) as Array<{ id: string; user_id: string }>;
  serviceUserId = rows.find((r) => r.id === service)!.user_id;
  assert.ok(serviceUserId && serviceUserId !== 'alice', `the service account is a user of its own: ${serviceUserId}`);

  for (const job of ALICE_JOBS) backend.addJob('alice', { ...job });
  backend.addJob(serviceUserId, { id: 's-1', title: 'Nightly export', status: 'running', progress: 5, created: '2025-02-01T00:00:00Z' });
});

after(async () => {
  await backend.stop();
  await idp.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('jobs', () => {
  test('--json: every job of the identity with id, title, status, progress, created, updated', async () => {
    const jobs = await jobsJson([personal]);
    assert.deepEqual(jobs, ALICE_JOBS.map((j) => ({
      identity: personal,
      id: j.id,
      title: 'title' in j ? j.title : null,
      status: j.status,
      progress: 'progress' in j ? j.progress : null,
      created: j.created,
      updated: 'updated' in j ? j.updated : null,
      costs: 'costs' in j ? j.costs : null,
    })));
  });

  test('a service account\'s jobs are its own, separate from the personal account\'s', async () => {
    const jobs = await jobsJson([service]);
    assert.deepEqual(jobs.map((j) => [j.identity, j.id, j.status, j.progress]), [[service, 's-1', 'running', 5]]);
    const all = await jobsJson([]);
    assert.deepEqual(all.map((j) => `${j.identity}:${j.id}`).sort(), [...ALICE_JOBS.map((j) => `${personal}:${j.id}`), `${service}:s-1`].sort());
  });

  test('pages are followed through the "next" links', async () => {
    // The fixture pages only when asked for a limit, which the CLI does not send; so its first
    // page is served as a backend that pages by itself would, pointing at the fixture's paging.
    // (`/jobs/` with a slash reaches the fixture's own handler, past this override.)
    backend.override('GET', '/openeo/1.2/jobs', {
      body: { jobs: ALICE_JOBS.slice(0, 2), links: [{ rel: 'next', href: `${backend.apiUrl}/jobs/?limit=2&offset=2` }] },
    });
    try {
      const before = backend.requests.length;
      const jobs = await jobsJson([personal]);
      assert.deepEqual(jobs.map((j) => j.id), ['a-1', 'a-2', 'a-3', 'a-4']);
      const paths = backend.requests.slice(before).map((r) => r.path).filter((p) => p.includes('/jobs'));
      assert.deepEqual(paths, ['/openeo/1.2/jobs', '/openeo/1.2/jobs/?limit=2&offset=2']);
    } finally {
      backend.override('GET', '/openeo/1.2/jobs', null);
    }
  });

  test('the human listing: one line per job; none says so', async () => {
    const run = await runCli(['jobs', personal], { env });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, ALICE_JOBS.length);
    assert.match(lines[0]!, new RegExp(`^${personal}\\s+a-1\\s+finished 100%\\s+NDVI 2024\\s+created 2025-01-01T10:00:00Z\\s+costs 12.5$`));
    assert.match(lines[2]!, /a-3\s+queued\s+\(untitled\)/);

    const fresh = mkdtempSync(join(tmpdir(), 'oat-e2e-home-'));
    try {
      const none = await runCli(['jobs'], { env: { ...env, OPENEO_AUTH_TRAY_HOME: fresh } });
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout, 'No batch jobs.\n');
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('without an id, a login that needs a new sign-in does not hide the jobs of the others', async () => {
    // A service account and a personal login whose refresh token the IdP does not know.
    const other = mkdtempSync(join(tmpdir(), 'oat-e2e-home-'));
    try {
      const otherEnv = { ...env, OPENEO_AUTH_TRAY_HOME: other };
      const svc = await runCli(['login', backend.url, '--flow', 'client-credentials', '--client-id', idp.serviceClient.id, '--client-secret-stdin', '--json'], {
        env: otherEnv,
        input: idp.serviceClient.secret,
      });
      assert.equal(svc.code, 0, svc.stderr);
      const svcId = idOf(svc.stdout);
      let approval: Promise<void> | undefined;
      const login = await runCli(['login', backend.url, '--json', '--no-browser'], {
        env: otherEnv,
        onStdoutLine: (line) => {
          const event = JSON.parse(line) as { event: string; verification_uri_complete?: string };
          if (event.event === 'device_authorization') approval = approveDevice(event.verification_uri_complete!);
        },
      });
      await approval;
      assert.equal(login.code, 0, login.stderr);
      const expiring = idOf(login.stdout);
      // Its tokens are gone from the IdP's point of view: the refresh token is unknown there.
      await secrets.set(secretKey(expiring, 'refresh_token'), 'a-refresh-token-the-idp-does-not-know');
      await secrets.delete(secretKey(expiring, 'access_token'));

      const run = await runCli(['jobs', '--json'], { env: otherEnv });
      const rows = JSON.parse(run.stdout || '[]') as JobRow[];
      assert.deepEqual(rows.map((j) => `${j.identity}:${j.id}`), [`${svcId}:s-1`], `the service account's jobs are listed; stderr: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`${expiring}.*(sign in again|expired)`, 'i'), 'the dead login is named');
      assert.equal(run.code, 3, 'the exit code still says a login needs a new sign-in');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
