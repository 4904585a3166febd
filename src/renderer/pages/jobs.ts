/**
 * Jobs: one account's batch jobs, newest first, a page at a time as the backend pages them
 * (`limit`, then its `next` link: "Load more jobs"); a search by title or id and a filter by
 * status over the jobs loaded; running and queued jobs asked about again while the page is in
 * view, less often while nothing changes (../job-refresh.ts). One retry action at a time: Refresh
 * over a list, Try again over a failure. This matters most for service accounts, whose jobs no web
 * editor shows.
 */
import type { BatchJob, Navigation } from '../../shared/api.ts';
import { MAX_REFRESH_JOBS } from '../../shared/limits.ts';
import { h, replace, rerenderKeepingFocus, uid } from '../dom.ts';
import { announce, loading, onAction, problemBox } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { currentPage, navigate, pageFrame, type PageView } from '../router.ts';
import { jobRefresher, type RefreshOutcome } from '../job-refresh.ts';
import { windowTimers } from '../timers.ts';
import { JOB_STATUS_WORDS, counted, jobsShownWords } from '../words.ts';
import { accountSwitcher } from './account-switcher.ts';
import { jobView, type JobView } from './job-item.ts';

/** Jobs asked for per page. */
export const JOBS_PAGE_SIZE = 20;

type Filter = 'all' | 'active' | BatchJob['status'];
const FILTERS: ReadonlyArray<{ value: Filter; label: string; matches: (s: BatchJob['status']) => boolean }> = [
  { value: 'all', label: 'All statuses', matches: () => true },
  { value: 'active', label: 'Running or queued', matches: (s) => s === 'running' || s === 'queued' },
  { value: 'finished', label: JOB_STATUS_WORDS.finished.label, matches: (s) => s === 'finished' },
  { value: 'error', label: JOB_STATUS_WORDS.error.label, matches: (s) => s === 'error' },
  { value: 'canceled', label: JOB_STATUS_WORDS.canceled.label, matches: (s) => s === 'canceled' },
  { value: 'created', label: JOB_STATUS_WORDS.created.label, matches: (s) => s === 'created' },
];
const isActive = (job: BatchJob): boolean => job.status === 'running' || job.status === 'queued';

