/**
 * The Python bridge as users install it: `scripts/python-env.mjs` builds the wheel and the sdist
 * (`python -m build`), checks them (`twine check --strict`) and installs the wheel into two
 * environments — the newest openeo the bridge is tested on and the oldest it declares — where the
 * pytest suite (`python/tests`) then runs against the installed package, never the source tree.
 * The whole suite runs on the newest; its openEO-facing part (the connection's hooks, renewal,
 * refusal, pickling and forking, the version checks) on the oldest, at the same time: that is
 * what differs between openeo releases, and the rest (the agent's socket, the CLI's bounds) does
 * not touch the client. Each pytest case is reported as a test here.
 *
 * Without the environments the suite is SKIPPED with the reason — except under CI (`CI` set),
 * where that is a failure: `.ci/run` makes them (`npm run setup:python`).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PINNED_OPENEO, PYTHON_DIR, pythonEnv, type PythonEnvironment } from '../helpers/python.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
/** The whole suite takes about 6 minutes; this only bounds a hang. */
const SUITE_TIMEOUT_MS = 20 * 60_000;
/** What runs on the oldest openeo: every test that goes through the openEO client's own code. */
export const OLDEST_SUBSET = ['test_stays_signed_in.py', 'test_backend_refuses.py', 'test_processes.py', 'test_app_version.py'];

interface Case {
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
}

