/**
 * The Python bridge's pytest suite (`python/tests`), run by `npm test` with the real openEO client
 * from PyPI at the version pinned in `python/constraints.txt`. Each pytest case is reported as a
 * test here. Without a Python that has that client the suite is SKIPPED with the reason — except
 * under CI (`CI` set), where that is a failure: `.ci/run` installs it (`npm run setup:python`).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPython, PINNED_OPENEO, PYTHON_DIR, pythonEnv } from '../helpers/python.ts';

/** The whole suite takes about 3 minutes; this only bounds a hang. */
const SUITE_TIMEOUT_MS = 15 * 60_000;

interface Case {
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_m, name: string, dec?: string, hex?: string) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16))
      : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name.toLowerCase()] ?? '');
}

/** The test cases of pytest's JUnit XML report. */
function readJunit(xml: string): Case[] {
  const cases: Case[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = m[1] ?? '';
    const body = m[2] ?? '';
    const attr = (name: string): string => unescapeXml(new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1] ?? '');
    const failure = /<(failure|error)\b[^>]*?(?:message="([^"]*)")?[^>]*>([\s\S]*?)<\/\1>/.exec(body);
    const skipped = /<skipped\b[^>]*?message="([^"]*)"/.exec(body);
    cases.push({
      name: `${attr('classname').replace(/^tests\./, '')}: ${attr('name')}`,
      outcome: failure ? 'failed' : skipped ? 'skipped' : 'passed',
      detail: unescapeXml(failure ? `${failure[2] ?? ''}\n${failure[3] ?? ''}` : skipped?.[1] ?? ''),
    });
  }
  return cases;
}

async function runPytest(python: string): Promise<{ cases: Case[]; output: string; code: number | null }> {
  const out = mkdtempSync(join(tmpdir(), 'oat-pytest-'));
  const junit = join(out, 'junit.xml');
  try {
    const child = spawn(python, ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rs', `--junitxml=${junit}`, 'tests'], {
      cwd: PYTHON_DIR,
      env: pythonEnv(process.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_TIMEOUT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    return { cases: existsSync(junit) ? readJunit(readFileSync(junit, 'utf8')) : [], output, code };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const found = findPython();
const title = `Python bridge (pytest, real openeo ${PINNED_OPENEO} from PyPI)`;
if ('missing' in found) {
  if (process.env.CI) {
    test(title, () => assert.fail(`CI must run the Python bridge suite, but: ${found.missing}`));
  } else {
    test(title, { skip: found.missing }, () => undefined);
  }
} else {
  const { cases, output, code } = await runPytest(found.python);
  describe(title, () => {
    test('pytest ran and reported every case', () => {
      assert.ok(cases.length >= 20, `pytest exit ${code}, ${cases.length} cases; output:\n${output.slice(-4000)}`);
      assert.ok(code === 0 || cases.some((c) => c.outcome === 'failed'), `pytest exit ${code} without a failed case:\n${output.slice(-4000)}`);
    });
    for (const c of cases) {
      test(c.name, { skip: c.outcome === 'skipped' ? c.detail || 'skipped by pytest' : false }, () => {
        if (c.outcome === 'failed') assert.fail(c.detail.slice(0, 6000));
      });
    }
  });
}