/** The Jobs page. */
export function jobsPage(): PageView {
  const reload = h('button', { type: 'button', class: 'btn', hidden: true }, 'Refresh');
  const frame = pageFrame('Jobs', reload);
  const searchId = uid('job-search');
  const filterId = uid('job-filter');
  const search = h('input', { id: searchId, type: 'search', placeholder: 'Title or ID', autocomplete: 'off', spellcheck: 'false', maxlength: 200 });
  const filter = h('select', { id: filterId });
  const tools = h('div', { class: 'job-tools', hidden: true },
    h('div', { class: 'field' }, h('label', { for: searchId }, 'Search'), search),
    h('div', { class: 'field' }, h('label', { for: filterId }, 'Status'), filter));
  const summary = h('p', { class: 'jobs-summary muted', role: 'status' });
  const list = h('ul', { class: 'jobs', 'aria-label': 'Batch jobs, newest first' });
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, 'Load more jobs');
  const content = h('div', { class: 'stack' });
  const switcher = accountSwitcher((identityId) => void load(identityId));
  replace(frame.body, switcher.root, tools, content);

  let selected: string | undefined;
  let request = 0;
  let views = new Map<string, JobView>();
  let currency: string | null = null;
  let next: string | null = null;

  const refresher = jobRefresher({
    timers: windowTimers,
    shouldRun: () => currentPage() === 'jobs' && document.visibilityState === 'visible' && [...views.values()].some((v) => isActive(v.job)),
    refresh: refreshRunning,
  });
  document.addEventListener('visibilitychange', () => refresher.sync());

  function sorted(): JobView[] {
    return [...views.values()].sort((a, b) => b.job.created.localeCompare(a.job.created));
  }

  function renderList(): void {
    const all = sorted();
    const rule = FILTERS.find((f) => f.value === filter.value) ?? FILTERS[0]!;
    const words = search.value.trim().toLowerCase();
    const shown = all.filter((v) => rule.matches(v.job.status)
      && (!words || v.job.id.toLowerCase().includes(words) || (v.job.title ?? '').toLowerCase().includes(words)));
    const count = (f: (typeof FILTERS)[number]): number => all.filter((v) => f.matches(v.job.status)).length;
    const chosen = filter.value || 'all';
    replace(filter, ...FILTERS.map((f) => h('option', { value: f.value, selected: f.value === chosen }, `${f.label} (${count(f)})`)));
    summary.textContent = jobsShownWords(shown.length, all.length, next !== null);
    rerenderKeepingFocus(content, () => {
      if (shown.length === 0) {
        const clear = h('button', { type: 'button', class: 'btn' }, 'Show all jobs');
        clear.addEventListener('click', () => {
          search.value = '';
          filter.value = 'all';
          renderList();
          search.focus();
        });
        replace(list);
        replace(content, summary, h('div', { class: 'empty' }, h('h2', {}, 'No job matches'),
          h('p', {}, words ? `None of the jobs loaded has “${search.value.trim()}” in its title or ID.` : 'None of the jobs loaded has this status.'), clear), more);
        return;
      }
      replace(list, ...shown.map((v) => v.root));
      replace(content, summary, list, more);
    });
    more.hidden = next === null;
  }

  async function refreshRunning(): Promise<RefreshOutcome> {
    const identityId = selected;
    const active = [...views.values()].filter((v) => isActive(v.job)).slice(0, MAX_REFRESH_JOBS);
    if (!identityId || active.length === 0) return 'unchanged';
    const mine = request;
    const result = await window.openeoAuth.refreshJobs(identityId, active.map((v) => v.job.id));
    if (mine !== request) return 'unchanged';
    if (!result.ok) return 'failed';
    let changed = false;
    for (const job of result.value.jobs) changed = (views.get(job.id)?.update(job) ?? false) || changed;
    if (changed) renderList();
    return changed ? 'changed' : 'unchanged';
  }

  function add(jobs: BatchJob[], identityId: string): number {
    let added = 0;
    for (const job of jobs) {
      const known = views.get(job.id);
      if (known) known.update(job);
      else {
        views.set(job.id, jobView(identityId, job, currency));
        added++;
      }
    }
    return added;
  }

  async function load(identityId: string | undefined): Promise<void> {
    selected = identityId;
    const mine = ++request;
    views = new Map();
    next = null;
    reload.hidden = true;
    more.hidden = true;
    if (!identityId) {
      tools.hidden = true;
      const addAccount = h('button', { type: 'button', class: 'btn primary' }, 'Add account');
      addAccount.addEventListener('click', () => navigate({ page: 'add' }));
      return replace(content, h('div', { class: 'empty' }, h('h2', {}, 'No accounts yet'), h('p', {}, 'Jobs are listed per account. Add an account first.'), addAccount));
    }
    replace(content, loading('Loading jobs…'));
    const result = await window.openeoAuth.listJobs(identityId, { limit: JOBS_PAGE_SIZE });
    if (mine !== request) return;
    if (!result.ok) {
      tools.hidden = true;
      const retry = onAction(h('button', { type: 'button', class: 'btn' }, 'Try again'), 'Loading…', () => load(identityId));
      return replace(content, problemBox(result, retry));
    }
    currency = result.value.currency;
    next = result.value.next;
    add(result.value.jobs, identityId);
    reload.hidden = false;
    if (views.size === 0) {
      tools.hidden = true;
      return replace(content, h('div', { class: 'empty' }, h('h2', {}, 'No batch jobs'), h('p', {}, 'This account has not run any batch jobs on this backend yet.')));
    }
    tools.hidden = false;
    renderList();
    refresher.restart();
  }

  async function loadMore(): Promise<void> {
    const identityId = selected;
    if (!identityId || next === null) return;
    const mine = request;
    const result = await window.openeoAuth.listJobs(identityId, { limit: JOBS_PAGE_SIZE, next });
    if (mine !== request) return;
    if (!result.ok) {
      announce(`${result.message} ${result.nextStep ?? ''}`.trim());
      return;
    }
    next = result.value.next;
    const added = add(result.value.jobs, identityId);
    renderList();
    refresher.sync();
    announce(`Loaded ${counted(added, 'more job', 'more jobs')}${next === null ? '; that is all of them' : ''}.`);
  }

  onAction(reload, 'Refreshing…', () => load(selected));
  onAction(more, 'Loading…', loadMore);
  search.addEventListener('input', renderList);
  filter.addEventListener('change', renderList);

  identityStore.subscribe(() => {
    const before = selected;
    const after = switcher.update(identityStore.list, selected);
    if (after !== before && currentPage() === 'jobs') void load(after);
  });
  return {
    root: frame.root,
    heading: frame.heading,
    show(to: Navigation) {
      void load(switcher.update(identityStore.list, to.identityId ?? selected));
    },
  };
}
