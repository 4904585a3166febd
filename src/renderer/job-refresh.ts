/**
 * When the Jobs page asks the backend again about the running jobs it shows: only while it may
 * (`shouldRun`: the page is shown, the window is visible, a job on it is queued or running), and
 * less often the longer nothing changes — 10 s, then half as long again each time up to 2 min; a
 * change starts over at 10 s; a failure waits 30 s, doubling up to 5 min. No DOM: the timers come
 * in, so a test runs an afternoon of polling in a moment.
 */
import type { RendererTimers } from './timers.ts';

export const JOB_REFRESH_MS = { first: 10_000, max: 120_000, afterFailure: 30_000, maxAfterFailure: 300_000 } as const;
const SLOWER = 1.5;

export type RefreshOutcome = 'changed' | 'unchanged' | 'failed';

/** The wait before the next refresh, after one with `outcome` that came `previous` ms after the one before (null: the first). */
export function nextRefreshDelay(previous: number | null, outcome: RefreshOutcome): number {
  switch (outcome) {
    case 'changed':
      return JOB_REFRESH_MS.first;
    case 'unchanged':
      return previous === null ? JOB_REFRESH_MS.first : Math.min(JOB_REFRESH_MS.max, Math.round(previous * SLOWER));
    case 'failed':
      return previous === null ? JOB_REFRESH_MS.afterFailure : Math.min(JOB_REFRESH_MS.maxAfterFailure, Math.max(JOB_REFRESH_MS.afterFailure, previous * 2));
  }
}

export interface JobRefresher {
  /** Looks again whether refreshes may run: call it when the jobs shown, the page or the window's visibility change. */
  sync(): void;
  /** The jobs were just read afresh (a reload): the next refresh waits the shortest time again. */
  restart(): void;
  stop(): void;
  /** The wait before the next refresh; null while none is planned. */
  readonly plannedMs: number | null;
}

export function jobRefresher<H>(opts: { timers: RendererTimers<H>; shouldRun: () => boolean; refresh: () => Promise<RefreshOutcome> }): JobRefresher {
  let timer: { handle: H } | null = null;
  let delay: number | null = null;
  let running = false;
  let stopped = false;
  let planned: number | null = null;

  function cancel(): void {
    if (timer) opts.timers.clearTimeout(timer.handle);
    timer = null;
    planned = null;
  }

  function plan(): void {
    if (stopped || running || timer || !opts.shouldRun()) return;
    planned = delay ?? JOB_REFRESH_MS.first;
    timer = { handle: opts.timers.setTimeout(() => void fire(), planned) };
  }

  async function fire(): Promise<void> {
    timer = null;
    planned = null;
    if (stopped || !opts.shouldRun()) return;
    const waited = delay ?? JOB_REFRESH_MS.first;
    running = true;
    let outcome: RefreshOutcome;
    try {
      outcome = await opts.refresh();
    } catch {
      outcome = 'failed';
    }
    running = false;
    delay = nextRefreshDelay(waited, outcome);
    plan();
  }

  return {
    sync() {
      if (opts.shouldRun()) plan();
      else cancel();
    },
    restart() {
      delay = null;
      cancel();
      plan();
    },
    stop() {
      stopped = true;
      cancel();
    },
    get plannedMs() {
      return planned;
    },
  };
}
