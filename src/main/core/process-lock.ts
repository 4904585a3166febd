/**
 * A lock between processes (the tray and any number of CLI runs) on one file path.
 *
 * The lock is a file created exclusively (`open(path, 'wx')`) holding the owner's pid, host and a
 * random token. The owner touches its mtime while it holds the lock, so "older than `staleMs`"
 * means "nobody is looking after it". A lock whose owner is dead (same host, pid gone) or that is
 * stale by age is taken over under a second, short-lived guard file, so two waiters can never both
 * remove the same stale lock and then each believe they own the new one.
 *
 * Inside one process callers queue in memory per path, so they never contend through the file.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { AuthTrayError } from './errors.ts';

export interface FileLockOptions {
  /** Give up after this long (waiting in this process included). Default 30 000 ms. */
  timeoutMs?: number;
  /** A lock not refreshed for this long is abandoned and may be taken over. Default 60 000 ms. */
  staleMs?: number;
  /** Pause between attempts while another process holds the lock. Default 25 ms. */
  pollMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

/** What a waiter saw of the current lock file; used to check it is still the same file later. */
interface Observed {
  holder: Holder | null;
  ino: number;
  mtimeMs: number;
}

const DEFAULTS = { timeoutMs: 30_000, staleMs: 60_000, pollMs: 25 };

/** Per-path FIFO of callers inside this process; present while an async caller has the turn. */
const local = new Map<string, Array<() => void>>();
/** Paths whose lock file this process holds right now (for an async caller). */
const heldHere = new Set<string>();

/**
 * Runs `fn` while holding the lock `lockPath`, released in all cases afterwards.
 * Throws `LOCK_TIMEOUT` when the lock cannot be had within `timeoutMs`. File-system errors other
 * than contention (read-only or missing folder, ...) are rethrown unchanged: the caller knows what
 * the lock protects and says so.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const { timeoutMs, staleMs, pollMs } = { ...DEFAULTS, ...opts };
  const path = resolve(lockPath);
  const deadline = Date.now() + timeoutMs;
  await enterLocal(path, deadline, timeoutMs);
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const me = newHolder();
  let acquired = false;
  try {
    for (let wait = 0; wait >= 0; wait = tryOnce(path, me, staleMs, pollMs, deadline, timeoutMs)) {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    acquired = true;
    heldHere.add(path);
    heartbeat = setInterval(() => touch(path), Math.max(10, Math.floor(staleMs / 3)));
    heartbeat.unref();
    return await fn();
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    if (acquired) {
      heldHere.delete(path);
      release(path, me);
    }
    leaveLocal(path);
  }
}

/**
 * The same lock for short synchronous work (e.g. creating the settings file while opening it).
 * It blocks the thread while another process holds the lock, so keep `fn` brief. When this
 * process already holds the lock file for an async caller, `fn` runs at once (waiting would
 * deadlock): that holder excludes other processes, and `fn` runs between two of its steps, which
 * is safe when, as in the settings store, the holder reads, changes and writes without awaiting.
 */
export function withFileLockSync<T>(lockPath: string, fn: () => T, opts: FileLockOptions = {}): T {
  const { timeoutMs, staleMs, pollMs } = { ...DEFAULTS, ...opts };
  const path = resolve(lockPath);
  if (heldHere.has(path)) return fn();
  const deadline = Date.now() + timeoutMs;
  const me = newHolder();
  for (let wait = 0; wait >= 0; wait = tryOnce(path, me, staleMs, pollMs, deadline, timeoutMs)) {
    if (wait > 0) Atomics.wait(sleeper, 0, 0, wait); // a synchronous sleep
  }
  try {
    return fn();
  } finally {
    release(path, me);
  }
}

async function enterLocal(path: string, deadline: number, timeoutMs: number): Promise<void> {
  const queue = local.get(path);
  if (!queue) {
    local.set(path, []);
    return;
  }
  await new Promise<void>((resolveWait, reject) => {
    const wake = (): void => {
      clearTimeout(timer);
      resolveWait();
    };
    const timer = setTimeout(() => {
      const i = queue.indexOf(wake);
      if (i >= 0) queue.splice(i, 1);
      reject(timeoutError(path, timeoutMs, null));
    }, Math.max(0, deadline - Date.now()));
    queue.push(wake);
  });
}

