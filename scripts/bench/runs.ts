/**
 * Whole-process timing for the bench: spawn a command, wait for it to exit, and take the wall
 * time from just before the spawn to the child's exit. Both sides of every comparison are timed
 * the same way, interleaved, so the machine's drift and the spawn overhead hit them equally.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';

export interface ProcessRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunSpec {
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Optional stdin (the child's stdin is closed either way). */
  input?: string;
}

/** Runs `node <args>` once; rejects on a non-zero exit, with its stderr. */
export function timeNode(spec: RunSpec, timeoutMs = 30_000): Promise<ProcessRun> {
  return timeCommand(process.execPath, spec, timeoutMs);
}

/** Runs `<command> <args>` once (no shell), timed the same way as {@link timeNode}. */
export function timeCommand(command: string, spec: RunSpec, timeoutMs = 30_000): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, spec.args, { env: spec.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${basename(command)} ${spec.args.join(' ')} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    // 'exit' (not 'close'): the process is gone; the pipes may drain a moment later.
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      child.on('close', () => {
        if (code !== 0) reject(new Error(`${basename(command)} ${spec.args.slice(0, 3).join(' ')}… exited ${code}: ${stderr.trim().slice(0, 400)}`));
        else resolve({ ms, code, stdout, stderr });
      });
    });
    // A child that exits without reading its stdin (oidc-token is done in a few ms) is no error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(spec.input ?? '');
  });
}

/**
 * Runs the two sides alternately (A B B A A B …, so neither always goes first), `runs` times
 * each after `warmup` unrecorded rounds. `before` prepares each run of a side (e.g. a fresh
 * refresh token) and is not timed.
 */
export async function interleaved(
  a: () => Promise<RunSpec> | RunSpec,
  b: () => Promise<RunSpec> | RunSpec,
  runs: number,
  warmup = 2,
  after: { a?: (r: ProcessRun) => void; b?: (r: ProcessRun) => void } = {},
): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < warmup + runs; i++) {
    const order: Array<'a' | 'b'> = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) {
      const spec = await (side === 'a' ? a() : b());
      const run = await timeNode(spec);
      after[side]?.(run);
      if (i >= warmup) out[side].push(run.ms);
    }
  }
  return out;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (0–100) of a non-empty list. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** "median 41.2 ms (p10–p90 39.8–44.0, n=30)". */
export function spread(xs: readonly number[]): string {
  return `p10–p90 ${percentile(xs, 10).toFixed(1)}–${percentile(xs, 90).toFixed(1)} ms, n=${xs.length}`;
}
