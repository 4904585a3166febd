// `npm run bench`: builds, then prints the performance table (and writes it to
// test-output/bench.md). Runs inside a private D-Bus session and keyring
// (scripts/with-private-keyring.sh), like `npm test`: the real user's keyring is never touched.
// `npm run bench -- --quick` takes fewer samples.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.env.OPENEO_AUTH_TRAY_TEST_KEYRING !== '1') {
  const r = spawnSync(join(root, 'scripts/with-private-keyring.sh'), [process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', cwd: root });
  process.exit(r.status ?? 1);
}

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
// The CLI is measured from a copy of this very build (inside the repo, so `keytar` resolves): a
// rebuild started meanwhile (e.g. by a watcher or a test run) cannot swap files under a run.
const cliDir = join(root, 'test-output/bench-cli');
rmSync(cliDir, { recursive: true, force: true });
cpSync(join(root, 'dist/cli'), cliDir, { recursive: true });
const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, OPENEO_AUTH_TRAY_BENCH_CLI_DIR: cliDir },
});
rmSync(cliDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
