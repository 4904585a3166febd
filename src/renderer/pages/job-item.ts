/**
 * One batch job on the Jobs page: its title (wrapping at its separators, however long), its
 * status in words, progress, times and costs — only what the backend gave — and "Details" / "Hide
 * details" for the backend's logs and, once finished, the signed links to its results. The view
 * lives as long as the job is listed: a refresh updates it in place, the details stay open.
 */
import type { BatchJob, JobDetails } from '../../shared/api.ts';
import { breakable, h, replace, uid, wrapLongWords } from '../dom.ts';
import { announceFailure, loading, onAction, problemBox } from '../feedback.ts';
import { JOB_STATUS_WORDS, costWords, formatDateTime, progressWords, type Tone } from '../words.ts';

const LEVEL_TONE: Record<string, Tone> = { error: 'bad', warning: 'warn', info: 'neutral', debug: 'neutral' };

function when(text: string | undefined): string | null {
  if (!text) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : formatDateTime(at);
}

/** One term and its value, kept together when the facts wrap. */
function fact(term: string, value: string): HTMLElement {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function openButton(label: string, url: string, primary = false): HTMLButtonElement {
  return onAction(h('button', { type: 'button', class: primary ? 'btn primary small' : 'btn small' }, label), 'Opening…', async () => {
    const result = await window.openeoAuth.openExternal(url);
    if (!result.ok) announceFailure(result);
  });
}

function logsSection(logs: JobDetails['logs']): HTMLElement {
  const headingId = uid('logs');
  const body = !logs.ok
    ? h('p', { class: 'muted' }, `The backend did not give the logs: ${logs.message}`)
    : logs.entries.length === 0
      ? h('p', { class: 'muted' }, 'The backend has no log entries for this job.')
      : h('ol', { class: 'log', 'aria-labelledby': headingId }, ...logs.entries.map((entry) => h('li', { class: 'log-entry' },
        h('span', { class: `pill small tone-${LEVEL_TONE[entry.level] ?? 'neutral'}` }, entry.level),
        when(entry.time) ? h('span', { class: 'muted log-time' }, when(entry.time)) : null,
        h('p', { class: 'log-message' }, wrapLongWords(entry.message, 24)))));
  return h('section', { class: 'job-part' }, h('h4', { id: headingId }, 'Logs'), body,
    logs.ok && logs.more ? h('p', { class: 'muted small' }, 'The first entries only; the backend keeps more.') : null);
}

function resultsSection(results: JobDetails['results']): HTMLElement | null {
  if (results === null) return null;
  if (!results.ok) return h('section', { class: 'job-part' }, h('h4', {}, 'Results'), h('p', { class: 'muted' }, `The backend did not give the results: ${results.message}`));
  const links = [
    results.canonical ? openButton('Open the results', results.canonical, true) : null,
    ...results.assets.map((asset) => openButton(`Download ${asset.title}`, asset.href)),
  ].filter((b): b is HTMLButtonElement => b !== null);
  const expires = when(results.expires);
  return h('section', { class: 'job-part' }, h('h4', {}, 'Results'),
    ...(links.length
      ? [h('p', { class: 'muted small' }, 'Signed links from the backend: they open in your browser without signing in',
        expires ? `, until ${expires}.` : '.'), h('div', { class: 'actions' }, ...links)]
      : [h('p', { class: 'muted' }, 'The backend gives no links to the results that a browser could open.')]));
}

function detailsView(details: JobDetails): HTMLElement {
  return h('div', { class: 'job-details' },
    details.job.description ? h('p', { class: 'job-description' }, wrapLongWords(details.job.description, 24)) : null,
    logsSection(details.logs),
    resultsSection(details.results));
}

export interface JobView {
  readonly root: HTMLElement;
  job: BatchJob;
  /** Shows the job as the backend has it now; true when anything shown changed. */
  update(job: BatchJob): boolean;
}

const shownOf = (job: BatchJob): string => JSON.stringify([job.title, job.status, job.progress, job.updated, job.costs]);

/** The view of one job of `identityId`'s, whose costs are in `currency`. */
export function jobView(identityId: string, first: BatchJob, currency: string | null): JobView {
  const titleId = uid('job');
  const detailsId = uid('job-details');
  const summary = h('div', { class: 'job-summary' });
  const facts = h('div', { class: 'job-facts-slot' });
  const details = h('div', { id: detailsId, class: 'job-details-slot', hidden: true });
  const toggle = h('button', {
    type: 'button', class: 'btn small', 'aria-expanded': 'false', 'aria-controls': detailsId, 'data-focus-key': `job:${first.id}:details`,
  }, 'Details');
  let loaded = false;
  let asking: Promise<void> | null = null;

  function loadDetails(): Promise<void> {
    asking ??= readDetails().finally(() => { asking = null; });
    return asking;
  }
  async function readDetails(): Promise<void> {
    replace(details, loading('Loading the job’s logs and results…'));
    const result = await window.openeoAuth.getJob(identityId, view.job.id);
    if (result.ok) {
      loaded = true;
      replace(details, detailsView(result.value));
      return;
    }
    const retry = onAction(h('button', { type: 'button', class: 'btn small' }, 'Try again'), 'Loading…', loadDetails);
    replace(details, problemBox(result, retry));
  }
  // Not a busy button: the details say that they are loading, and the toggle closes them at any time.
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Hide details' : 'Details';
    details.hidden = !open;
    if (open && !loaded) void loadDetails();
  });

  function render(job: BatchJob): void {
    const status = JOB_STATUS_WORDS[job.status];
    const progress = progressWords(job.status, job.progress);
    const created = when(job.created);
    const updated = job.updated && job.updated !== job.created ? when(job.updated) : null;
    replace(summary,
      h('div', { class: 'job-head' },
        h('h3', { id: titleId }, job.title ? wrapLongWords(job.title) : h('code', {}, breakable(job.id))),
        h('span', { class: `pill tone-${status.tone}` }, status.label)),
      job.title ? h('p', { class: 'job-id' }, breakable(job.id)) : null,
      typeof job.progress === 'number' && (job.status === 'running' || job.status === 'queued')
        ? h('meter', { class: 'job-progress', min: '0', max: '100', value: String(job.progress), 'aria-label': `Progress of ${job.title ?? job.id}` })
        : null);
    replace(facts, h('dl', { class: 'job-facts' },
      progress ? fact('Progress', progress) : null,
      created ? fact('Created', created) : null,
      updated ? fact('Updated', updated) : null,
      typeof job.costs === 'number' ? fact('Costs', costWords(job.costs, currency)) : null));
  }

  const view: JobView = {
    // The facts and the toggle share a line where there is room.
    root: h('li', { class: 'job', 'aria-labelledby': titleId, 'data-job': first.id }, summary, h('div', { class: 'job-foot' }, facts, toggle), details),
    job: first,
    update(job) {
      const changed = shownOf(job) !== shownOf(view.job);
      const statusChanged = job.status !== view.job.status;
      view.job = job;
      if (!changed) return false;
      render(job);
      // New logs or results come with a new status: read them again when next shown (now, if open).
      if (statusChanged && loaded) {
        loaded = false;
        if (!details.hidden) void loadDetails();
      }
      return true;
    },
  };
  render(first);
  return view;
}
