/**
 * The GitHub Actions workflow cannot run on the project's machines (no Electron binary, no
 * GitHub), so `npm test` checks what can be checked here: its syntax against the workflow schema
 * (action-validator, from npm), and that it runs what the README says it runs.
 */
import { test } from 'node:test';
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

test('ci.yml runs npm test through .ci/run, and the real app and the installers on three systems', () => {
  const text = readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8');
  assert.match(text, /bash \.ci\/run/);
  assert.match(text, /os: \[ubuntu-[\d.]+, macos-\d+, windows-\d+\]/);
  assert.match(text, /xvfb-run -a npm run test:electron/);
  assert.match(text, /test\/e2e\/electron\.test\.ts/);
  assert.match(text, /npm run dist/);
  assert.match(text, /actions\/upload-artifact@v4/);
});
