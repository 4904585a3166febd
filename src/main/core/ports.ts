/**
 * The I/O the core needs, passed in so tests can run a day of token lifetimes in milliseconds
 * and swap the keychain or the network for a real-but-local one.
 */

/** Wall clock, epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** A token obtained more than this far in the future means the wall clock went back since. */
export const CLOCK_SLACK_MS = 5_000;

/** Node's longest timeout (2^31-1 ms, ~24.8 days): a longer one fires after 1 ms instead. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

export type TimerHandle = { readonly __timer: unique symbol } | object;

/**
 * One-shot timers for everything the clock decides (the lifecycle, the clipboard, the agent's
 * forwards): one timer per next event, so a fake clock runs days in milliseconds. (The file lock's
 * heartbeat is a plain interval: it keeps a file fresh, it decides nothing.)
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    // Longer waits are re-armed by the caller.
    const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_DELAY_MS));
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The WHATWG fetch signature; the core never calls the global fetch directly. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Keychain health: "no secret stored" and "keychain unusable" are different answers. */
export type KeychainHealth =
  | { ok: true }
  | { ok: false; reason: 'locked' | 'unavailable'; message: string };

/**
 * Secrets behind a port. Only one adapter touches the OS keychain.
 * `get` returns null only when the keychain is healthy and holds nothing under `key`;
 * when the keychain is locked or unreachable it throws an AuthTrayError
 * (`KEYCHAIN_LOCKED` / `KEYCHAIN_UNAVAILABLE`).
 */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean>;
  health(): Promise<KeychainHealth>;
}
