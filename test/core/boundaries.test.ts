/** The core is plain Node: it never imports Electron, the Electron layer, or the renderer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '');
}

test('src/main/core never imports electron, the Electron layer, the preload or the renderer', () => {
  const offenders: string[] = [];
  const outside = ['src/main/app/', 'src/preload/', 'src/renderer/'].map((d) => join(root, d));
  for (const file of sources(join(root, 'src/main/core'))) {
    for (const spec of imports(file)) {
      const target = spec.startsWith('.') ? join(file, '..', spec) : '';
      if (spec === 'electron' || spec.startsWith('electron/') || outside.some((d) => target.startsWith(d))) {
        offenders.push(`${relative(root, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('the import scan itself finds an electron import', () => {
  const sample = "import { app } from 'electron';\nconst x = await import('electron');";
  assert.deepEqual([...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2]), ['electron', 'electron']);
});

test('the renderer reaches no Node, Electron or main-process I/O module, even through shared code', () => {
  const forbidden = (spec: string) => spec.startsWith('node:') || ['electron', 'keytar', 'conf', 'electron-store', 'openid-client'].includes(spec);
  const offenders: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, via: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of imports(file)) {
      if (forbidden(spec)) offenders.push(`${via} → ${relative(root, file)} imports ${spec}`);
      else if (spec.startsWith('.')) visit(join(file, '..', spec), `${via} → ${relative(root, file)}`);
    }
  };
  for (const file of sources(join(root, 'src/renderer'))) visit(file, relative(root, file));
  assert.deepEqual(offenders, []);
});

test('the window and the shared code import nothing from src/main (what both sides need lives in src/shared)', () => {
  const main = join(root, 'src/main') + '/';
  const offenders: string[] = [];
  for (const dir of ['src/renderer', 'src/shared']) {
    for (const file of sources(join(root, dir))) {
      for (const spec of imports(file)) {
        if (spec.startsWith('.') && join(file, '..', spec).startsWith(main)) offenders.push(`${relative(root, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('the src/main check sees an import that climbs out of src/shared into src/main', () => {
  const file = join(root, 'src/shared/example.ts');
  const [spec] = [...'import { x } from "../main/core/ports.ts";'.matchAll(IMPORT)].map((m) => m[1] ?? '');
  assert.ok(spec !== undefined && join(file, '..', spec).startsWith(join(root, 'src/main') + '/'));
});
