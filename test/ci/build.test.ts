/**
 * The build from a folder whose path has a space (as on many Windows and macOS machines): every
 * part is built, the CLI stays executable through a second build (so `npm link`'s command keeps
 * working), and a missing entry point fails the build instead of building nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function copyOfTheProject(): string {
  const base = mkdtempSync(join(tmpdir(), 'oat build '));
  const dir = join(base, 'open eo');
  mkdirSync(dir);
  for (const part of ['scripts', 'src', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const build = (dir: string) => spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });

test('built in a path with spaces; the CLI is executable and stays so after a second build; `npm link`\'s command runs', (t) => {
  const dir = copyOfTheProject();
  const prefix = mkdtempSync(join(tmpdir(), 'oat prefix '));
  t.after(() => {
    rmSync(join(dir, '..'), { recursive: true, force: true });
    rmSync(prefix, { recursive: true, force: true });
  });
  const first = build(dir);
  assert.equal(first.status, 0, first.stderr);
  for (const f of ['dist/cli/openeo-auth-tray.cjs', 'dist/cli/openid-client.cjs', 'dist/main/index.js', 'dist/preload/preload.cjs', 'dist/renderer/app.js', 'dist/renderer/index.html']) {
    assert.ok(existsSync(join(dir, f)), `${f} was built`);
  }
  const linked = spawnSync('npm', ['link', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_prefix: prefix }, timeout: 120_000 });
  assert.equal(linked.status, 0, linked.stderr);
  const command = join(prefix, 'bin', 'openeo-auth-tray');
  for (const round of [1, 2]) {
    if (round === 2) assert.equal(build(dir).status, 0, 'the second build');
    assert.equal(statSync(join(dir, 'dist/cli/openeo-auth-tray.cjs')).mode & 0o777, 0o755, `build ${round}: mode 0755`);
    const run = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, `build ${round}: ${run.error?.message ?? run.stderr}`);
    assert.equal(run.stdout, `openeo-auth-tray ${VERSION}\n`, 'the version comes from package.json');
  }
});

test('a missing entry point fails the build and says which, instead of building nothing', (t) => {
  const dir = copyOfTheProject();
  t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  rmSync(join(dir, 'src/renderer/index.html'));
  const r = build(dir);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /src\/renderer\/index\.html is missing; nothing was built/);
  assert.equal(existsSync(join(dir, 'dist')), false);
});
