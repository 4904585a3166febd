/**
 * Follows the batch jobs of every identity and reports each status change once.
 *
 * Polling costs the user's backend quota and wakes the machine, so it happens only while some
 * job of an identity is `queued` or `running`, with a per-identity backoff (30 s, 60 s, 120 s,
 * then every 5 min) that starts over after a change. Nothing is requested when nothing runs
 * (besides the listing at `start()` and on `refreshNow()`), and never when `canPoll` says the
 * identity has no usable token. One timer at a time, for the earliest due identity.
 */
import type { Clock, TimerHandle, Timers } from '../ports.ts';
import type { BatchJob, JobStatus } from '../../../shared/model.ts';

/** Poll intervals while something runs, in ms; the last one repeats. */
export const JOB_POLL_BACKOFF_MS: readonly number[] = [30_000, 60_000, 120_000, 300_000];

const ACTIVE: ReadonlySet<JobStatus> = new Set<JobStatus>(['queued', 'running']);

/** One status change of one job. `from` is null for a job that appeared after the first listing. */
export interface JobTransition {
  identityId: string;
  job: BatchJob;
  from: JobStatus | null;
  to: JobStatus;
}

export interface JobTrackerDeps {
  clock: Clock;
  timers: Timers;
  /** All jobs of an identity (`GET /jobs`, every page). */
  listJobs: (identityId: string) => Promise<BatchJob[]>;
  /** False while the identity has no usable token (expired, signed out, keychain locked, ...). */
  canPoll: (identityId: string) => boolean;
  onTransition: (e: JobTransition) => void;
  /** The identities to follow, asked at each round. */
  identities: () => string[];
  /** A listing failed; the previous jobs are kept and the backoff continues. */
  onError?: (identityId: string, error: unknown) => void;
}

export interface JobTracker {
  /** Lists every identity once (the baseline, no notifications) and starts following. */
  start(): Promise<void>;
  /** Stops all timers; results of listings still under way are kept but schedule nothing. */
  stop(): void;
  /** Lists one identity (or all) now, whatever runs; then follows on as usual. */
  refreshNow(identityId?: string): Promise<void>;
  /** The last listing of an identity (empty before the first one). */
  jobs(identityId: string): BatchJob[];
  /** Resolves when no listing is under way (for quitting). */
  idle(): Promise<void>;
}

interface IdentityJobs {
  /** Null until the first successful listing (the baseline). */
  listed: BatchJob[] | null;
  backoffStep: number;
  /** Epoch ms of the next poll, or null when nothing runs. */
  nextPollAt: number | null;
  inFlight: Promise<void> | null;
}

/** Creates a tracker; nothing happens until `start()`. */
export function createJobTracker(deps: JobTrackerDeps): JobTracker {
  const state = new Map<string, IdentityJobs>();
  let timer: TimerHandle | null = null;
  let running = false;

  const entry = (id: string): IdentityJobs => {
    let s = state.get(id);
    if (!s) {
      s = { listed: null, backoffStep: 0, nextPollAt: null, inFlight: null };
      state.set(id, s);
    }
    return s;
  };

  function emitTransitions(identityId: string, before: BatchJob[] | null, after: BatchJob[]): boolean {
    if (before === null) return false; // the first listing is the baseline
    const previous = new Map(before.map((j) => [j.id, j.status] as const));
    let changed = false;
    for (const job of after) {
      const from = previous.get(job.id) ?? null;
      if (from === job.status) continue;
      changed = true;
      try {
        deps.onTransition({ identityId, job, from, to: job.status });
      } catch {
        // One failing listener must not hide the other transitions or stop the tracker.
      }
    }
    return changed;
  }

  async function poll(identityId: string): Promise<void> {
    const s = entry(identityId);
    if (s.inFlight) return s.inFlight;
    if (!deps.canPoll(identityId)) return;
    const run = (async () => {
      let changed = false;
      try {
        const jobs = await deps.listJobs(identityId);
        changed = emitTransitions(identityId, s.listed, jobs);
        s.listed = jobs;
      } catch (e) {
        deps.onError?.(identityId, e);
      }
      const active = (s.listed ?? []).some((j) => ACTIVE.has(j.status));
      if (!active) {
        s.backoffStep = 0;
        s.nextPollAt = null;
        return;
      }
      // The wait after this poll: 30 s after a change or the first sight of running jobs, longer otherwise.
      s.backoffStep = changed || s.nextPollAt === null ? 0 : Math.min(s.backoffStep + 1, JOB_POLL_BACKOFF_MS.length - 1);
      s.nextPollAt = deps.clock.now() + (JOB_POLL_BACKOFF_MS[s.backoffStep] as number);
    })();
    s.inFlight = run;
    try {
      await run;
    } finally {
      s.inFlight = null;
    }
  }

  function forgetRemovedIdentities(current: string[]): void {
    const keep = new Set(current);
    for (const id of state.keys()) if (!keep.has(id)) state.delete(id);
  }

  function schedule(): void {
    if (timer !== null) deps.timers.clearTimeout(timer);
    timer = null;
    if (!running) return;
    forgetRemovedIdentities(deps.identities());
    let due: number | null = null;
    for (const s of state.values()) {
      if (s.nextPollAt !== null && !s.inFlight && (due === null || s.nextPollAt < due)) due = s.nextPollAt;
    }
    if (due === null) return; // nothing runs: no timer, no requests
    timer = deps.timers.setTimeout(() => {
      timer = null;
      void pollDue();
    }, Math.max(0, due - deps.clock.now()));
  }

  async function pollDue(): Promise<void> {
    const now = deps.clock.now();
    const due = [...state.entries()].filter(([, s]) => s.nextPollAt !== null && s.nextPollAt <= now && !s.inFlight);
    await Promise.all(
      due.map(([id, s]) => {
        if (deps.canPoll(id)) return poll(id);
        // No usable token: no request; look again later, backing off as if nothing had changed.
        s.backoffStep = Math.min(s.backoffStep + 1, JOB_POLL_BACKOFF_MS.length - 1);
        s.nextPollAt = now + (JOB_POLL_BACKOFF_MS[s.backoffStep] as number);
        return Promise.resolve();
      }),
    );
    schedule();
  }

  async function listAll(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => poll(id)));
    schedule();
  }

  return {
    async start() {
      running = true;
      await listAll(deps.identities());
    },
    stop() {
      running = false;
      if (timer !== null) deps.timers.clearTimeout(timer);
      timer = null;
    },
    async refreshNow(identityId?: string) {
      await listAll(identityId === undefined ? deps.identities() : [identityId]);
    },
    jobs(identityId: string) {
      return [...(state.get(identityId)?.listed ?? [])];
    },
    async idle() {
      for (;;) {
        const running = [...state.values()].flatMap((s) => (s.inFlight ? [s.inFlight] : []));
        if (running.length === 0) return;
        await Promise.allSettled(running);
      }
    },
  };
}
