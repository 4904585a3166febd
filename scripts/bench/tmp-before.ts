import { tokenRows } from './cli.ts';
const t = await tokenRows({ runs: 10, refreshRuns: 20 });
for (const r of t.rows) console.log(r.measure, '|', r.value, '|', r.baseline, '|', r.ratioTarget);
await t.cleanup();
process.exit(0);