/** Hands the path to the next caller in this process (it stays held here) or frees it. */
function leaveLocal(path: string): void {
  const next = local.get(path)?.shift();
  if (next) next();
  else local.delete(path);
}

function newHolder(): Holder {
  return { pid: process.pid, host: hostname(), token: globalThis.crypto.randomUUID() }; // webcrypto global: no node:crypto load on the token path
}

/**
 * One attempt: -1 when the lock is ours, else how long to wait before the next one (0 right after
 * removing a stale lock, randomised so waiters spread apart). Throws LOCK_TIMEOUT past `deadline`.
 */
function tryOnce(path: string, me: Holder, staleMs: number, pollMs: number, deadline: number, timeoutMs: number): number {
  const state = attempt(path, me, staleMs);
  if (state === 'acquired') return -1;
  const left = deadline - Date.now();
  if (left <= 0) throw timeoutError(path, timeoutMs, state === 'retry' ? null : state);
  return state === 'retry' ? 0 : Math.min(pollMs + Math.floor(Math.random() * pollMs), left);
}

/** `acquired`, `retry` (a stale lock was just removed), or what holds the lock now. */
function attempt(path: string, me: Holder, staleMs: number): 'acquired' | 'retry' | Observed {
  if (tryCreate(path, me)) return 'acquired';
  const seen = observe(path);
  if (seen === null) return 'retry'; // released between our create and our look
  if (!isStale(seen, staleMs)) return seen;
  return takeOver(path, seen, staleMs) ? 'retry' : seen;
}

function tryCreate(path: string, record: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify({ ...record, createdAt: Date.now() }));
  } catch (e) {
    closeSync(fd);
    unlinkQuietly(path);
    throw e;
  }
  closeSync(fd);
  return true;
}

function observe(path: string): Observed | null {
  try {
    const st = statSync(path);
    return { holder: parseHolder(readFileSync(path, 'utf8')), ino: st.ino, mtimeMs: st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The record, or null while it is being written (or when it is garbage; then age decides). */
function parseHolder(text: string): Holder | null {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return null;
    const { pid, host, token } = v as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof token !== 'string') return null;
    return { pid, host, token };
  } catch {
    return null;
  }
}

function isStale(seen: Observed, staleMs: number): boolean {
  if (Date.now() - seen.mtimeMs > staleMs) return true;
  // A pid is only meaningful on the host that wrote it (the folder may be shared).
  return seen.holder !== null && seen.holder.host === hostname() && !isAlive(seen.holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes the stale lock `seen`, but only while holding the guard file and only if the lock is
 * still that very file: another waiter may have replaced it with a fresh one in the meantime.
 */
function takeOver(path: string, seen: Observed, staleMs: number): boolean {
  const guard = `${path}.takeover`;
  const me = newHolder();
  if (!tryCreate(guard, me)) {
    const g = observe(guard);
    // The guard lives for microseconds; one left behind means its owner died mid-takeover.
    if (g && isStale(g, Math.min(staleMs, 5_000))) unlinkQuietly(guard);
    return false;
  }
  try {
    const now = observe(path);
    if (now === null) return true;
    if (now.ino !== seen.ino || now.holder?.token !== seen.holder?.token || !isStale(now, staleMs)) return false;
    unlinkQuietly(path);
    return true;
  } finally {
    release(guard, me);
  }
}

function release(path: string, me: Holder): void {
  try {
    // Never remove a lock someone else took over (we were judged stale).
    if (observe(path)?.holder?.token === me.token) unlinkQuietly(path);
  } catch {
    // Unreadable now: leave it; it turns stale and is taken over.
  }
}

function touch(path: string): void {
  try {
    const t = new Date();
    utimesSync(path, t, t);
  } catch {
    // Gone or taken over: nothing to keep alive.
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function timeoutError(path: string, timeoutMs: number, seen: Observed | null): AuthTrayError {
  const who = seen?.holder ? ` (process ${seen.holder.pid} on ${seen.holder.host})` : '';
  const waited = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
  return new AuthTrayError(
    'LOCK_TIMEOUT',
    `Another openEO Auth Tray task${who} kept the lock ${path} for longer than ${waited}, so this one stopped waiting.`,
    {
      nextStep: `Try again in a moment. If it keeps happening and no openeo-auth-tray process is running, delete ${path}.`,
    },
  );
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
