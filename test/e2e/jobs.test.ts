/**
 * `jobs [<id>] [--json]` end to end against the fixture backend's per-user batch jobs: a
 * personal login and a service account (whose jobs are separate), pages followed through `next`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { secretKey } from '../../src/shared/model.ts';
import { signIn, signInService, startSharedCliWorld, type SharedCliWorld } from './cli-harness.ts';

const secrets = createKeytarSecretStore();

interface JobRow { identity: string; id: string; title: string | null; status: string; progress: number | null; created: string; updated: string | null; costs: number | null }

let world: SharedCliWorld;
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

async function jobsJson(args: string[]): Promise<JobRow[]> {
  const run = await runCli(['jobs', ...args, '--json'], { env });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as JobRow[];
}

before(async () => {
  world = await startSharedCliWorld();
  ({ env } = world.newHome());
  personal = await signIn(world.on(env));
  service = await signInService(world.on(env));
  const rows = JSON.parse((await runCli(['status', '--json'], { env })).stdout) as Array<{ id: string; user_id: string }>;
  serviceUserId = rows.find((r) => r.id === service)!.user_id;
  assert.ok(serviceUserId && serviceUserId !== 'alice', `the service account is a user of its own: ${serviceUserId}`);

  for (const job of ALICE_JOBS) world.backend.addJob('alice', { ...job });
  world.backend.addJob(serviceUserId, { id: 's-1', title: 'Nightly export', status: 'running', progress: 5, created: '2025-02-01T00:00:00Z' });
});

after(() => world?.stop());

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

  test('pages are followed through the "next" links', async (t) => {
    // The fixture pages only when asked for a limit, which the CLI does not send; so its first
    // page is served as a backend that pages by itself would, pointing at the fixture's paging.
    // (`/jobs/` with a slash reaches the fixture's own handler, past this override.)
    const { backend } = world;
    backend.override('GET', '/openeo/1.2/jobs', {
      body: { jobs: ALICE_JOBS.slice(0, 2), links: [{ rel: 'next', href: `${world.backend.apiUrl}/jobs/?limit=2&offset=2` }] },
    });
    t.after(() => world.backend.override('GET', '/openeo/1.2/jobs', null));
    const before = world.backend.requests.length;
    const jobs = await jobsJson([personal]);
    assert.deepEqual(jobs.map((j) => j.id), ['a-1', 'a-2', 'a-3', 'a-4']);
    const paths = world.backend.requests.slice(before).map((r) => r.path).filter((p) => p.includes('/jobs'));
    assert.deepEqual(paths, ['/openeo/1.2/jobs', '/openeo/1.2/jobs/?limit=2&offset=2']);
  });

  test('the human listing: one line per job; none says so', async () => {
    const run = await runCli(['jobs', personal], { env });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, ALICE_JOBS.length);
    assert.match(lines[0]!, new RegExp(`^${personal}\\s+a-1\\s+finished 100%\\s+NDVI 2024\\s+created 2025-01-01T10:00:00Z\\s+costs 12.5$`));
    assert.match(lines[2]!, /a-3\s+queued\s+\(untitled\)/);

    const none = await runCli(['jobs'], { env: world.newHome().env });
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'No batch jobs.\n');
  });

  test('without an id, a login that needs a new sign-in does not hide the jobs of the others', async () => {
    // A service account and a personal login whose refresh token the IdP does not know.
    const { env: otherEnv } = world.newHome();
    const svcId = await signInService(world.on(otherEnv));
    const expiring = await signIn(world.on(otherEnv));
    // Its tokens are gone from the IdP's point of view: the refresh token is unknown there.
    await secrets.set(secretKey(expiring, 'refresh_token'), 'a-refresh-token-the-idp-does-not-know');
    await secrets.delete(secretKey(expiring, 'access_token'));

    const run = await runCli(['jobs', '--json'], { env: otherEnv });
    const rows = JSON.parse(run.stdout || '[]') as JobRow[];
    assert.deepEqual(rows.map((j) => `${j.identity}:${j.id}`), [`${svcId}:s-1`], `the service account's jobs are listed; stderr: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`${expiring}.*(sign in again|expired)`, 'i'), 'the dead login is named');
    assert.equal(run.code, 3, 'the exit code still says a login needs a new sign-in');
  });
});