interface Prepared {
  newest: { python: string; openeo: string };
  oldest: { python: string; openeo: string };
  wheel: string;
  sdist: string;
  version: string;
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

/** Runs pytest on `files` (all of python/tests when empty) from a folder outside the source tree. */
async function runPytest(python: string, files: string[]): Promise<{ cases: Case[]; output: string; code: number | null }> {
  const out = mkdtempSync(join(tmpdir(), 'oat-pytest-'));
  const junit = join(out, 'junit.xml');
  const targets = files.length ? files.map((f) => join(PYTHON_DIR, 'tests', f)) : [join(PYTHON_DIR, 'tests')];
  try {
    // cwd outside python/: `python -m` puts its working folder on sys.path, which would make the
    // source tree importable; pytest adds only python/tests (for conftest).
    const child = spawn(python, ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rs', `--junitxml=${junit}`, '--rootdir', PYTHON_DIR, ...targets], {
      cwd: out,
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

/** The wheel's files and one member's text, read with the environment's own zipfile. */
function wheelFiles(python: string, wheel: string): { names: string[]; metadata: string } {
  const script = 'import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); names = z.namelist(); '
    + 'meta = [n for n in names if n.endswith(".dist-info/METADATA")]; '
    + 'print(json.dumps({"names": names, "metadata": z.read(meta[0]).decode() if meta else ""}))';
  const r = spawnSync(python, ['-c', script, wheel], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { names: string[]; metadata: string };
}

const prepare = spawnSync(process.execPath, [join(ROOT, 'scripts/python-env.mjs'), '--no-create', '--json'], { encoding: 'utf8', timeout: 10 * 60_000 });
const title = `Python bridge as a wheel (pytest on openeo ${PINNED_OPENEO.newest}, and ${PINNED_OPENEO.oldest} the oldest declared)`;

if (prepare.status === 3) {
  const missing = prepare.stderr.trim();
  if (process.env.CI) test(title, () => assert.fail(`CI must run the Python bridge suite, but: ${missing}`));
  else test(title, { skip: missing }, () => undefined);
} else {
  test('python -m build makes the wheel and the sdist, twine check passes, and the wheel installs into both environments', () => {
    assert.equal(prepare.status, 0, `${prepare.stderr.slice(-4000)}`);
  });
  const prepared = prepare.status === 0 ? JSON.parse(prepare.stdout) as Prepared : null;
  if (prepared) {
    const runs = await Promise.all((['newest', 'oldest'] as PythonEnvironment[]).map(async (which) => ({
      which, ...(await runPytest(prepared[which].python, which === 'newest' ? [] : OLDEST_SUBSET)),
    })));
    describe(title, () => {
      test('the wheel and the sdist carry package.json\'s version', () => {
        assert.equal(prepared.version, PKG.version);
        assert.match(prepared.wheel, new RegExp(`openeo_auth_tray-${PKG.version.replaceAll('.', '\\.')}-py3-none-any\\.whl$`));
        assert.match(prepared.sdist, new RegExp(`openeo_auth_tray-${PKG.version.replaceAll('.', '\\.')}\\.tar\\.gz$`));
      });

      test('the wheel holds the package, its licence and metadata, nothing else', () => {
        const { names } = wheelFiles(prepared.newest.python, prepared.wheel);
        const strays = names.filter((n) => !n.startsWith('openeo_auth_tray/') && !n.startsWith(`openeo_auth_tray-${PKG.version}.dist-info/`));
        assert.deepEqual(strays, []);
        for (const f of ['openeo_auth_tray/__init__.py', 'openeo_auth_tray/_version.py', 'openeo_auth_tray/py.typed', `openeo_auth_tray-${PKG.version}.dist-info/licenses/LICENSE`]) {
          assert.ok(names.includes(f), `${f} is in the wheel`);
        }
        assert.ok(!names.some((n) => /tests?\//.test(n) || n.endsWith('constraints.txt')));
      });

      test('its metadata is complete and says what is proven: Python >= 3.9, openeo >= the oldest tested, the project\'s addresses', () => {
        const { metadata } = wheelFiles(prepared.newest.python, prepared.wheel);
        const field = (name: string): string[] => [...metadata.matchAll(new RegExp(`^${name}: (.*)$`, 'gm'))].map((m) => m[1]!);
        assert.deepEqual(field('Version'), [PKG.version]);
        assert.deepEqual(field('Requires-Python'), ['>=3.9']);
        const oldest = PINNED_OPENEO.oldest.split('.').slice(0, 2).join('.');
        assert.deepEqual(field('Requires-Dist'), [`openeo>=${oldest}`], 'the declared lower bound is the oldest tested client');
        assert.deepEqual(field('License-Expression'), ['Apache-2.0']);
        const repo = PKG.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
        const urls = field('Project-URL');
        assert.ok(urls.length >= 4 && urls.every((u) => u.split(', ')[1]!.startsWith(repo)), `${urls.join('; ')} not under ${repo}`);
        const classifiers = field('Classifier');
        for (const c of ['Programming Language :: Python :: 3.9', 'Programming Language :: Python :: 3.13', 'Typing :: Typed']) assert.ok(classifiers.includes(c), c);
        assert.match(metadata, /Description-Content-Type: text\/markdown/);
      });

      test('the sdist holds the package, its licence and README, and no tests (they need the whole repository)', () => {
        const listed = spawnSync('tar', ['tzf', prepared.sdist], { encoding: 'utf8' });
        assert.equal(listed.status, 0, listed.stderr);
        const files = listed.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^[^/]+\//, ''));
        for (const f of ['pyproject.toml', 'README.md', 'LICENSE', 'openeo_auth_tray/__init__.py', 'openeo_auth_tray/_version.py']) assert.ok(files.includes(f), f);
        assert.deepEqual(files.filter((f) => /^(tests|benchmarks)\//.test(f) || f.startsWith('constraints')), []);
      });

      for (const { which, cases, output, code } of runs) {
        const openeo = PINNED_OPENEO[which];
        test(`[openeo ${openeo}] pytest ran and reported every case`, () => {
          const least = which === 'newest' ? 100 : 15;
          assert.ok(cases.length >= least, `pytest exit ${code}, ${cases.length} cases; output:\n${output.slice(-4000)}`);
          assert.ok(code === 0 || cases.some((c) => c.outcome === 'failed'), `pytest exit ${code} without a failed case:\n${output.slice(-4000)}`);
          if (which === 'oldest') {
            const files = new Set(cases.map((c) => `${c.name.split(':')[0]}.py`));
            assert.deepEqual([...files].sort(), [...OLDEST_SUBSET].sort());
          }
        });
        for (const c of cases) {
          test(`[openeo ${openeo}] ${c.name}`, { skip: c.outcome === 'skipped' ? c.detail || 'skipped by pytest' : false }, () => {
            if (c.outcome === 'failed') assert.fail(c.detail.slice(0, 6000));
          });
        }
      }
    });
  }
}
