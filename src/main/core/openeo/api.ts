/**
 * openEO calls made with a login: the bearer value, `GET /me` and `GET /jobs`.
 * A token the backend refuses (401, or 403 `TokenInvalid`) is AuthTrayError `TOKEN_INVALID`
 * (see http-failure.ts); the bearer never appears in a message, even when a backend echoes it.
 */
import { AuthTrayError } from '../errors.ts';
import type { BatchJob, JobStatus, OpenEoUser } from '../../../shared/model.ts';
import { capText } from '../../../shared/format/peer-text.ts';
import { describePeer } from '../net/http-failure.ts';
import { getJson, type HttpDeps } from '../net/http.ts';
import {
  expectArray,
  expectRecord,
  expectString,
  isRecord,
  lenientLinks,
  lenientNumber,
  lenientString,
  MAX_DISPLAY_TEXT,
  withShapeCheck,
} from './validate.ts';

/** Pages of `GET /jobs` followed at most, so a looping or endless `next` cannot hold us. */
export const DEFAULT_MAX_JOB_PAGES = 20;

export { openEoBearer } from './bearer.ts';

function authorization(bearer: string): Record<string, string> {
  return { Authorization: `Bearer ${bearer}` };
}

/**
 * `GET /me`. `user_id` is required; display fields of the wrong type are left out rather than
 * failing the call (a status line is better than none).
 */
export async function getMe(apiUrl: string, bearer: string, deps: HttpDeps = {}): Promise<OpenEoUser> {
  const res = await getJson(`${apiUrl}/me`, { ...deps, peer: 'backend', headers: authorization(bearer) });
  return parseMe(res.body, describePeer('backend', new URL(res.url)));
}

export function parseMe(body: unknown, source = 'the backend'): OpenEoUser {
  return withShapeCheck(
    () => {
      const doc = expectRecord(body, 'the document');
      const user: OpenEoUser = {
        // Kept in the settings file and matched on: at most 512 characters, no control characters.
        userId: expectString(doc['user_id'], 'user_id', { nonEmpty: true, maxLength: 512, noControls: true }),
        links: lenientLinks(doc['links']),
      };
      const name = lenientString(doc['name']);
      const plan = lenientString(doc['default_plan']);
      if (name !== undefined) user.name = name;
      if (plan !== undefined) user.defaultPlan = plan;
      if (doc['budget'] === null) user.budget = null;
      else {
        const budget = lenientNumber(doc['budget']);
        if (budget !== undefined) user.budget = budget;
      }
      const storage = doc['storage'];
      if (isRecord(storage)) {
        const free = lenientNumber(storage['free']);
        const quota = lenientNumber(storage['quota']);
        if (free !== undefined && quota !== undefined) user.storage = { free, quota };
      }
      return user;
    },
    { source, document: 'account information (GET /me)' },
  );
}

const KNOWN_STATUS: ReadonlySet<string> = new Set<JobStatus>(['created', 'queued', 'running', 'canceled', 'finished', 'error']);

/** Spellings seen outside the spec, mapped to the spec's word. */
const STATUS_ALIASES: Readonly<Record<string, JobStatus>> = {
  submitted: 'queued',
  pending: 'queued',
  cancelled: 'canceled',
  done: 'finished',
  failed: 'error',
};

/** A listed job; `reportedStatus` keeps the backend's word when it was not one of the spec's. */
export interface ListedBatchJob extends BatchJob {
  reportedStatus?: string;
}

/**
 * A status for a job. Unknown words map to `running`: never to a final state, so nothing
 * announces "finished" or "failed" on a guess.
 */
export function jobStatus(raw: unknown): { status: JobStatus; reported?: string } {
  if (raw === undefined || raw === null) return { status: 'created' }; // the spec's default
  // Not String(raw) on anything: JSON such as {"toString": 0} makes it throw.
  const text = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : `(${typeof raw})`;
  const word = text.trim().toLowerCase();
  if (KNOWN_STATUS.has(word)) return { status: word as JobStatus };
  return { status: (Object.hasOwn(STATUS_ALIASES, word) ? STATUS_ALIASES[word] : undefined) ?? 'running', reported: text.slice(0, 40) };
}

/** One entry of `GET /jobs`; `id` is required, display fields of the wrong type are left out. */
export function parseJob(item: unknown, at = 'job', source = 'the backend'): ListedBatchJob {
  return withShapeCheck(() => readJob(item, at), { source, document: 'a batch job' });
}

function readJob(item: unknown, at: string): ListedBatchJob {
  const o = expectRecord(item, at);
  const { status, reported } = jobStatus(o['status']);
  const job: ListedBatchJob = {
    id: capText(expectString(o['id'], `${at}.id`, { nonEmpty: true }), MAX_DISPLAY_TEXT),
    status,
    created: lenientString(o['created']) ?? '',
  };
  if (reported !== undefined) job.reportedStatus = reported;
  const title = lenientString(o['title']);
  const updated = lenientString(o['updated']);
  const plan = lenientString(o['plan']);
  const progress = lenientNumber(o['progress']);
  const costs = lenientNumber(o['costs']);
  if (title !== undefined) job.title = title;
  if (updated !== undefined) job.updated = updated;
  if (plan !== undefined) job.plan = plan;
  if (progress !== undefined && progress >= 0 && progress <= 100) job.progress = progress;
  if (costs !== undefined) job.costs = costs;
  return job;
}

