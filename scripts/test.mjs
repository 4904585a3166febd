// `npm test`: type-check, build, static security scan, then every test file with node's test
// runner, inside a private D-Bus session and keyring (scripts/with-private-keyring.sh).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (process.env.OPENEO_AUTH_TRAY_TEST_KEYRING !== '1') {
  const r = spawnSync(join(root, 'scripts/with-private-keyring.sh'), [process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', cwd: root });
  process.exit(r.status ?? 1);
}

const only = process.argv.slice(2);
if (only.length === 0) {
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'src/renderer/tsconfig.json']);
  run(process.execPath, [join(root, 'scripts/build.mjs')]);
  // Static security scan of the Electron code (electronegativity); fails on unaccepted findings.
  run(process.execPath, [join(root, 'scripts/security-scan.mjs')]);
}

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
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
