import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getMe, jobStatus, listJobs, listJobsPage, openEoBearer, parseJob, parseMe } from '../../../src/main/core/openeo/api.ts';
import { localServers, routes, sendJson } from '../../helpers/local-server.ts';
import { rejectsWith, specExamples, throwsWith } from './support.ts';

const serve = localServers();

/** Short and opaque on purpose: redaction by pattern would not catch it, only scrubbing does. */
const TOKEN = 'tok-Abc123';
const BEARER = openEoBearer({ providerId: 'CDSE', jwtBearer: false }, TOKEN);

test('openEoBearer: oidc/<provider>/<token>, or the raw token for JWT backends', () => {
  assert.equal(BEARER, 'oidc/CDSE/tok-Abc123');
  assert.equal(openEoBearer({ providerId: 'CDSE', jwtBearer: true }, 'eyJ.x.y'), 'eyJ.x.y');
});

describe('GET /me', () => {
  test('parses the spec fields; the links example of the spec is kept', () => {
    const me = parseMe({ user_id: 'john_doe', name: 'John', default_plan: 'free', budget: 12.5, storage: { free: 1, quota: 2 }, links: specExamples.meLinks });
    assert.equal(me.userId, 'john_doe');
    assert.equal(me.name, 'John');
    assert.equal(me.defaultPlan, 'free');
    assert.equal(me.budget, 12.5);
    assert.deepEqual(me.storage, { free: 1, quota: 2 });
    assert.equal(me.links.length, 5);
    assert.deepEqual(me.links[0], { href: 'https://openeo.example/john_doe/payment/', rel: 'payment' });
  });

  test('budget null stays null, absent stays absent; ill-typed display fields are left out', () => {
    assert.equal(parseMe({ user_id: 'u', budget: null }).budget, null);
    assert.equal('budget' in parseMe({ user_id: 'u' }), false);
    const me = parseMe({ user_id: 'u', name: 42, budget: '12', storage: { free: 1 }, links: [{ rel: 'x' }, 'y'] });
    assert.deepEqual(me, { userId: 'u', links: [] });
  });

  test('a missing user_id names the field', () => {
    const e = throwsWith(() => parseMe({ name: 'x' }), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /GET \/me.*user_id must be a text/);
  });

  test('sends the bearer; a refused token is TOKEN_INVALID and no message contains it', async () => {
    const s = await serve(routes({
      '/ok/me': (req, res) => sendJson(res, 200, { user_id: req.headers.authorization === `Bearer ${BEARER}` ? 'alice' : 'wrong' }),
      '/expired/me': (req, res) => sendJson(res, 403, { code: 'TokenInvalid', message: `Invalid: ${req.headers.authorization} / ${TOKEN}` }),
    }));
    assert.equal((await getMe(`${s.url}/ok`, BEARER)).userId, 'alice');
    const e = await rejectsWith(getMe(`${s.url}/expired`, BEARER), 'TOKEN_INVALID');
    const everything = JSON.stringify({ m: e.message, n: e.nextStep, j: e.toJSON(), s: e.sentence, str: String(e) });
    assert.ok(!everything.includes(TOKEN), everything);
    assert.ok(!everything.includes('Abc123'), everything);
  });
});

test('no error from any misbehaving answer contains the token, even when the backend echoes it', async () => {
  const s = await serve((req, res) => {
    const status = Number(req.url?.split('/')[1]);
    const echo = `${req.headers.authorization} ${TOKEN}`;
    if (status === 200) { res.writeHead(200, { 'content-type': 'text/html' }); res.end(`<p>${echo}</p>`); return; }
    if (status === 201) { res.writeHead(200, { 'content-type': 'application/json' }); res.end(`{"user": "${echo}"`); return; }
    if (status === 202) { sendJson(res, 200, { user_id: 7, name: echo }); return; }
    sendJson(res, status, { code: echo, message: echo }, { 'retry-after': '5' });
  });
  for (const status of [200, 201, 202, 400, 401, 403, 404, 429, 500, 503]) {
    let error: unknown;
    try {
      await getMe(`${s.url}/${status}`, BEARER);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof Error, `status ${status} should fail`);
    const { nextStep, code } = error as { nextStep?: string; code?: string };
    const text = `${error.message} ${nextStep ?? ''}`;
    assert.ok(code, `status ${status}: an AuthTrayError`);
    assert.ok(!text.includes('Abc123'), `status ${status}: ${text}`);
  }
});

