/**
 * Increments a counter file <count> times, each read-wait-write under withFileLock, from
 * <parallel> async loops in this process (so both the in-process queue and the file lock work).
 *
 *   node --import tsx test/helpers/lock-counter-child.ts <lockPath> <counterPath> <count> <parallel>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withFileLock } from '../../src/main/core/process-lock.ts';

const [lockPath, counterPath, count, parallel] = process.argv.slice(2);
if (!lockPath || !counterPath) throw new Error('usage: lock-counter-child.ts <lockPath> <counterPath> <count> <parallel>');

let left = Number(count);
async function loop(): Promise<void> {
  while (left > 0) {
    left--;
    await withFileLock(lockPath!, async () => {
      const n = Number(readFileSync(counterPath!, 'utf8'));
      // Give the other process every chance to interleave if the lock did not hold.
      await new Promise((r) => setTimeout(r, 1));
      writeFileSync(counterPath!, String(n + 1));
    });
  }
}
await Promise.all(Array.from({ length: Number(parallel) }, loop));
