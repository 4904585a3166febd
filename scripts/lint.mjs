// `npm run lint`: ESLint (eslint.config.js, type-aware) over src/, test/ and scripts/, then the
// import-cycle check over src/ (dpdm). Type-only imports count as edges: a cycle made of
// `import type` is still two modules that cannot be read, moved or tested one without the other.
// Prints the findings and a one-line summary; exits 1 on any finding.
// `npm run lint -- --fix` writes ESLint's automatic fixes first.
import { relative } from 'node:path';
import { ESLint } from 'eslint';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fix = process.argv.includes('--fix');
const started = performance.now();

const eslint = new ESLint({ cwd: root, fix });
const results = await eslint.lintFiles(['.']);
if (fix) await ESLint.outputFixes(results);
const report = await (await eslint.loadFormatter('stylish')).format(results);
if (report) process.stdout.write(report);
const sum = (key) => results.reduce((n, r) => n + r[key], 0);
const problems = sum('errorCount') + sum('warningCount');
const fixable = sum('fixableErrorCount') + sum('fixableWarningCount');
const filesWithProblems = results.filter((r) => r.errorCount + r.warningCount > 0).length;

// transform: false keeps the type-only imports in the tree; dynamic imports count too.
const tree = await parseDependencyTree('src/**/*.{ts,mts}', { cwd: root, context: root, transform: false, skipDynamicImports: false });
// An import that dpdm cannot resolve would hide a cycle, so it is a finding of its own.
const unresolved = Object.values(tree).flatMap((deps) => deps ?? []).filter((d) => d.id === null && d.request.startsWith('.'));
for (const d of unresolved) console.log(`import cycle check: cannot resolve '${d.request}' from ${relative(root, d.issuer)}`);
const cycles = parseCircular(tree);
if (cycles.length) {
  console.log(`Import cycles in src/ (type-only imports included):`);
  for (const [i, cycle] of cycles.entries()) console.log(`  ${i + 1}) ${[...cycle, cycle[0]].join(' -> ')}`);
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const fixHint = fixable && !fix ? ` (${fixable} fixable with \`npm run lint -- --fix\`)` : '';
const unresolvedNote = unresolved.length ? `, ${unresolved.length} unresolved relative import(s)` : '';
console.log(`lint: ${problems} ESLint problem(s)${fixHint} in ${filesWithProblems} file(s) of ${results.length}; ` +
  `${cycles.length} import cycle(s) in src/${unresolvedNote}; ${seconds} s`);
process.exit(problems + cycles.length + unresolved.length > 0 ? 1 : 0);