describe('jobs', () => {
  test('status words: the spec’s kept, known variants mapped, unknown ones never final', () => {
    assert.deepEqual(jobStatus('finished'), { status: 'finished' });
    assert.deepEqual(jobStatus('FINISHED'), { status: 'finished' });
    assert.deepEqual(jobStatus(undefined), { status: 'created' });
    assert.deepEqual(jobStatus('cancelled'), { status: 'canceled', reported: 'cancelled' });
    assert.deepEqual(jobStatus('submitted'), { status: 'queued', reported: 'submitted' });
    assert.deepEqual(jobStatus('exploding'), { status: 'running', reported: 'exploding' });
  });

  test('parseJob keeps valid fields and drops ill-typed ones; a job without id names the field', () => {
    const job = parseJob({ id: 'j-1', status: 'running', created: '2025-01-01T00:00:00Z', title: 'NDVI', progress: 150, costs: 'lots', plan: 'free', process: {} }, 'jobs[0]');
    assert.deepEqual(job, { id: 'j-1', status: 'running', created: '2025-01-01T00:00:00Z', title: 'NDVI', plan: 'free' });
    const e = throwsWith(() => parseJob({ status: 'running' }, 'jobs[3]'), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /jobs\[3\]\.id must be a text/);
  });

  test('listJobs follows next links (relative too), keeping each job once', async () => {
    const s = await serve((req, res, srv) => {
      const page = new URL(req.url ?? '/', srv.url).searchParams.get('page') ?? '1';
      if (page === '1') sendJson(res, 200, { jobs: [{ id: 'a', status: 'finished', created: 't' }], links: [{ rel: 'next', href: `${srv.url}/api/jobs?page=2` }] });
      else if (page === '2') sendJson(res, 200, { jobs: [{ id: 'a', status: 'finished', created: 't' }, { id: 'b', status: 'error', created: 't' }], links: [{ rel: 'next', href: 'jobs?page=3' }] });
      else sendJson(res, 200, { jobs: [{ id: 'c', status: 'queued', created: 't' }], links: [{ rel: 'self', href: 'x' }] });
    });
    const jobs = await listJobs(`${s.url}/api`, BEARER);
    assert.deepEqual(jobs.map((j) => `${j.id}:${j.status}`), ['a:finished', 'b:error', 'c:queued']);
    assert.ok(s.hits.every((h) => h.authorization === `Bearer ${BEARER}`));
  });

  test('pagination is bounded: a next link looping back, and maxPages', async () => {
    const loop = await serve((_req, res, srv) => sendJson(res, 200, { jobs: [], links: [{ rel: 'next', href: `${srv.url}/api/jobs` }] }));
    assert.deepEqual(await listJobs(`${loop.url}/api`, BEARER), []);
    assert.equal(loop.hits.length, 1);
    const endless = await serve((req, res, srv) => {
      const n = Number(new URL(req.url ?? '/', srv.url).searchParams.get('n') ?? 0);
      sendJson(res, 200, { jobs: [{ id: `j${n}`, status: 'created', created: 't' }], links: [{ rel: 'next', href: `/api/jobs?n=${n + 1}` }] });
    });
    const jobs = await listJobs(`${endless.url}/api`, BEARER, { maxPages: 4 });
    assert.equal(jobs.length, 4);
    assert.equal(endless.hits.length, 4);
  });

  test('a next link to another host is refused, and that host never sees the bearer', async () => {
    const other = await serve((_req, res) => sendJson(res, 200, { jobs: [], links: [] }), { name: 'localhost' });
    const s = await serve((_req, res) => sendJson(res, 200, { jobs: [], links: [{ rel: 'next', href: `${other.url}/jobs?page=2` }] }));
    const e = await rejectsWith(listJobs(`${s.url}/api`, BEARER), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /another host \(localhost:\d+\)/);
    assert.equal(other.hits.length, 0);
  });

  test('listJobsPage: one page at a time, by the backend\'s limit and its next link; each job once', async () => {
    const s = await serve((req, res, srv) => {
      const q = new URL(req.url ?? '/', srv.url).searchParams;
      const limit = Number(q.get('limit'));
      const offset = Number(q.get('offset') ?? 0);
      const all = ['a', 'b', 'c', 'd', 'e'];
      const jobs = all.slice(offset, offset + limit).map((id) => ({ id, status: 'finished', created: 't' }));
      // A backend that repeats a job within a page: listed once.
      if (offset === 0) jobs.push({ id: 'a', status: 'finished', created: 't' });
      sendJson(res, 200, { jobs, links: offset + limit < all.length ? [{ rel: 'next', href: `jobs?limit=${limit}&offset=${offset + limit}` }] : [] });
    });
    const first = await listJobsPage(`${s.url}/api`, BEARER, { limit: 2 });
    assert.deepEqual(first.jobs.map((j) => j.id), ['a', 'b']);
    assert.equal(first.next, `${s.url}/api/jobs?limit=2&offset=2`, 'the relative link, made absolute');
    const second = await listJobsPage(`${s.url}/api`, BEARER, { limit: 2, next: first.next });
    assert.deepEqual(second.jobs.map((j) => j.id), ['c', 'd']);
    const last = await listJobsPage(`${s.url}/api`, BEARER, { limit: 2, next: second.next! });
    assert.deepEqual([last.jobs.map((j) => j.id), last.next], [['e'], null]);
    assert.deepEqual(s.hits.map((h) => h.path), ['/api/jobs?limit=2', '/api/jobs?limit=2&offset=2', '/api/jobs?limit=2&offset=4']);
    assert.ok(s.hits.every((h) => h.authorization === `Bearer ${BEARER}`));
  });

  test('listJobsPage follows a next link only into the login\'s own API: another host, port or path never sees the bearer', async () => {
    const other = await serve((_req, res) => sendJson(res, 200, { jobs: [], links: [] }), { name: 'localhost' });
    const s = await serve((_req, res) => sendJson(res, 200, { jobs: [], links: [] }));
    for (const next of [`${other.url}/api/jobs?offset=2`, `${s.url}/api/me`, `${s.url}/api/jobsx`, `${s.url}/other/jobs`, `${s.url}/api/jobs/../me`, 'not a url']) {
      const e = await rejectsWith(listJobsPage(`${s.url}/api`, BEARER, { limit: 2, next }), 'INVALID_ARGUMENT');
      assert.match(e.message, /not on this account’s backend/, next);
    }
    assert.equal(other.hits.length + s.hits.length, 0, 'nothing was asked of anyone');
    await listJobsPage(`${s.url}/api`, BEARER, { limit: 2, next: `${s.url}/api/jobs?page=2` });
    assert.deepEqual(s.hits.map((h) => h.path), ['/api/jobs?page=2']);
  });

  test('a list of the wrong shape, and 401, are clear errors', async () => {
    const s = await serve(routes({
      '/shape/jobs': (_q, res) => sendJson(res, 200, { items: [] }),
      '/auth/jobs': (_q, res) => sendJson(res, 401, { code: 'AuthenticationRequired', message: 'Unauthorized.' }),
    }));
    const e = await rejectsWith(listJobs(`${s.url}/shape`, BEARER), 'BACKEND_INVALID_RESPONSE');
    assert.match(e.message, /GET \/jobs.*jobs must be a list/);
    await rejectsWith(listJobs(`${s.url}/auth`, BEARER), 'TOKEN_INVALID');
  });
});