/**
 * `GET /jobs`, following `next` links (same origin as `apiUrl` only, at most `maxPages`, no page
 * twice). A job listed on two pages is kept once. `limit` asks for pages of that size (the spec's
 * optional pagination); without it the backend decides.
 * @throws AuthTrayError `TOKEN_INVALID`, `BACKEND_*`, `LOGIN_CANCELLED`.
 */
export async function listJobs(
  apiUrl: string,
  bearer: string,
  deps: HttpDeps & { maxPages?: number; limit?: number } = {},
): Promise<ListedBatchJob[]> {
  const { maxPages = DEFAULT_MAX_JOB_PAGES, limit, ...http } = deps;
  const origin = new URL(apiUrl).origin;
  const jobs = new Map<string, ListedBatchJob>();
  const visited = new Set<string>();
  let next: string | undefined = firstPageUrl(apiUrl, limit);
  while (next !== undefined && visited.size < maxPages && !visited.has(next)) {
    visited.add(next);
    const page = await readJobsPage(next, bearer, http, origin);
    for (const job of page.jobs) if (!jobs.has(job.id)) jobs.set(job.id, job);
    next = page.next ?? undefined;
  }
  return [...jobs.values()];
}

/**
 * One page of `GET /jobs`, for a person paging through: the first (`limit` jobs at most), or the
 * one `next` names — a link the backend gave with the previous page, followed only into this
 * login's own API, where its bearer may go. Returns the page's jobs (each once) and its `next` link.
 * @throws AuthTrayError `INVALID_ARGUMENT` for a `next` outside the API, and as {@link listJobs}.
 */
export async function listJobsPage(
  apiUrl: string,
  bearer: string,
  page: { limit: number; next?: string },
  deps: HttpDeps = {},
): Promise<{ jobs: ListedBatchJob[]; next: string | null }> {
  const api = new URL(apiUrl);
  let url = firstPageUrl(apiUrl, page.limit);
  if (page.next !== undefined) {
    const target = URL.canParse(page.next) ? new URL(page.next) : null;
    if (!target || target.origin !== api.origin || !`${target.pathname}/`.startsWith(`${api.pathname.replace(/\/$/, '')}/jobs/`)) {
      throw new AuthTrayError('INVALID_ARGUMENT', 'That page of jobs is not on this account’s backend, so it was not asked for.', {
        nextStep: 'Reload the list of jobs.',
      });
    }
    url = target.href;
  }
  const read = await readJobsPage(url, bearer, deps, api.origin);
  const seen = new Set<string>();
  return { jobs: read.jobs.filter((j) => !seen.has(j.id) && seen.add(j.id)), next: read.next };
}

function firstPageUrl(apiUrl: string, limit: number | undefined): string {
  return limit === undefined ? `${apiUrl}/jobs` : `${apiUrl}/jobs?limit=${Math.max(1, Math.floor(limit))}`;
}

async function readJobsPage(url: string, bearer: string, http: HttpDeps, origin: string): Promise<{ jobs: ListedBatchJob[]; next: string | null }> {
  const res = await getJson(url, { ...http, peer: 'backend', headers: authorization(bearer) });
  const here = new URL(res.url);
  const page = withShapeCheck(
    () => {
      const doc = expectRecord(res.body, 'the document');
      return { jobs: expectArray(doc['jobs'], 'jobs').map((j, i) => readJob(j, `jobs[${i}]`)), links: lenientLinks(doc['links']) };
    },
    { source: describePeer('backend', here), document: 'a list of batch jobs (GET /jobs)' },
  );
  return { jobs: page.jobs, next: nextPage(page.links, here, origin) ?? null };
}

function nextPage(links: Array<{ href: string; rel?: string }>, here: URL, origin: string): string | undefined {
  const link = links.find((l) => l.rel === 'next');
  if (link === undefined) return undefined;
  let target: URL;
  try {
    target = new URL(link.href, here);
  } catch (cause) {
    throw new AuthTrayError('BACKEND_INVALID_RESPONSE', `The openEO backend at ${here.host} gave an invalid address for the next page of jobs.`, {
      cause,
      nextStep: 'This is a problem of the backend; tell its operators.',
    });
  }
  if (target.origin !== origin) {
    // The bearer must never be sent to a host the user did not sign in for.
    throw new AuthTrayError('BACKEND_INVALID_RESPONSE', `The openEO backend at ${here.host} pointed the next page of jobs to another host (${target.host}); the app does not follow it.`, {
      nextStep: 'This is a problem of the backend; tell its operators.',
    });
  }
  return target.href;
}
