/**
 * `npm test` runs `npm run lint` (scripts/lint.mjs) before the build. These tests keep the parts
 * that matter from being switched off quietly: the type-aware rules are errors on every kind of
 * file, and the cycle check sees a cycle made of type-only imports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { parseCircular, parseDependencyTree } from 'dpdm';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MUST = ['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises', '@typescript-eslint/consistent-type-imports', '@typescript-eslint/await-thenable'];

test('the type-aware rules are errors in the core, the Electron layer, the window, the tests and the scripts', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  for (const file of ['src/main/core/ports.ts', 'src/main/app/start.ts', 'src/renderer/router.ts', 'test/helpers/fake-clock.ts', 'scripts/bench/cli.ts']) {
    const config = (await eslint.calculateConfigForFile(join(ROOT, file))) as { rules: Record<string, unknown[]> };
    for (const rule of MUST) {
      const setting = config.rules[rule];
      assert.ok(setting && (setting[0] === 2 || setting[0] === 'error'), `${rule} is not an error for ${file}`);
    }
  }
});

test('a floating promise is a finding (the rule runs with type information)', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  // An existing file's path, so the project service types the text as part of the project.
  const [result] = await eslint.lintText('export async function later(): Promise<void> {}\nlater();\n', { filePath: join(ROOT, 'src/main/core/ports.ts') });
  assert.ok(result?.messages.some((m) => m.ruleId === '@typescript-eslint/no-floating-promises'), JSON.stringify(result?.messages));
});

test('the cycle check sees a cycle made only of `import type`', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oat-cycle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport interface A { b?: B }\n");
  writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.ts';\nexport interface B { a?: A }\n");
  // The options scripts/lint.mjs uses.
  const tree = await parseDependencyTree('*.ts', { cwd: dir, context: dir, transform: false, skipDynamicImports: false });
  assert.equal(parseCircular(tree).length, 1);
});
