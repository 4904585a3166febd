/**
 * The command line as an npm package (`npm run pack:cli`): the tarball holds the CLI bundle and
 * what it needs, nothing of the tests or the app; `npm install -g` of it into a clean prefix gives
 * a working `openeo-auth-tray` (keytar built for this Node, the keychain and settings used).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string }; repository: unknown };

test('npm run pack:cli: the CLI alone; npm install -g of it gives a working command', { timeout: 5 * 60_000 }, (t) => {
  const packed = spawnSync(process.execPath, ['scripts/pack-cli.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = packed.stdout.trim();
  t.after(() => rmSync(tarball, { force: true }));
  const files = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
  assert.deepEqual(files, [
    'package/LICENSE', 'package/README.md', 'package/dist/cli/openeo-auth-tray.cjs', 'package/dist/cli/openid-client.cjs',
    'package/docs/agent-protocol.md', 'package/docs/agent-protocol.schema.json', 'package/package.json',
  ]);
  const manifest = JSON.parse(spawnSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
  assert.equal(manifest.version, PKG.version);
  assert.deepEqual(Object.keys(manifest.dependencies as object).sort(), ['conf', 'keytar'], 'only what the CLI loads at run time');
  assert.deepEqual(manifest.engines, PKG.engines);
  assert.equal(manifest.devDependencies, undefined);
  assert.deepEqual(manifest.repository, PKG.repository, 'npm provenance needs the repository it was built from');

  const prefix = mkdtempSync(join(tmpdir(), 'oat-npm-prefix-'));
  const home = mkdtempSync(join(tmpdir(), 'oat-npm-home-'));
  t.after(() => { rmSync(prefix, { recursive: true, force: true }); rmSync(home, { recursive: true, force: true }); });
  const installed = spawnSync('npm', ['install', '-g', tarball, '--prefix', prefix, '--no-audit', '--no-fund', '--allow-scripts=keytar'], { encoding: 'utf8', timeout: 4 * 60_000 });
  assert.equal(installed.status, 0, installed.stderr);
  const command = join(prefix, 'bin', 'openeo-auth-tray');
  const version = spawnSync(command, ['--version'], { encoding: 'utf8' });
  assert.equal(version.stdout, `openeo-auth-tray ${PKG.version}\n`, version.stderr);
  // The keychain (keytar, native) and the settings folder work from the installed package.
  const status = spawnSync(command, ['status', '--json'], { encoding: 'utf8', env: { ...process.env, OPENEO_AUTH_TRAY_HOME: home } });
  assert.equal(status.status, 0, status.stderr);
  assert.deepEqual(JSON.parse(status.stdout), []);
  const keytar = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(prefix, 'lib/node_modules/openeo-auth-tray/node_modules/keytar'))}).findCredentials('openeo-auth-tray-npm-test').then((c) => console.log(c.length))`], { encoding: 'utf8' });
  assert.equal(keytar.stdout.trim(), '0', `keytar loads and answers: ${keytar.stderr}`);
});
