// `npm test`: type-check, lint, build, static security scan, then every test file with node's test
// runner, inside a private D-Bus session and keyring (scripts/with-private-keyring.sh).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { locateKeycloak } from './keycloak.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    // Leaves no Keycloak behind: the server's stdin closes with this process and it stops.
    process.exit(r.status ?? 1);
  }
};

if (process.env.OPENEO_AUTH_TRAY_TEST_KEYRING !== '1') {
  const r = spawnSync(join(root, 'scripts/with-private-keyring.sh'), [process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', cwd: root });
  process.exit(r.status ?? 1);
}

const only = process.argv.slice(2);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
// The real-Electron smoke test runs with `npm run test:electron` (it needs the Electron binary).
const files = (only.length ? only : findTests(join(root, 'test')).filter((f) => !f.endsWith('test/e2e/electron.test.ts'))).sort();

// The Keycloak suite (test/keycloak) shares one Keycloak, started here first so that its start-up
// overlaps the type check and the build; the suite waits for it (bounded) and says so when it is
// not available (skipped, or failed when CI is set).
const env = { ...process.env };
let keycloak = null;
if (files.some((f) => f.startsWith('test/keycloak/'))) {
  const found = locateKeycloak();
  if (found.ok) {
    const dir = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-kc-'));
    env.OPENEO_AUTH_TRAY_KEYCLOAK_STATE = join(dir, 'state.json');
    const child = spawn(process.execPath, [join(root, 'scripts/keycloak.mjs'), 'serve', '--state', env.OPENEO_AUTH_TRAY_KEYCLOAK_STATE], { stdio: ['pipe', 'inherit', 'inherit'], cwd: root });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    keycloak = { dir, stop: async () => { child.kill('SIGTERM'); await exited; rmSync(dir, { recursive: true, force: true }); } };
  } else {
    env.OPENEO_AUTH_TRAY_KEYCLOAK_UNAVAILABLE = found.reason;
  }
}
const stopKeycloak = async () => { await keycloak?.stop(); keycloak = null; };

if (only.length === 0) {
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'src/renderer/tsconfig.json']);
  // ESLint and the import-cycle check over src/ (scripts/lint.mjs); fails on any finding.
  run(process.execPath, [join(root, 'scripts/lint.mjs')]);
  run(process.execPath, [join(root, 'scripts/build.mjs')]);
  // Static security scan of the Electron code (electronegativity); fails on unaccepted findings.
  run(process.execPath, [join(root, 'scripts/security-scan.mjs')]);
}

// Two test files at a time. Node's default is one fewer than the cores (one file at a time on
// the project's 2-core machines), while most of a file's time is spent waiting on its child
// processes, Keycloak, Chromium and pytest: two at a time took the suite from about 22 to 13.5
// minutes here, every test passing. The tests inject their clocks and bound their waits, so
// the extra load moves no outcome (OPENEO_AUTH_TRAY_TEST_CONCURRENCY=1 runs them one by one).
const concurrency = /^[1-8]$/.test(process.env.OPENEO_AUTH_TRAY_TEST_CONCURRENCY ?? '') ? process.env.OPENEO_AUTH_TRAY_TEST_CONCURRENCY : '2';
// Asynchronous, so that the Keycloak server can be stopped and waited for afterwards.
const testRun = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root, env });
const code = await new Promise((resolve) => testRun.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await stopKeycloak();
process.exit(code);
