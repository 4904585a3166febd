// `npm run setup:python`: a Python virtual environment for the bridge's tests, outside the
// repository (~/.cache/openeo-auth-tray/python-<hash of python/constraints.txt>), with the pinned
// openEO client from PyPI, pytest, oidc-agent's Python client (liboidcagent) and jsonschema for the
// token agent's tests, and the bridge installed the way users install it
// (`pip install ./python`). Prints the environment's python on stdout; progress on stderr.
// Reused as long as the constraints do not change.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const constraints = join(root, 'python', 'constraints.txt');
const hash = createHash('sha256').update(readFileSync(constraints)).digest('hex').slice(0, 12);
const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'openeo-auth-tray');
const venv = join(cache, `python-${hash}`);
const bin = process.platform === 'win32' ? join(venv, 'Scripts') : join(venv, 'bin');
const python = join(bin, process.platform === 'win32' ? 'python.exe' : 'python');
const ready = join(venv, '.openeo-auth-tray-ready');

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 2, 2], cwd: root });
  if (r.status !== 0) {
    process.stderr.write(`python-env: ${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    process.exit(1);
  }
};

if (!existsSync(ready)) {
  const base = process.env.PYTHON || 'python3';
  process.stderr.write(`python-env: creating ${venv} with ${base}\n`);
  rmSync(venv, { recursive: true, force: true });
  run(base, ['-m', 'venv', venv]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-c', constraints, 'openeo', 'pytest', 'liboidcagent', 'jsonschema']);
  writeFileSync(ready, `${new Date().toISOString()}\n`);
}
// The bridge itself, every time (it is small): proves `pip install ./python` works.
run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--force-reinstall', join(root, 'python')]);
for (const leftover of ['build', 'openeo_auth_tray.egg-info']) rmSync(join(root, 'python', leftover), { recursive: true, force: true });
process.stdout.write(`${python}\n`);
