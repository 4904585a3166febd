/** Jobs: the batch jobs of one identity (useful for service accounts, which the web editor cannot show). */
import type { BatchJob, Navigation } from '../../shared/api.ts';
import { h, replace } from '../dom.ts';
import { loading, onAction, problemBox } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { currentPage, navigate, pageFrame, type PageView } from '../router.ts';
import { identityPicker } from './identity-picker.ts';
import { formatDateTime, type Tone } from '../words.ts';

const STATUS_TONE: Record<BatchJob['status'], Tone> = {
  created: 'neutral', queued: 'info', running: 'info', canceled: 'neutral', finished: 'ok', error: 'bad',
};

function jobsTable(jobs: BatchJob[]): HTMLElement {
  const number = new Intl.NumberFormat();
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', { class: 'visually-hidden' }, 'Batch jobs, newest first'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Job'), h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col', class: 'num' }, 'Costs'))),
    h('tbody', {}, ...[...jobs].sort((a, b) => b.created.localeCompare(a.created)).map((job) => {
      const created = Date.parse(job.created);
      const progress = job.status === 'running' && typeof job.progress === 'number' ? ` · ${Math.round(job.progress)} %` : '';
      return h('tr', {},
        h('td', {}, job.title ? h('span', {}, job.title) : null, job.title ? h('span', { class: 'job-id' }, job.id) : h('code', {}, job.id)),
        h('td', {}, h('span', { class: `pill tone-${STATUS_TONE[job.status] ?? 'neutral'}` }, job.status), progress),
        h('td', {}, Number.isNaN(created) ? job.created : formatDateTime(created)),
        h('td', { class: 'num' }, typeof job.costs === 'number' ? number.format(job.costs) : '—'));
    }))));
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
    const result = await window.openeoAuth.listJobs(identityId);
    if (mine !== request) return;
    if (!result.ok) return replace(content, problemBox(result));
    replace(content, result.value.length === 0
      ? h('div', { class: 'empty' }, h('h2', {}, 'No batch jobs'), h('p', {}, 'This account has not run any batch jobs on this backend yet.'))
      : jobsTable(result.value));
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
