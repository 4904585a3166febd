/**
 * The "Jobs" submenu of one identity: running and queued jobs first, then the most recent ones,
 * each opening the window's jobs page.
 */
import type { BatchJob, JobStatus } from '../../../shared/model.ts';
import { displayText } from '../../../shared/format/display-text.ts';
import { separator, type TrayMenuItem } from './menu-item.ts';

/** At most this many jobs in the submenu; the window lists all of them. */
export const MAX_JOBS_IN_MENU = 8;

/** How a job status reads in a menu or a notification. */
export const JOB_STATUS_WORD: Readonly<Record<JobStatus, string>> = {
  created: 'created',
  queued: 'queued',
  running: 'running',
  finished: 'finished',
  error: 'failed',
  canceled: 'canceled',
};

const ACTIVE: ReadonlySet<JobStatus> = new Set(['queued', 'running']);

/** Title for display: the job's title, or its id when it has none. */
export function jobName(job: BatchJob, max = 48): string {
  const title = job.title?.trim();
  return displayText(title ? title : job.id, max);
}

function jobLine(job: BatchJob): string {
  const progress = job.status === 'running' && typeof job.progress === 'number'
    ? ` ${Math.round(Math.min(100, Math.max(0, job.progress)))}%`
    : '';
  return `${jobName(job)} — ${JOB_STATUS_WORD[job.status]}${progress}`;
}

function lastChange(job: BatchJob): number {
  const t = Date.parse(job.updated ?? job.created);
  return Number.isNaN(t) ? 0 : t;
}

/** Jobs in menu order: queued/running first, then by last change, newest first. */
export function jobsInMenuOrder(jobs: readonly BatchJob[]): BatchJob[] {
  return [...jobs].sort((a, b) =>
    Number(ACTIVE.has(b.status)) - Number(ACTIVE.has(a.status)) || lastChange(b) - lastChange(a));
}

/** The "Jobs" submenu item for one identity; `jobs` undefined means none are known yet. */
export function jobsSubmenu(identityId: string, jobs: readonly BatchJob[] | undefined): TrayMenuItem {
  const open = { type: 'open-window', page: 'jobs', identityId } as const;
  const list = jobsInMenuOrder(jobs ?? []);
  const running = list.filter((j) => ACTIVE.has(j.status)).length;
  const items: TrayMenuItem[] = list.length === 0
    ? [{ id: `${identityId}:jobs:none`, type: 'normal', label: 'No jobs yet', enabled: false }]
    : list.slice(0, MAX_JOBS_IN_MENU).map((job, i) => ({
      id: `${identityId}:jobs:${i}`, type: 'normal', label: jobLine(job), enabled: true, action: open,
    }));
  items.push(separator(`${identityId}:jobs:sep`), {
    id: `${identityId}:jobs:all`, type: 'normal', label: 'Show all jobs…', enabled: true, action: open,
  });
  return {
    id: `${identityId}:jobs`,
    type: 'submenu',
    label: running > 0 ? `Jobs (${running} in progress)` : 'Jobs',
    enabled: true,
    submenu: items,
  };
}
