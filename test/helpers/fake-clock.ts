/**
 * A fake wall clock and one-shot timers (the core's Clock and Timers ports) for running weeks of
 * token lifetimes in milliseconds.
 *
 * Like Node on a real machine, timers run on a monotonic clock, not on the wall clock:
 * `advance` moves both (firing due timers in order, each at its own time), `jump` moves only the
 * wall clock, as a suspend/resume or a clock change does, so pending timers fire late (or early)
 * by the wall clock's reading until the code under test re-evaluates.
 */
import type { Clock, TimerHandle, Timers } from '../../src/main/core/ports.ts';

/** Node turns a longer timeout into 1 ms (with a warning); the fake refuses it instead. */
export const NODE_MAX_TIMER_MS = 2_147_483_647;

interface PendingTimer {
  seq: number;
  /** Monotonic time at which it fires. */
  due: number;
  fn: () => void;
}

/** Lets every queued promise continuation run (they all run before a setImmediate callback). */
const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock, Timers {
  private monotonic = 0;
  private wallOffset: number;
  private seq = 0;
  private readonly pending = new Map<TimerHandle, PendingTimer>();
  /** Counters: timers armed, fired and cleared, the most pending at once, the longest delay asked. */
  readonly stats = { armed: 0, fired: 0, cleared: 0, maxPending: 0, longestDelayMs: 0 };

  constructor(startAt: number = Date.UTC(2025, 0, 6, 9, 0, 0)) {
    this.wallOffset = startAt;
  }

  now(): number {
    return this.monotonic + this.wallOffset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // NaN fails this test too: both are bugs in the caller that Node would hide.
    if (!(ms <= NODE_MAX_TIMER_MS)) {
      throw new RangeError(`setTimeout(${ms}): Node would fire this after 1 ms; arm at most ${NODE_MAX_TIMER_MS} ms`);
    }
    const delay = Math.max(0, ms);
    const handle: TimerHandle = { fakeTimer: ++this.seq };
    this.pending.set(handle, { seq: this.seq, due: this.monotonic + delay, fn });
    this.stats.armed += 1;
    this.stats.maxPending = Math.max(this.stats.maxPending, this.pending.size);
    this.stats.longestDelayMs = Math.max(this.stats.longestDelayMs, delay);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    if (this.pending.delete(handle)) this.stats.cleared += 1;
  }

  /** Timers armed and neither fired nor cleared. */
  get pendingTimers(): number {
    return this.pending.size;
  }

  /** Wall-clock times at which the pending timers will fire (at the current offset), earliest first. */
  pendingTimerTimes(): number[] {
    return [...this.pending.values()].map((t) => t.due + this.wallOffset).sort((a, b) => a - b);
  }

  /** Moves the wall clock only (sleep, or a clock change); no timer fires. May be negative. */
  jump(ms: number): void {
    this.wallOffset += ms;
  }

  /**
   * Moves both clocks forward by `ms`, firing every timer that falls due on the way, in order,
   * with the clock reading its due time; promise continuations run after each one, so timers
   * they arm within the window fire too. Throws after `maxFirings` (a runaway timer loop).
   */
  async advance(ms: number, maxFirings = 1_000_000): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): time only moves forward here; use jump()`);
    const target = this.monotonic + ms;
    let firings = 0;
    for (;;) {
      await settle();
      const next = this.earliestDue(target);
      if (next === undefined) {
        if (this.monotonic === target) return;
        this.monotonic = target; // then settle once more: continuations may arm 0 ms timers
        continue;
      }
      if (++firings > maxFirings) throw new Error(`advance: more than ${maxFirings} timers fired; a timer loop?`);
      const [handle, timer] = next;
      this.pending.delete(handle);
      this.monotonic = Math.max(this.monotonic, timer.due);
      this.stats.fired += 1;
      timer.fn();
    }
  }

  /** `advance` up to wall-clock time `t` (which must not be in the past). */
  advanceTo(t: number, maxFirings?: number): Promise<void> {
    return this.advance(t - this.now(), maxFirings);
  }

  /** Fires the timers already due (0 ms timers included) and lets promises settle. */
  runDue(): Promise<void> {
    return this.advance(0);
  }

  private earliestDue(limit: number): [TimerHandle, PendingTimer] | undefined {
    let best: [TimerHandle, PendingTimer] | undefined;
    for (const entry of this.pending) {
      const t = entry[1];
      if (t.due > limit) continue;
      if (!best || t.due < best[1].due || (t.due === best[1].due && t.seq < best[1].seq)) best = entry;
    }
    return best;
  }
}
