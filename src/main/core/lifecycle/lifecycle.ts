/**
 * The token lifecycle's driver: evaluates every identity, announces warnings and expiries,
 * starts refreshes, and arms exactly one timer for the next event. No I/O of its own: the
 * clock, the timers and the host (which refreshes and persists) are passed in.
 */
import { toAuthTrayError } from '../errors.ts';
import { redact } from '../../../shared/redact.ts';
import { loginEnd } from '../../../shared/format/login-end.ts';
import type { Identity, IdentityState } from '../../../shared/model.ts';
import { MAX_TIMER_DELAY_MS, type Clock, type TimerHandle, type Timers } from '../ports.ts';
import { applyFailure, applySuccess } from './failures.ts';
import type { LifecycleEvent, LifecycleHost } from './host.ts';
import {
  DEFAULT_WARNING_THRESHOLDS_MS, deriveState, dueWarnings, isLoginDead, nextWakeUp,
  normalizeThresholds, refreshDueAt,
} from './schedule.ts';
import type { LifecycleProblem, WakeUp } from './schedule.ts';
import { newRuntime, refreshTokenKey, viewOf } from './runtime.ts';
import type { Runtime } from './runtime.ts';

export interface LifecycleDeps {
  clock: Clock;
  timers: Timers;
  host: LifecycleHost;
  /** Warning thresholds in ms before refresh-token expiry; read at every evaluation. */
  thresholdsMs?: () => readonly number[];
  /** Where failures of the host's persistence or event listener go (default: stderr, redacted). */
  log?: (message: string, error: unknown) => void;
  /**
   * Whether the identity's access token is wanted fresh all the time (the window shows its
   * countdown): then it is renewed at 80% of its life. Default: never — background refreshes
   * only keep logins alive, and access tokens are fetched on demand. Call `reevaluate()` when it
   * changes.
   */
  accessDemand?: (identityId: string) => boolean;
  /**
   * Evaluate at least this often even when nothing is due, so that a change of the wall clock
   * (which moves no timer) is noticed within this time. Default: only when something is due.
   */
  recheckEveryMs?: number;
}

/** One identity as the lifecycle sees it now, for status rows. */
export interface LifecycleDetail {
  state: IdentityState;
  offlineSince: number | null;
  problem: LifecycleProblem | null;
  refreshing: boolean;
  nextRefreshAt: number | null;
}

export class TokenLifecycle {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly pending = new Set<Promise<void>>();
  private timer: TimerHandle | null = null;
  private armedFor: WakeUp | null = null;
  private running = false;

  constructor(private readonly deps: LifecycleDeps) {}

  /** Evaluates every identity at once and arms the timer. */
  start(): void {
    this.running = true;
    this.evaluate();
  }

  /** Clears the timer; refreshes in flight finish, but nothing is announced or armed after. */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  /**
   * Evaluates at once and re-arms: call after resume from sleep, keychain unlock, a clock change,
   * or a change of the identity list. `retryNow` also pulls pending retries forward to now.
   */
  reevaluate(options: { retryNow?: boolean } = {}): void {
    if (options.retryNow) {
      const now = this.deps.clock.now();
      for (const rt of this.runtimes.values()) if (rt.retryAt != null) rt.retryAt = now;
    }
    this.evaluate();
  }

  /** The identity's state now (computed afresh, not the last one announced); undefined if unknown. */
  status(identityId: string): IdentityState | undefined {
    return this.detail(identityId)?.state;
  }

  /** State, problem and timing of one identity, for status rows; undefined if unknown. */
  detail(identityId: string): LifecycleDetail | undefined {
    const identity = this.find(identityId);
    return identity && this.describe(identity);
  }

  /** What the armed timer is for (null when none is armed). */
  nextWakeUp(): WakeUp | null {
    return this.armedFor;
  }

  /** A token fetch for this identity failed elsewhere (e.g. a CLI `token` call in this process). */
  reportError(identityId: string, error: unknown): void {
    const identity = this.find(identityId);
    if (!identity) return;
    this.evaluate(this.failed(identity, this.runtimeOf(identityId), error));
  }

  /** A token fetch or a new login succeeded elsewhere: clears failures and a known-dead login. */
  reportSuccess(identityId: string): void {
    this.evaluate(applySuccess(identityId, this.runtimeOf(identityId), this.deps.clock.now()));
  }

