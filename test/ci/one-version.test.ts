/**
 * One version: package.json is its only source. The CLI (`--version`), the token agent's
 * `openeo-auth-tray/info`, the window's About (window-api `getAbout`), the npm tarball, the
 * Python package (`__version__` and the wheel's metadata, through pyproject's dynamic version)
 * and the project's addresses follow it. The wheel itself is checked where it is built
 * (test/python/bridge.test.ts), the installed `__version__` by pytest (test_app_version.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { VERSION } from '../../src/shared/version.ts';
import { versionFileText } from '../../scripts/sync-version.mjs';
import { agentRequest } from '../helpers/agent.ts';
import { startCliAgent } from '../helpers/cli-agent.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
const VERSION_FILE = join(ROOT, 'python/openeo_auth_tray/_version.py');
const REPO_URL = PKG.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

test('the Python package\'s version file says package.json\'s version (and would fail if it did not)', () => {
  assert.equal(readFileSync(VERSION_FILE, 'utf8'), versionFileText(PKG.version));
  assert.notEqual(readFileSync(VERSION_FILE, 'utf8'), versionFileText(`${PKG.version}1`));
  const check = spawnSync(process.execPath, [join(ROOT, 'scripts/sync-version.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('pyproject takes its version from that file and writes none of its own; npm version rewrites it', () => {
  const pyproject = readFileSync(join(ROOT, 'python/pyproject.toml'), 'utf8');
  assert.match(pyproject, /^dynamic = \["version"\]$/m);
  assert.doesNotMatch(pyproject, /^version\s*=\s*"/m, "no version written in pyproject itself");
  assert.match(pyproject, /^version = \{ attr = "openeo_auth_tray\._version\.__version__" \}$/m);
  const init = readFileSync(join(ROOT, 'python/openeo_auth_tray/__init__.py'), 'utf8');
  assert.match(init, /^from \._version import __version__$/m);
  assert.doesNotMatch(init, /__version__\s*=/);
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.version ?? '', /node scripts\/sync-version\.mjs && git add python\/openeo_auth_tray\/_version\.py/);
});

test('the CLI, the window and the agent are built with package.json\'s version', () => {
  assert.equal(VERSION, PKG.version);
});

test('the running agent answers openeo-auth-tray/info with package.json\'s version', { timeout: 60_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'oat-one-version-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const agent = await startCliAgent({ ...process.env, OPENEO_AUTH_TRAY_HOME: join(home, 'settings'), OPENEO_AUTH_TRAY_AGENT_DIR: join(home, 'agent') });
  t.after(() => agent.stop());
  const info = await agentRequest(agent.socket, { request: 'openeo-auth-tray/info' });
  assert.equal(info.version, PKG.version);
  assert.equal(info.protocol, 1);
});

test('the project\'s addresses are package.json\'s repository everywhere they are written', () => {
  assert.match(REPO_URL, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  const pyproject = readFileSync(join(ROOT, 'python/pyproject.toml'), 'utf8');
  const urls = [...pyproject.matchAll(/^\w+ = "(https:\/\/[^"]+)"$/gm)].map((m) => m[1]!);
  assert.ok(urls.length >= 4);
  for (const url of urls) assert.ok(url.startsWith(REPO_URL), `${url} is not under ${REPO_URL}`);
  const [owner, repo] = REPO_URL.split('/').slice(-2);
  const builder = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
  assert.match(builder, new RegExp(`provider: github\\n\\s+owner: ${owner}\\n\\s+repo: ${repo}\\n`), 'updates come from this repository\'s releases');
});

test('the Python package carries the project\'s licence text, the same file', () => {
  assert.equal(readFileSync(join(ROOT, 'python/LICENSE'), 'utf8'), readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
  assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
});
