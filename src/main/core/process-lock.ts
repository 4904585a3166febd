/**
 * A lock between processes (the tray and any number of CLI runs) on one file path.
 *
 * The lock is a file created exclusively (`open(path, 'wx')`) holding the owner's pid, host, boot
 * and a random token. It is never taken from a holder that is alive: when the holder is on this
 * host and this boot, the lock is taken over only once its pid has gone (a process killed with
 * -9); a lock from a previous boot is taken at once. Only a holder that cannot be checked (another
 * host sharing the folder, or a file that never got its record) is judged by its heartbeat: the
 * owner touches the file every few seconds, and a waiter takes over after it has itself watched
 * no touch for `staleMs`, measured on its own monotonic clock. Wall-clock time plays no part, so
 * an NTP step or a resume from suspend never makes a live lock look abandoned.
 *
 * Takeovers happen under a second, short-lived guard file, so two waiters can never both remove
 * the same abandoned lock and then each believe they own the new one. Inside one process callers
 * queue in memory per path, so they never contend through the file.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { AuthTrayError } from './errors.ts';

export interface FileLockOptions {
  /** Give up after this long (waiting in this process included). Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * A holder that cannot be checked (another host, no record) whose heartbeat this waiter has not
   * seen for this long (on its monotonic clock) has abandoned the lock. Default 20 000 ms.
   */
  staleMs?: number;
  /** Pause between attempts while another process holds the lock. Default 25 ms. */
  pollMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  /** This host's boot (Linux's boot id), when known: a pid means nothing across a reboot. */
  boot?: string;
  token: string;
}

/** What a waiter saw of the current lock file; used to check it is still the same file later. */
interface Observed {
  holder: Holder | null;
  ino: number;
  mtimeMs: number;
}

const DEFAULTS = { timeoutMs: 30_000, staleMs: 20_000, pollMs: 25 };

/** Monotonic milliseconds: deadlines and heartbeats never follow the wall clock. */
const monotonic = (): number => performance.now();

/** Linux's id of this boot; undefined elsewhere (then pids are trusted as they are). */
const BOOT: string | undefined = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 64) || undefined;
  } catch {
    return undefined;
  }
})();

/** What a waiter has seen of the lock file: the same file (inode, record) and when its heartbeat last moved. */
interface Watch {
  key: string;
  /** Monotonic time at which this waiter first saw the file in its current state. */
  since: number;
  /** The same for the takeover guard file, when one is in the way. */
  guard?: Watch;
}

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
  const deadline = monotonic() + timeoutMs;
  await enterLocal(path, deadline, timeoutMs);
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const me = newHolder();
  const watch: Watch = { key: '', since: monotonic() };
  let acquired = false;
  try {
    for (let wait = 0; wait >= 0; wait = tryOnce(path, me, staleMs, pollMs, deadline, timeoutMs, watch)) {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    acquired = true;
    heldHere.add(path);
    heartbeat = setInterval(() => touch(path), heartbeatMs(staleMs));
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
  const deadline = monotonic() + timeoutMs;
  const me = newHolder();
  const watch: Watch = { key: '', since: monotonic() };
  for (let wait = 0; wait >= 0; wait = tryOnce(path, me, staleMs, pollMs, deadline, timeoutMs, watch)) {
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
    }, Math.max(0, deadline - monotonic()));
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
  // webcrypto global: no node:crypto load on the token path
  return { pid: process.pid, host: hostname(), ...(BOOT ? { boot: BOOT } : {}), token: globalThis.crypto.randomUUID() };
}

/** How often a holder touches its lock: well within what a waiter tolerates. */
function heartbeatMs(staleMs: number): number {
  return Math.max(10, Math.min(2_000, Math.floor(staleMs / 4)));
}

/**
 * One attempt: -1 when the lock is ours, else how long to wait before the next one (0 right after
 * removing a stale lock, randomised so waiters spread apart). Throws LOCK_TIMEOUT past `deadline`.
 */
function tryOnce(path: string, me: Holder, staleMs: number, pollMs: number, deadline: number, timeoutMs: number, watch: Watch): number {
  const state = attempt(path, me, staleMs, watch);
  if (state === 'acquired') return -1;
  const left = deadline - monotonic();
  if (left <= 0) throw timeoutError(path, timeoutMs, state === 'retry' ? null : state);
  return state === 'retry' ? 0 : Math.min(pollMs + Math.floor(Math.random() * pollMs), left);
}

/** `acquired`, `retry` (a stale lock was just removed), or what holds the lock now. */
function attempt(path: string, me: Holder, staleMs: number, watch: Watch): 'acquired' | 'retry' | Observed {
  if (tryCreate(path, me)) return 'acquired';
  const seen = observe(path);
  if (seen === null) return 'retry'; // released between our create and our look
  noteHeartbeat(watch, seen);
  if (!isAbandoned(seen, staleMs, watch)) return seen;
  return takeOver(path, seen, staleMs, watch) ? 'retry' : seen;
}

/** Restarts the waiter's count whenever the file changes (a new holder, or a heartbeat). */
function noteHeartbeat(watch: Watch, seen: Observed): void {
  const key = `${seen.ino}:${seen.mtimeMs}:${seen.holder?.token ?? ''}`;
  if (key !== watch.key) {
    watch.key = key;
    watch.since = monotonic();
  }
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
    writeSync(fd, JSON.stringify(record));
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
    const { pid, host, token, boot } = v as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || typeof host !== 'string' || typeof token !== 'string') return null;
    return { pid, host, token, ...(typeof boot === 'string' ? { boot } : {}) };
  } catch {
    return null;
  }
}

/**
 * Whether the lock `seen` is abandoned: its holder on this host and boot has died, or it is from
 * a previous boot, or (a holder that cannot be checked) this waiter has seen no heartbeat for
 * `staleMs`. A live holder on this host is never abandoned, however old its file looks.
 */
function isAbandoned(seen: Observed, staleMs: number, watch: Watch): boolean {
  const h = seen.holder;
  if (h && h.host === hostname()) {
    if (h.boot && BOOT && h.boot !== BOOT) return true;
    return !isAlive(h.pid);
  }
  return monotonic() - watch.since > staleMs;
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
function takeOver(path: string, seen: Observed, staleMs: number, watch: Watch): boolean {
  const guard = `${path}.takeover`;
  const me = newHolder();
  if (!tryCreate(guard, me)) {
    const g = observe(guard);
    // The guard lives for microseconds; one left behind means its owner died mid-takeover.
    if (g) {
      watch.guard ??= { key: '', since: monotonic() };
      noteHeartbeat(watch.guard, g);
      if (isAbandoned(g, Math.min(staleMs, 5_000), watch.guard)) unlinkQuietly(guard);
    }
    return false;
  }
  try {
    const now = observe(path);
    if (now === null) return true;
    if (now.ino !== seen.ino || now.mtimeMs !== seen.mtimeMs || now.holder?.token !== seen.holder?.token || !isAbandoned(now, staleMs, watch)) return false;
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
