/**
 * Jobs: the batch jobs of one account, newest first — status, progress, times and costs with
 * their unit — and per job its details: the backend's logs, and once it has finished the signed
 * links to its results. This matters most for service accounts, whose jobs no web editor shows.
 */
import type { BatchJob, JobDetails, JobList, Navigation } from '../../shared/api.ts';
import { breakable, h, replace, uid } from '../dom.ts';
import { announceFailure, loading, onAction, problemBox } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { currentPage, navigate, pageFrame, type PageView } from '../router.ts';
import { identityPicker } from './identity-picker.ts';
import { costWords, formatDateTime, progressWords, type Tone } from '../words.ts';

const STATUS_TONE: Record<BatchJob['status'], Tone> = {
  created: 'neutral', queued: 'info', running: 'info', canceled: 'neutral', finished: 'ok', error: 'bad',
};
const LEVEL_TONE: Record<string, Tone> = { error: 'bad', warning: 'warn', info: 'neutral', debug: 'neutral' };

function when(text: string | undefined): string | null {
  if (!text) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? text : formatDateTime(at);
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
        entry.time ? h('span', { class: 'muted log-time' }, when(entry.time)) : null,
        h('p', { class: 'log-message' }, entry.message))));
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
    details.job.description ? h('p', { class: 'job-description' }, details.job.description) : null,
    logsSection(details.logs),
    resultsSection(details.results));
}

function jobItem(identityId: string, job: BatchJob, currency: string | null): HTMLElement {
  const created = when(job.created);
  const updated = when(job.updated);
  const progress = progressWords(job.status, job.progress);
  const detailsId = uid('job-details');
  const details = h('div', { id: detailsId, class: 'job-details-slot', hidden: true });
  const toggle = h('button', { type: 'button', class: 'btn small', 'aria-expanded': 'false', 'aria-controls': detailsId }, 'Details');
  let loaded = false;
  onAction(toggle, 'Loading…', async () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    details.hidden = !open;
    if (!open || loaded) return;
    replace(details, loading('Loading the job’s logs and results…'));
    const result = await window.openeoAuth.getJob(identityId, job.id);
    if (result.ok) {
      loaded = true;
      replace(details, detailsView(result.value));
    } else {
      const retry = onAction(h('button', { type: 'button', class: 'btn small' }, 'Try again'), 'Loading…', async () => {
        toggle.setAttribute('aria-expanded', 'false');
        toggle.click();
      });
      replace(details, problemBox(result, retry));
    }
  });
  const titleId = uid('job');
  return h('li', { class: 'job', 'aria-labelledby': titleId },
    h('div', { class: 'job-head' },
      h('div', { class: 'job-name' },
        h('h3', { id: titleId }, job.title ?? h('code', {}, breakable(job.id))),
        job.title ? h('span', { class: 'job-id' }, breakable(job.id)) : null),
      h('span', { class: `pill tone-${STATUS_TONE[job.status] ?? 'neutral'}` }, job.status)),
    typeof job.progress === 'number' && (job.status === 'running' || job.status === 'queued')
      ? h('meter', { class: 'job-progress', min: '0', max: '100', value: String(job.progress), 'aria-label': `Progress of ${job.title ?? job.id}` })
      : null,
    h('dl', { class: 'job-facts' },
      progress ? fact('Progress', progress) : null,
      created ? fact('Created', created) : null,
      updated ? fact('Updated', updated) : null,
      fact('Costs', typeof job.costs === 'number' ? costWords(job.costs, currency) : 'not given')),
    h('div', { class: 'actions' }, toggle),
    details);
}

function jobsList(identityId: string, list: JobList): HTMLElement {
  const sorted = [...list.jobs].sort((a, b) => b.created.localeCompare(a.created));
  return h('div', {},
    list.currency === null && list.jobs.some((j) => typeof j.costs === 'number')
      ? h('p', { class: 'muted small' }, 'The backend does not say in which unit it counts costs.')
      : null,
    h('ul', { class: 'jobs', 'aria-label': 'Batch jobs, newest first' }, ...sorted.map((job) => jobItem(identityId, job, list.currency))));
}

/** The Jobs page. */
export function jobsPage(): PageView {
  const reload = h('button', { type: 'button', class: 'btn' }, 'Reload');
  const frame = pageFrame('Jobs', reload);
  const content = h('div', { class: 'stack' });
  let selected: string | undefined;
  let request = 0;
  const picker = identityPicker((identityId) => void load(identityId));
  replace(frame.body, picker.root, content);
  onAction(reload, 'Loading…', () => load(selected));

  async function load(identityId: string | undefined): Promise<void> {
    selected = identityId;
    const mine = ++request;
    reload.hidden = !identityId;
    if (!identityId) {
      const add = h('button', { type: 'button', class: 'btn primary' }, 'Add account');
      add.addEventListener('click', () => navigate({ page: 'add' }));
      return replace(content, h('div', { class: 'empty' }, h('h2', {}, 'No accounts yet'), h('p', {}, 'Jobs are listed per account. Add an account first.'), add));
    }
    replace(content, loading('Loading jobs…'));
    const result = await window.openeoAuth.listJobs(identityId, { limit: 100 });
    if (mine !== request) return;
    if (!result.ok) {
      const retry = onAction(h('button', { type: 'button', class: 'btn' }, 'Try again'), 'Loading…', () => load(identityId));
      return replace(content, problemBox(result, retry));
    }
    replace(content, result.value.jobs.length === 0
      ? h('div', { class: 'empty' }, h('h2', {}, 'No batch jobs'), h('p', {}, 'This account has not run any batch jobs on this backend yet.'))
      : jobsList(identityId, result.value));
  }

  identityStore.subscribe(() => {
    const before = selected;
    const after = picker.update(identityStore.list, selected);
    if (after !== before && currentPage() === 'jobs') void load(after);
  });
  return {
    root: frame.root,
    heading: frame.heading,
    show(to: Navigation) {
      void load(picker.update(identityStore.list, to.identityId ?? selected));
    },
  };
}