  /** Resolves when no refresh and no persistence started by the lifecycle is in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private evaluate(carried: LifecycleEvent[] = []): void {
    if (!this.running) return;
    const now = this.deps.clock.now();
    const thresholds = normalizeThresholds(this.deps.thresholdsMs?.() ?? DEFAULT_WARNING_THRESHOLDS_MS);
    const events = [...carried];
    const views: Identity[] = [];
    const seen = new Set<string>();
    for (const identity of this.deps.host.listIdentities()) {
      seen.add(identity.id);
      const rt = this.runtimeOf(identity.id);
      rt.accessDemand = this.deps.accessDemand?.(identity.id) ?? false;
      this.announceWarnings(viewOf(identity, rt), rt, now, thresholds, events);
      this.announceExpiry(identity, rt, now, events);
      const view = viewOf(identity, rt);
      const due = refreshDueAt(view, rt, now);
      if (due && due.at <= now) this.startRefresh(view, rt);
      const state = deriveState(view, rt, now, thresholds);
      if (state !== rt.lastState) {
        rt.lastState = state;
        events.push({ type: 'state-changed', identityId: identity.id, state });
      }
      views.push(view);
    }
    // Forget removed identities.
    for (const id of this.runtimes.keys()) if (!seen.has(id)) this.runtimes.delete(id);
    this.arm(nextWakeUp(views, this.runtimes, now, thresholds), now);
    // Armed before dispatch: a throwing listener cannot leave the lifecycle without a timer.
    for (const event of events) {
      try {
        this.deps.host.onEvent(event);
      } catch (e) {
        this.log(`lifecycle event listener failed on ${event.type}`, e);
      }
    }
  }

  private arm(next: WakeUp | null, now: number): void {
    this.disarm();
    this.armedFor = next;
    if (next === null) return;
    // A wait past Node's limit is armed in steps: the timer fires early, finds nothing due, and arms the rest.
    const delay = Math.min(next.at - now, MAX_TIMER_DELAY_MS, this.deps.recheckEveryMs ?? Infinity);
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.evaluate();
    }, delay);
  }

  private disarm(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = null;
  }

  private announceWarnings(view: Identity, rt: Runtime, now: number, thresholds: readonly number[], events: LifecycleEvent[]): void {
    const due = dueWarnings(view, now, thresholds);
    const mostUrgent = due[0];
    const warnAt = loginEnd(view.refreshTokenExpiry).warnAt;
    if (mostUrgent === undefined || warnAt === null) return;
    const sent = [...new Set([...view.warningsSent, ...due])].sort((a, b) => b - a);
    rt.sent = { key: refreshTokenKey(view), thresholds: sent };
    events.push({
      type: 'refresh-token-expiring',
      identityId: view.id,
      thresholdMs: mostUrgent,
      expiresAt: warnAt,
    });
    this.persist('saving sent warnings', () => this.deps.host.markWarningsSent(view.id, sent));
  }

  /** Announces a login that died by time, unless this process or a previous one already did. */
  private announceExpiry(identity: Identity, rt: Runtime, now: number, events: LifecycleEvent[]): void {
    const key = refreshTokenKey(identity);
    if (identity.expiredAt !== undefined || rt.expiredAnnounced === key) return;
    if (!isLoginDead(viewOf(identity, rt), now)) return;
    this.announceDeath(identity.id, key, rt, now, events);
  }

  private announceDeath(identityId: string, key: string, rt: Runtime, now: number, events: LifecycleEvent[]): void {
    if (rt.expiredAnnounced === key) return;
    rt.expiredAnnounced = key;
    events.push({ type: 'expired', identityId });
    this.persist('saving the expiry', () => this.deps.host.markExpired(identityId, now));
  }

  /** Single flight: `rt.refreshing` keeps every other evaluation from starting a second one. */
  private startRefresh(identity: Identity, rt: Runtime): void {
    rt.refreshing = true;
    const flight = (async () => {
      let events: LifecycleEvent[];
      try {
        await this.deps.host.refreshAccess(identity.id);
        events = applySuccess(identity.id, rt, this.deps.clock.now());
      } catch (e) {
        events = this.failed(this.find(identity.id) ?? identity, rt, e);
      } finally {
        rt.refreshing = false;
      }
      this.evaluate(events);
    })().catch((e: unknown) => this.log('lifecycle: evaluation after a refresh failed', e));
    this.track(flight);
  }

  private failed(identity: Identity, rt: Runtime, error: unknown): LifecycleEvent[] {
    const now = this.deps.clock.now();
    const outcome = applyFailure(identity, rt, toAuthTrayError(error), now);
    if (outcome.dead) this.announceDeath(identity.id, refreshTokenKey(identity), rt, now, outcome.events);
    return outcome.events;
  }

  private describe(identity: Identity): LifecycleDetail {
    const now = this.deps.clock.now();
    const rt = this.runtimes.get(identity.id) ?? newRuntime();
    rt.accessDemand = this.deps.accessDemand?.(identity.id) ?? false;
    const view = viewOf(identity, rt);
    const thresholds = this.deps.thresholdsMs?.() ?? DEFAULT_WARNING_THRESHOLDS_MS;
    return {
      state: deriveState(view, rt, now, thresholds),
      offlineSince: rt.offlineSince ?? null,
      problem: rt.problem,
      refreshing: rt.refreshing === true,
      nextRefreshAt: refreshDueAt(view, { ...rt, refreshing: false }, now)?.at ?? null,
    };
  }

  private find(identityId: string): Identity | undefined {
    return this.deps.host.listIdentities().find((i) => i.id === identityId);
  }

  private runtimeOf(identityId: string): Runtime {
    let rt = this.runtimes.get(identityId);
    if (!rt) {
      rt = newRuntime();
      this.runtimes.set(identityId, rt);
    }
    return rt;
  }

  private persist(what: string, action: () => Promise<void>): void {
    this.track(Promise.resolve().then(action).catch((e: unknown) => this.log(`lifecycle: ${what} failed`, e)));
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  private log(message: string, error: unknown): void {
    if (this.deps.log) this.deps.log(message, error);
    else console.error(redact(`${message}: ${error instanceof Error ? error.message : String(error)}`));
  }
}
