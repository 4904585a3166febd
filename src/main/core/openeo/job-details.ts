/**
 * One batch job in full, for the window's job view: `GET /jobs/{id}` (times, progress, costs),
 * its logs (`GET /jobs/{id}/logs`, first page) and, once it has finished, its results
 * (`GET /jobs/{id}/results`): the signed `canonical` link and the assets' signed download links,
 * which a browser can open without the bearer token. Plus the backend's billing currency from
 * `GET /`, the unit of every `costs` and `budget`.
 *
 * Everything a backend sends is display text here: control characters removed, lengths capped,
 * and only `https:` (or loopback `http:`) links kept.
 */
import { capText, stripControls } from '../../../shared/format/peer-text.ts';
import type { BatchJob, JobLogEntry, JobLogLevel, JobResults } from '../../../shared/model.ts';
import { isOpenableUrl } from '../external-url.ts';
import { parseJob } from './api.ts';
import { describePeer } from '../net/http-failure.ts';
import { getJson, type HttpDeps } from '../net/http.ts';
import { expectArray, expectRecord, isRecord, lenientLinks, lenientString, withShapeCheck } from './validate.ts';

/** Log entries shown at most (the first page); the rest stays on the backend. */
export const MAX_LOG_ENTRIES = 100;
/** Result assets listed at most. */
export const MAX_RESULT_ASSETS = 50;
const MAX_MESSAGE = 2000;
const MAX_TITLE = 200;

const LEVELS: ReadonlySet<string> = new Set<JobLogLevel>(['error', 'warning', 'info', 'debug']);

function authorization(bearer: string): Record<string, string> {
  return { Authorization: `Bearer ${bearer}` };
}

/**
 * Peer text made safe to show: capped first (no regex over more than `max` + 1 characters), then
 * line breaks kept and every other control or invisible format character replaced.
 */
export function peerText(text: string, max: number): string {
  const capped = capText(text, max + 1);
  const clean = capped.split(/\r\n?|\n/).map(stripControls).join('\n').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1).trimEnd()}…`;
}

function jobUrl(apiUrl: string, jobId: string, tail = ''): string {
  return `${apiUrl}/jobs/${encodeURIComponent(jobId)}${tail}`;
}

/** `GET /jobs/{job_id}`: the job's metadata, with its description when it has one. */
export async function getJob(apiUrl: string, bearer: string, jobId: string, deps: HttpDeps = {}): Promise<BatchJob & { description?: string }> {
  const res = await getJson(jobUrl(apiUrl, jobId), { ...deps, peer: 'backend', headers: authorization(bearer) });
  const source = describePeer('backend', new URL(res.url));
  const { reportedStatus: _reported, ...job } = parseJob(res.body, 'the job', source);
  const description = isRecord(res.body) ? lenientString(res.body['description']) : undefined;
  const out: BatchJob & { description?: string } = { ...job };
  if (out.title !== undefined) out.title = peerText(out.title, MAX_TITLE);
  if (description) out.description = peerText(description, MAX_MESSAGE);
  return out;
}

/** The first page of `GET /jobs/{job_id}/logs` (at most {@link MAX_LOG_ENTRIES} entries). */
export async function getJobLogs(apiUrl: string, bearer: string, jobId: string, deps: HttpDeps = {}): Promise<{ entries: JobLogEntry[]; more: boolean }> {
  const res = await getJson(jobUrl(apiUrl, jobId, `/logs?limit=${MAX_LOG_ENTRIES}`), { ...deps, peer: 'backend', headers: authorization(bearer) });
  return withShapeCheck(() => {
    const doc = expectRecord(res.body, 'the document');
    const items = expectArray(doc['logs'], 'logs');
    const entries: JobLogEntry[] = [];
    for (const item of items.slice(0, MAX_LOG_ENTRIES)) {
      if (!isRecord(item)) continue;
      const message = lenientString(item['message']);
      if (message === undefined) continue;
      const level = lenientString(item['level'])?.toLowerCase();
      const entry: JobLogEntry = { level: level && LEVELS.has(level) ? (level as JobLogLevel) : 'info', message: peerText(message, MAX_MESSAGE) };
      const time = lenientString(item['time']);
      if (time !== undefined && !Number.isNaN(Date.parse(time))) entry.time = time;
      entries.push(entry);
    }
    const more = items.length > MAX_LOG_ENTRIES || lenientLinks(doc['links']).some((l) => l.rel === 'next');
    return { entries, more };
  }, { source: describePeer('backend', new URL(res.url)), document: 'batch job logs (GET /jobs/{job_id}/logs)' });
}

/**
 * `GET /jobs/{job_id}/results`: the signed links a browser can open without the bearer token —
 * the `canonical` link to the whole result and each asset's `href` — keeping only https ones.
 */
export async function getJobResults(apiUrl: string, bearer: string, jobId: string, deps: HttpDeps = {}): Promise<JobResults> {
  const res = await getJson(jobUrl(apiUrl, jobId, '/results'), { ...deps, peer: 'backend', headers: authorization(bearer) });
  return withShapeCheck(() => {
    const doc = expectRecord(res.body, 'the document');
    const canonical = lenientLinks(doc['links']).find((l) => l.rel === 'canonical' && isOpenableUrl(l.href))?.href ?? null;
    const assets: JobResults['assets'] = [];
    const raw = doc['assets'];
    if (isRecord(raw)) {
      for (const [key, value] of Object.entries(raw)) {
        if (assets.length >= MAX_RESULT_ASSETS) break;
        if (!isRecord(value)) continue;
        const href = lenientString(value['href']);
        if (href === undefined || !isOpenableUrl(href)) continue;
        const asset: JobResults['assets'][number] = { title: peerText(lenientString(value['title']) ?? key, MAX_TITLE), href };
        const type = lenientString(value['type']);
        if (type !== undefined) asset.type = peerText(type, 100);
        assets.push(asset);
      }
    }
    const expires = lenientString(doc['expires']);
    return { canonical, assets, ...(expires !== undefined && !Number.isNaN(Date.parse(expires)) ? { expires } : {}) };
  }, { source: describePeer('backend', new URL(res.url)), document: 'batch job results (GET /jobs/{job_id}/results)' });
}

/** What `GET /` says about billing and where the backend describes itself. */
export interface BackendFacts {
  /** `billing.currency` ("EUR", "credits"); null when the backend names none. */
  currency: string | null;
  /** The `about` link of the capabilities (the service's own description), https only. */
  aboutUrl: string | null;
}

/**
 * Reads {@link BackendFacts} from the capabilities. Fields of the wrong type count as not given.
 * @throws AuthTrayError when the backend cannot be read at all (as {@link getJson}).
 */
export async function getBackendFacts(apiUrl: string, deps: HttpDeps = {}): Promise<BackendFacts> {
  const res = await getJson(`${apiUrl}/`, { ...deps, peer: 'backend' });
  const doc = isRecord(res.body) ? res.body : {};
  const billing = doc['billing'];
  const currency = isRecord(billing) ? lenientString(billing['currency']) : undefined;
  const about = lenientLinks(doc['links']).find((l) => l.rel === 'about' && isOpenableUrl(l.href))?.href ?? null;
  return { currency: currency?.trim() ? peerText(currency, 40) : null, aboutUrl: about };
}
