// What needs which Node: package.json's engines (>= 20.19) for everything but Electron's own
// tooling, whose packages declare >= 22.12. On Node 20 npm prints an EBADENGINE warning for each;
// scripts/node-versions.mjs (postinstall) explains them right after. This holds its list to
// package-lock.json, so that a new package wanting a newer Node is noticed and explained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeNote, packagesRefusing, TOOLING_NODE, TOOLING_PACKAGES } from '../../scripts/node-versions.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { satisfies } = createRequire(import.meta.url)('semver') as { satisfies: (v: string, r: string) => boolean };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string }; dev?: boolean }> };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };

test('on the oldest Node package.json allows, exactly Electron\'s tooling warns, and all of it is for development only', () => {
  const oldest = pkg.engines.node.replace(/^>=\s*/, '');
  assert.equal(oldest, '20.19');
  assert.deepEqual(packagesRefusing(lock, '20.19.0', satisfies), TOOLING_PACKAGES);
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = entry.engines?.node;
    if (path && typeof range === 'string' && !satisfies('20.19.0', range)) assert.equal(entry.dev, true, `${path} is a devDependency`);
  }
});

test('on Node 22.13 and 24 nothing warns (22.12 itself: one, a linter\'s); the note is printed below 22.12 only, and names what needs which', () => {
  assert.deepEqual(packagesRefusing(lock, '22.13.0', satisfies), []);
  assert.deepEqual(packagesRefusing(lock, '24.0.0', satisfies), []);
  assert.deepEqual(packagesRefusing(lock, '22.12.0', satisfies), ['eslint-visitor-keys'], 'typescript-eslint\'s: ^20.19 || ^22.13 || >=24');
  assert.equal(nodeNote('22.12.0'), null);
  assert.equal(nodeNote('24.1.0'), null);
  const note = nodeNote('20.19.0') ?? '';
  assert.match(note, /EBADENGINE/);
  assert.match(note, /Nothing failed/);
  assert.match(note, /for `npm start` and `npm run dist`, which use those tools, use Node 22\.12/);
  assert.ok(nodeNote('22.11.9'), 'just below');
  for (const name of TOOLING_PACKAGES) assert.ok(note.includes(name), name);
  assert.equal(TOOLING_NODE, '>=22.12.0');
});

test('npm install runs it, and the README says what needs which Node', () => {
  assert.equal(pkg.scripts.postinstall, 'node scripts/node-versions.mjs');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /### Node versions/);
  assert.match(readme, /Node\.js ≥ 20\.19/);
  assert.match(readme, /Node\.js ≥ 22\.12/);
  assert.match(readme, /EBADENGINE/);
});
