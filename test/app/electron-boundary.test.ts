// Only src/main/app/index.ts loads 'electron'; every other file of the Electron layer takes the
// Electron parts as an argument (typed with `import type`), which is what lets the tests run it
// on the typed stand-in without any module substitution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('../../src/main/app/', import.meta.url));
// import … from 'electron' / export … from 'electron' / import('electron') / require('electron')
const ELECTRON = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;]*?from\s+['"]electron(?:\/[^'"]*)?['"]|import\(\s*['"]electron['"]\s*\)|require\(\s*['"]electron['"]\s*\)/g;

function valueImportsOfElectron(text: string): number {
  return [...text.matchAll(ELECTRON)].filter((m) => m[2] === undefined).length;
}

test('only index.ts imports electron at run time', () => {
  const offenders = readdirSync(appDir)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .filter((f) => valueImportsOfElectron(readFileSync(join(appDir, f), 'utf8')) > 0);
  assert.deepEqual(offenders, []);
  assert.equal(valueImportsOfElectron(readFileSync(join(appDir, 'index.ts'), 'utf8')), 1);
});

test('the scan tells type imports from value imports', () => {
  assert.equal(valueImportsOfElectron("import type { App } from 'electron';"), 0);
  assert.equal(valueImportsOfElectron("import { app } from 'electron';"), 1);
  assert.equal(valueImportsOfElectron("const e = await import('electron');"), 1);
  assert.equal(valueImportsOfElectron("import {\n  app,\n} from 'electron';"), 1);
});

test('only index.ts uses electron-store, and it removes electron-store\'s own ipcMain listener', () => {
  const mainDir = fileURLToPath(new URL('../../src/main/', import.meta.url));
  const users = (readdirSync(mainDir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => /from\s+['"]electron-store['"]|import\(\s*['"]electron-store['"]\s*\)/.test(readFileSync(join(mainDir, f), 'utf8')));
  assert.deepEqual(users.map((f) => f.replaceAll('\\', '/')), ['app/index.ts']);
  const index = readFileSync(join(mainDir, 'app/index.ts'), 'utf8');
  assert.match(index, /ELECTRON_STORE_CHANNEL = 'electron-store-get-data'/);
  assert.match(index, /ipcMain\.removeAllListeners\(ELECTRON_STORE_CHANNEL\)/);
});
