/**
 * The Python that runs the bridge's tests and benchmark: the environments `npm run setup:python`
 * makes (scripts/python-env.mjs), with the bridge installed there as a wheel — `newest` (the
 * newest openeo it is tested on, python/constraints.txt) by default, `oldest` (the oldest it
 * declares, python/constraints-oldest.txt) on request. `$OPENEO_AUTH_TRAY_PYTHON` (and
 * `$OPENEO_AUTH_TRAY_PYTHON_OLDEST`) name another python; each is used only if it has the pinned
 * openeo and the bridge installed (not importable from the source tree: the tests never set
 * PYTHONPATH).
 */
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { environmentPython, pinnedOpeneo } from '../../scripts/python-env.mjs';

export const PYTHON_DIR = fileURLToPath(new URL('../../python', import.meta.url));
export type PythonEnvironment = 'newest' | 'oldest';
export const PINNED_OPENEO: Record<PythonEnvironment, string> = { newest: pinnedOpeneo('newest'), oldest: pinnedOpeneo('oldest') };
const OVERRIDE: Record<PythonEnvironment, string> = { newest: 'OPENEO_AUTH_TRAY_PYTHON', oldest: 'OPENEO_AUTH_TRAY_PYTHON_OLDEST' };

/** `{ python }`, or `{ missing }` with the reason in words and what to run. */
export function findPython(which: PythonEnvironment = 'newest'): { python: string } | { missing: string } {
  const python = process.env[OVERRIDE[which]] || environmentPython(which);
  const probe = spawnSync(python, ['-c', 'import openeo, pytest, openeo_auth_tray; print(openeo.__version__)'], { encoding: 'utf8', timeout: 60_000, cwd: tmpdir() });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`;
    return { missing: `no Python with openeo==${PINNED_OPENEO[which]}, pytest and the bridge's wheel (${python}: ${why}); run \`npm run setup:python\`` };
  }
  const version = probe.stdout.trim();
  if (version !== PINNED_OPENEO[which]) return { missing: `${python} has openeo ${version}, the suite pins ${PINNED_OPENEO[which]}; run \`npm run setup:python\`` };
  return { python };
}

/** The environment for Python processes that use the bridge installed in their environment. */
export function pythonEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, OPENEO_AUTH_TRAY_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTHONPATH; // the bridge under test is the installed wheel, never the source tree
  return env;
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
