/**
 * The GitHub Actions workflow cannot run on the project's machines (no Electron binary, no
 * GitHub), so `npm test` checks what can be checked here: its syntax against the workflow schema
 * (action-validator, from npm), and that it runs what the README says it runs.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const VALIDATOR = join(ROOT, 'node_modules', '.bin', 'action-validator');

function validate(file: string): { ok: boolean; output: string } {
  const r = spawnSync(VALIDATOR, [file], { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

test('every workflow is valid for GitHub Actions', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length >= 1);
  for (const f of files) {
    const r = validate(join(WORKFLOWS, f));
    assert.ok(r.ok, `${f}: ${r.output}`);
  }
});

test('the validator refuses a broken workflow (so the check above can fail)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oat-workflow-'));
  try {
    const broken = readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8').replace('runs-on: ${{ matrix.os }}', 'runs_on: ${{ matrix.os }}');
    writeFileSync(join(dir, 'ci.yml'), broken);
    assert.equal(validate(join(dir, 'ci.yml')).ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ci.yml runs npm test through .ci/run, and the real app on three systems', () => {
  const text = readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8');
  assert.match(text, /bash \.ci\/run/);
  assert.match(text, /os: \[ubuntu-[\d.]+, macos-\d+, windows-\d+\]/);
  assert.match(text, /xvfb-run -a npm run test:electron/);
  assert.match(text, /test\/e2e\/electron\.test\.ts/);
});

/** The jobs of a workflow, each as its own block of text (two-space indented keys under `jobs:`). */
function jobs(text: string): Map<string, string> {
  const body = text.slice(text.indexOf('\njobs:\n') + 7);
  const out = new Map<string, string>();
  for (const m of body.matchAll(/^ {2}([\w-]+):\n((?: {4}.*\n|\s*\n)*)/gm)) out.set(m[1]!, m[2]!);
  return out;
}

describe('release.yml', () => {
  const text = readFileSync(join(WORKFLOWS, 'release.yml'), 'utf8');
  const job = jobs(text);

  test('runs on v* tags and on pull requests; the tag must be package.json\'s version', () => {
    assert.match(text, /^on:\n {2}push:\n {4}tags: \["v\*"\]\n {2}pull_request:\n/m);
    assert.match(job.get('version') ?? '', /test "v\$version" = "\$GITHUB_REF_NAME"/);
    assert.match(job.get('version') ?? '', /sync-version\.mjs --check/);
  });

  test('builds the installers on Linux, macOS and Windows, installs each and runs openeo-auth-tray --version and status from the PATH', () => {
    const installers = job.get('installers') ?? '';
    assert.match(installers, /os: \[ubuntu-[\d.]+, macos-\d+, windows-\d+\]/);
    assert.match(installers, /npm run dist -- --publish never/);
    assert.match(installers, /apt-get install -y -qq \.\/release\/\*\.deb/);
    assert.match(installers, /hdiutil attach/);
    assert.match(installers, /-ArgumentList '\/S'/);
    const commands = installers.split('\n').filter((l) => !/^\s*- name:/.test(l)).join('\n');
    assert.equal([...commands.matchAll(/(?:^|\s)openeo-auth-tray --version$/gm)].length, 3, 'once per system');
    assert.equal([...commands.matchAll(/(?:^|\s)openeo-auth-tray status'?$/gm)].length, 3, 'once per system');
    for (const f of ['AppImage', 'deb', 'dmg', 'zip', 'exe', 'blockmap']) assert.match(installers, new RegExp(`release/\\*\\.${f}\\n`), f);
    assert.match(installers, /release\/latest\*\.yml/, 'electron-updater\'s feed files');
  });

  test('the wheel and the sdist (python -m build, twine check) and the npm tarball, then SHA256SUMS of everything', () => {
    assert.match(job.get('python') ?? '', /python -m build --outdir dist-python python/);
    assert.match(job.get('python') ?? '', /twine check --strict/);
    assert.match(job.get('npm') ?? '', /npm run pack:cli/);
    assert.match(job.get('checksums') ?? '', /needs: \[installers, python, npm\]/);
    assert.match(job.get('checksums') ?? '', /sha256sum -- \* > SHA256SUMS/);
  });

  test('publishes only on a tag: the GitHub Release, PyPI through trusted publishing, npm with provenance', () => {
    for (const name of ['github-release', 'pypi', 'npm-publish']) {
      assert.match(job.get(name) ?? '', /if: startsWith\(github\.ref, 'refs\/tags\/v'\)/, name);
    }
    for (const name of ['version', 'installers', 'python', 'npm', 'checksums']) {
      assert.doesNotMatch(job.get(name) ?? '', /^ {4}if:/m, `${name} runs on pull requests too`);
    }
    assert.match(job.get('github-release') ?? '', /contents: write/);
    assert.match(job.get('github-release') ?? '', /gh release create/);
    const pypi = job.get('pypi') ?? '';
    assert.match(pypi, /id-token: write/);
    assert.match(pypi, /pypa\/gh-action-pypi-publish@release\/v1/);
    assert.doesNotMatch(pypi, /password:|PYPI_TOKEN/, 'trusted publishing: no token');
    const npm = job.get('npm-publish') ?? '';
    assert.match(npm, /id-token: write/);
    assert.match(npm, /npm publish npm\/\*\.tgz --provenance --access public/);
    // Only these jobs may write or mint tokens.
    assert.match(text, /^permissions:\n {2}contents: read\n/m);
  });
});
