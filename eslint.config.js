// ESLint (flat config) for the TypeScript in src/, test/ and scripts/, type-aware through the
// project's two tsconfigs, and the plain JavaScript of scripts/*.mjs. `npm run lint` runs this and
// the import-cycle check (scripts/lint.mjs).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'release/**', 'test-output/**', '.tmp/**', 'node_modules/**', 'python/**', 'assets/**', 'docs/**'],
  },
  {
    // A disable comment that suppresses nothing hides the rule from the next reader for no reason.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the nearest tsconfig.json: src/renderer/ with its own (DOM),
        // everything else with the root one. The test page's init script is in neither (the
        // harness bundles it for the browser), so it gets the renderer's compiler options.
        projectService: {
          allowDefaultProject: ['test/renderer/page/*.ts'],
          defaultProject: 'src/renderer/tsconfig.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's test() and describe() return promises that the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // The house style: `import type { A }` when every name is a type, `import { a, type B }`
      // when mixed (with verbatimModuleSyntax an `import { type A }` would stay as an empty
      // import at run time: no-import-type-side-effects turns it into `import type`).
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true,
      }],
      // A promise returned unawaited from inside try/catch/finally escapes the handler.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      // A union switch without a default must name every member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-deprecated': 'error',
      // A `let` assigned once, after a closure that reads it was made (the closure runs later).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Async functions that implement a Promise-returning port often have nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Playwright's evaluate() callbacks run in the page, whose DOM types the root tsconfig does
    // not load, and tests read parsed YAML/JSON on purpose: `any` flows there are not bugs.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Build, start and test scripts, and this file: Node, in no tsconfig, so no type information.
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
