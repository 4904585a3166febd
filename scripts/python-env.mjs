// `npm run setup:python`: the Python bridge as users get it, and the environments its tests run in.
//
// 1. Three virtual environments outside the repository, in ~/.cache/openeo-auth-tray/python-<hash
//    of both constraints files>/, made once (unless --no-create) and reused while the pins hold:
//    - build:  `build`, `twine` (python/constraints.txt);
//    - newest: the newest openeo the bridge is tested on, pytest, liboidcagent, jsonschema
//              (python/constraints.txt);
//    - oldest: the oldest openeo the bridge declares, the same test tools (python/constraints-oldest.txt).
// 2. Every run: the wheel and the sdist anew with `python -m build` (setuptools pinned in its
//    isolated build environment through PIP_CONSTRAINT) into release/python/, then `twine check`.
// 3. Every run: that wheel installed into `newest` and `oldest` the way pip installs it for a user
//    (its declared requirements resolved against each environment's pins: pip fails if
//    `openeo>=…` does not hold the pinned client), then `pip check`. The tests import the
//    installed wheel, never the source tree.
//
// Prints the `newest` environment's python on stdout (what .ci/run exports), or with --json one
// object: { newest: {python, openeo}, oldest: {python, openeo}, wheel, sdist, version }. Progress on
// stderr. With --no-create and an environment missing: exit 3 and the reason on stderr.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pythonDir = join(root, 'python');
const CONSTRAINTS = { newest: join(pythonDir, 'constraints.txt'), oldest: join(pythonDir, 'constraints-oldest.txt') };
/** What each environment holds besides the wheel. */
const CONTENTS = {
  build: { constraints: CONSTRAINTS.newest, packages: ['build', 'twine'] },
  newest: { constraints: CONSTRAINTS.newest, packages: ['openeo', 'pytest', 'liboidcagent', 'jsonschema'] },
  oldest: { constraints: CONSTRAINTS.oldest, packages: ['openeo', 'pytest', 'liboidcagent', 'jsonschema'] },
};

/** The cache folder of the environments for the current pins. */
export function environmentsDir(env = process.env) {
  const hash = createHash('sha256');
  for (const file of Object.values(CONSTRAINTS)) hash.update(readFileSync(file));
  const cache = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'openeo-auth-tray');
  return join(cache, `python-${hash.digest('hex').slice(0, 12)}`);
}

/** The python of one environment. */
export function environmentPython(name, env = process.env) {
  const bin = process.platform === 'win32' ? 'Scripts' : 'bin';
  return join(environmentsDir(env), name, bin, process.platform === 'win32' ? 'python.exe' : 'python');
}

/** The openeo version an environment pins. */
export function pinnedOpeneo(name) {
  return /^openeo==(\S+)$/m.exec(readFileSync(CONTENTS[name].constraints, 'utf8'))?.[1] ?? '?';
}

function fail(message, code = 1) {
  process.stderr.write(`python-env: ${message}\n`);
  process.exit(code);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root, encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    fail(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
  return r.stdout;
}

const pip = (python, ...args) => run(python, ['-m', 'pip', '--disable-pip-version-check', ...args]);

function ensureEnvironment(name, create) {
  const dir = join(environmentsDir(), name);
  const ready = join(dir, '.openeo-auth-tray-ready');
  if (existsSync(ready)) return;
  if (!create) fail(`no ${name} environment at ${dir}; run \`npm run setup:python\``, 3);
  const base = process.env.PYTHON || 'python3';
  process.stderr.write(`python-env: creating ${dir} with ${base}\n`);
  rmSync(dir, { recursive: true, force: true });
  run(base, ['-m', 'venv', dir]);
  const { constraints, packages } = CONTENTS[name];
  pip(environmentPython(name), 'install', '--quiet', '-c', constraints, ...packages);
  writeFileSync(ready, `${new Date().toISOString()}\n`);
}

/** `python -m build` into a fresh folder, then release/python/ holds exactly its wheel and sdist. */
function buildDistributions() {
  const out = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-dist-'));
  // The source is copied first: setuptools writes build/ and *.egg-info beside the sources.
  const source = join(out, 'source');
  run('cp', ['-R', pythonDir, source]);
  for (const leftover of ['build', 'dist', 'openeo_auth_tray.egg-info', 'tests', 'benchmarks']) rmSync(join(source, leftover), { recursive: true, force: true });
  run(environmentPython('build'), ['-m', 'build', '--outdir', join(out, 'dist'), source], {
    env: { ...process.env, PIP_CONSTRAINT: CONSTRAINTS.newest, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  const built = readdirSync(join(out, 'dist'));
  const wheelName = built.find((f) => f.endsWith('.whl'));
  const sdistName = built.find((f) => f.endsWith('.tar.gz'));
  if (!wheelName || !sdistName || built.length !== 2) fail(`python -m build made ${built.join(', ') || 'nothing'}, not one wheel and one sdist`);
  run(environmentPython('build'), ['-m', 'twine', 'check', '--strict', join(out, 'dist', wheelName), join(out, 'dist', sdistName)]);
  const target = join(root, 'release', 'python');
  mkdirSync(join(root, 'release'), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(join(out, 'dist'), target);
  rmSync(out, { recursive: true, force: true });
  return { wheel: join(target, wheelName), sdist: join(target, sdistName) };
}

/** The wheel into an environment, as a user's pip installs it; then pip's own consistency check. */
function installWheel(name, wheel) {
  const python = environmentPython(name);
  pip(python, 'uninstall', '--quiet', '--yes', 'openeo-auth-tray');
  pip(python, 'install', '--quiet', '-c', CONTENTS[name].constraints, wheel);
  pip(python, 'check');
  const seen = run(python, ['-c', 'import openeo, openeo_auth_tray; print(openeo.__version__, openeo_auth_tray.__version__, openeo_auth_tray.__file__)'], { cwd: tmpdir() }).trim().split(' ');
  if (seen[0] !== pinnedOpeneo(name)) fail(`${name}: openeo ${seen[0]} is installed, the pins say ${pinnedOpeneo(name)}`);
  if (seen[2]?.startsWith(pythonDir)) fail(`${name}: openeo_auth_tray is imported from the source tree (${seen[2]})`);
  return { python, openeo: seen[0], bridge: seen[1] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const create = !args.includes('--no-create');
  for (const name of Object.keys(CONTENTS)) ensureEnvironment(name, create);
  const { wheel, sdist } = buildDistributions();
  const newest = installWheel('newest', wheel);
  const oldest = installWheel('oldest', wheel);
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (newest.bridge !== version) fail(`the installed wheel says ${newest.bridge}, package.json ${version}: run node scripts/sync-version.mjs`);
  process.stdout.write(args.includes('--json') ? `${JSON.stringify({ newest, oldest, wheel, sdist, version })}\n` : `${newest.python}\n`);
}
