/**
 * The Python that runs the bridge's tests and benchmark: `$OPENEO_AUTH_TRAY_PYTHON`, else the
 * virtual environment `npm run setup:python` made (scripts/python-env.mjs), else `python3` —
 * each only if it has the openEO client at the version pinned in `python/constraints.txt`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON_DIR = fileURLToPath(new URL('../../python', import.meta.url));
const CONSTRAINTS = join(PYTHON_DIR, 'constraints.txt');
export const PINNED_OPENEO = /^openeo==(\S+)$/m.exec(readFileSync(CONSTRAINTS, 'utf8'))?.[1] ?? '?';

/** `{ python }`, or `{ missing }` with the reason in words and what to run. */
export function findPython(): { python: string } | { missing: string } {
  const hash = createHash('sha256').update(readFileSync(CONSTRAINTS)).digest('hex').slice(0, 12);
  const cached = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'openeo-auth-tray', `python-${hash}`, 'bin', 'python');
  const python = process.env.OPENEO_AUTH_TRAY_PYTHON || (existsSync(cached) ? cached : 'python3');
  const probe = spawnSync(python, ['-c', 'import openeo, pytest; print(openeo.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`;
    return { missing: `no Python with openeo==${PINNED_OPENEO} and pytest (${python}: ${why}); run \`npm run setup:python\`` };
  }
  const version = probe.stdout.trim();
  if (version !== PINNED_OPENEO) return { missing: `${python} has openeo ${version}, the suite pins ${PINNED_OPENEO}; run \`npm run setup:python\`` };
  return { python };
}

/** The environment for Python processes that import the bridge from this checkout. */
export function pythonEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, OPENEO_AUTH_TRAY_NODE: process.execPath, PYTHONPATH: PYTHON_DIR, PYTHONDONTWRITEBYTECODE: '1' };
}

export interface PythonRun {
  /** null when it was killed at the deadline. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python <args>` and collects its output; killed (SIGKILL) after `timeoutMs`. */
export function runPython(python: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
