import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withFileLock, withFileLockSync } from '../../src/main/core/process-lock.ts';
import { isAuthTrayError } from '../../src/main/core/errors.ts';

const CHILD = fileURLToPath(new URL('../helpers/lock-counter-child.ts', import.meta.url));

let dir: string;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'process-lock-'));
  lock = join(dir, 'thing.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runCounter(counter: string, count: number, parallel: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', CHILD, lock, counter, String(count), String(parallel)], { timeout: 60_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`counter child failed: ${stderr}`)) : resolve(),
    );
  });
}

/** A pid that certainly belonged to a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

/** This boot's id as the lock records it (Linux), so a test's record reads as "this boot". */
const BOOT = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
})();

function writeLock(pid: number, token = 'someone-else', more: Record<string, unknown> = {}): void {
  writeFileSync(lock, JSON.stringify({ pid, host: hostname(), ...(BOOT ? { boot: BOOT } : {}), token, ...more }));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('withFileLock', () => {
  test('two processes, 50 increments each (3 parallel callers per process): exactly 100', async () => {
    const counter = join(dir, 'counter');
    writeFileSync(counter, '0');
    await Promise.all([runCounter(counter, 50, 3), runCounter(counter, 50, 3)]);
    assert.equal(readFileSync(counter, 'utf8'), '100');
    assert.equal(existsSync(lock), false, 'released');
  });

  test('two processes racing to take over a dead holder\'s lock: still exactly 100', async () => {
    const counter = join(dir, 'counter');
    writeFileSync(counter, '0');
    writeLock(deadPid());
    await Promise.all([runCounter(counter, 50, 3), runCounter(counter, 50, 3)]);
    assert.equal(readFileSync(counter, 'utf8'), '100');
    assert.equal(existsSync(`${lock}.takeover`), false);
  });

  test('a lock left by a dead process is taken over', async () => {
    writeLock(deadPid());
    assert.equal(await withFileLock(lock, async () => 'ran', { timeoutMs: 5_000 }), 'ran');
    assert.equal(existsSync(lock), false);
  });

  test('a live holder on this host is never taken over, however old its file looks (a wall clock that jumped)', async () => {
    writeLock(process.pid);
    const old = new Date(Date.now() - 10 * 86_400_000);
    utimesSync(lock, old, old);
    await assert.rejects(withFileLock(lock, async () => 'ran', { timeoutMs: 300, staleMs: 50 }), (e) => isAuthTrayError(e, 'LOCK_TIMEOUT'));
    assert.match(readFileSync(lock, 'utf8'), /someone-else/, 'left in place');
  });

  test('a lock from a previous boot is taken at once, even where its pid is alive now', { skip: BOOT ? false : 'no boot id on this system (Linux only)' }, async () => {
    writeLock(process.pid, 'before-the-reboot', { boot: '00000000-0000-0000-0000-000000000000' });
    assert.equal(await withFileLock(lock, async () => 'ran', { timeoutMs: 2_000 }), 'ran');
  });

  test('a holder that cannot be checked (another host, no record) is taken over once this waiter saw no heartbeat for staleMs', async () => {
    writeFileSync(lock, JSON.stringify({ pid: 1, host: 'another-host.example', token: 'remote' }));
    const started = performance.now();
    assert.equal(await withFileLock(lock, async () => 'ran', { timeoutMs: 5_000, staleMs: 200 }), 'ran');
    assert.ok(performance.now() - started >= 200, 'not before the waiter watched for staleMs');
    writeFileSync(lock, '');
    assert.equal(await withFileLock(lock, async () => 'ran', { timeoutMs: 5_000, staleMs: 200 }), 'ran', 'a record never written');
  });

  test('...but not while its heartbeat moves', async () => {
    writeFileSync(lock, JSON.stringify({ pid: 1, host: 'another-host.example', token: 'remote' }));
    const beat = setInterval(() => { const t = new Date(); utimesSync(lock, t, t); }, 40);
    try {
      await assert.rejects(withFileLock(lock, async () => 'ran', { timeoutMs: 1_000, staleMs: 300 }), (e) => isAuthTrayError(e, 'LOCK_TIMEOUT'));
    } finally {
      clearInterval(beat);
    }
  });

  test('a live, fresh lock: LOCK_TIMEOUT naming the lock, which is left in place', async () => {
    writeLock(process.pid);
    const before = readFileSync(lock, 'utf8');
    let ran = false;
    await assert.rejects(
      withFileLock(lock, async () => {
        ran = true;
      }, { timeoutMs: 150 }),
      (e) => isAuthTrayError(e, 'LOCK_TIMEOUT') && e.message.includes(lock) && e.message.includes(`process ${process.pid}`),
    );
    assert.equal(ran, false);
    assert.equal(readFileSync(lock, 'utf8'), before);
  });

  test('released when fn throws; the error passes through unchanged', async () => {
    const boom = new Error('boom');
    await assert.rejects(withFileLock(lock, async () => Promise.reject(boom)), (e) => e === boom);
    assert.equal(existsSync(lock), false);
    assert.equal(await withFileLock(lock, async () => 1, { timeoutMs: 100 }), 1);
  });

  test('never removes a lock that someone else took over meanwhile', async () => {
    await withFileLock(lock, async () => {
      writeLock(process.pid, 'the-new-owner');
    });
    assert.match(readFileSync(lock, 'utf8'), /the-new-owner/);
  });

  test('callers in one process take turns in call order', async () => {
    const events: string[] = [];
    const gate = deferred();
    const first = withFileLock(lock, async () => {
      events.push('1 in');
      await gate.promise;
      events.push('1 out');
    });
    const second = withFileLock(lock, async () => {
      events.push('2 in');
      events.push('2 out');
    });
    const third = withFileLock(lock, async () => {
      events.push('3 in');
      events.push('3 out');
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events, ['1 in']);
    gate.resolve();
    await Promise.all([first, second, third]);
    assert.deepEqual(events, ['1 in', '1 out', '2 in', '2 out', '3 in', '3 out']);
  });

  test('a caller waiting in this process times out too, and the queue moves on', async () => {
    const gate = deferred();
    const holder = withFileLock(lock, () => gate.promise);
    await assert.rejects(withFileLock(lock, async () => 'never', { timeoutMs: 50 }), (e) => isAuthTrayError(e, 'LOCK_TIMEOUT'));
    const next = withFileLock(lock, async () => 'next');
    gate.resolve();
    await holder;
    assert.equal(await next, 'next');
  });

  test('the holder keeps its lock fresh while it works, so it is not judged stale', async () => {
    await withFileLock(
      lock,
      async () => {
        const first = statSync(lock).mtimeMs;
        const deadline = Date.now() + 5_000;
        while (statSync(lock).mtimeMs === first) {
          assert.ok(Date.now() < deadline, 'the lock file was not refreshed within 5 s (staleMs 90)');
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      { staleMs: 90 },
    );
  });

  test('other file-system errors are rethrown as they are', async () => {
    await assert.rejects(withFileLock(join(dir, 'missing', 'x.lock'), async () => 1), (e) => (e as NodeJS.ErrnoException).code === 'ENOENT');
  });
});

describe('withFileLockSync', () => {
  test('takes and releases the lock; takes over a dead holder; times out on a live one', () => {
    assert.equal(withFileLockSync(lock, () => 'ran'), 'ran');
    assert.equal(existsSync(lock), false);
    writeLock(deadPid());
    assert.equal(withFileLockSync(lock, () => 'took over', { timeoutMs: 5_000 }), 'took over');
    writeLock(process.pid);
    assert.throws(() => withFileLockSync(lock, () => 'never', { timeoutMs: 100 }), (e) => isAuthTrayError(e, 'LOCK_TIMEOUT'));
  });

  test('waits (here: times out) while an async caller in this process is itself still waiting for another process', async () => {
    writeLock(process.pid, 'another-process');
    const waiting = withFileLock(lock, async () => 'async got it', { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    assert.throws(() => withFileLockSync(lock, () => 'must not run', { timeoutMs: 100 }), (e) => isAuthTrayError(e, 'LOCK_TIMEOUT'));
    rmSync(lock);
    assert.equal(await waiting, 'async got it');
  });

  test('runs at once when this process already holds the lock for an async caller', async () => {
    await withFileLock(lock, async () => {
      assert.equal(withFileLockSync(lock, () => 'inside', { timeoutMs: 100 }), 'inside');
      assert.ok(existsSync(lock), 'the async holder keeps its lock');
    });
    assert.equal(existsSync(lock), false);
  });
});
