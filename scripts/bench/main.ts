/**
 * `npm run bench` (through scripts/bench.mjs, inside a private keyring): the performance table —
 * the CLI, the idle core, the Python bridge, the token agent beside Debian's oidc-agent, hostile
 * text, the soak, the window (`--quick`: fewer samples and a soak of 4 000 refreshes instead of
 * 20 000). Prints Markdown on stdout and writes it to test-output/bench.md. It reports; the
 * simulations it shows are asserted by tests (test/core/lifecycle/idle-day.test.ts,
 * keep-alive.test.ts), wall times are not.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { AGENT_RUNS, agentRows } from './agent.ts';
import { deviceLoginRow, statusRows, tokenRows } from './cli.ts';
import { hostileRows } from './hostile.ts';
import { idleDayRows } from './idle-day.ts';
import { bundleRow, firstPaintRow } from './renderer.ts';
import { root } from './setup.ts';
import { markdownTable, type Row } from './table.ts';
import { pythonBridgeRows } from './python-bridge.ts';
import { soakRows } from './soak.ts';

const quick = process.argv.includes('--quick');
const RUNS = { token: quick ? 10 : 30, refresh: quick ? 6 : 15, status: quick ? 8 : 20, device: quick ? 3 : 6, paint: 5, bridgeLifetimes: quick ? 3 : 6, bridgeRenewals: quick ? 5 : 15 };

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  const rows: Row[] = [];
  const step = (name: string) => process.stderr.write(`bench: ${name}… (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);

  step('token (cached, refresh)');
  const token = await tokenRows({ runs: RUNS.token, refreshRuns: RUNS.refresh });
  rows.push(...token.rows);
  await token.cleanup();
  step('status');
  rows.push(...await statusRows(RUNS.status));
  step('device login');
  rows.push(await deviceLoginRow(RUNS.device));
  step('idle day');
  rows.push(...await idleDayRows());
  step('Python bridge');
  rows.push(...await pythonBridgeRows({ lifetimes: RUNS.bridgeLifetimes, runs: RUNS.bridgeRenewals }));
  step('token agent beside oidc-agent');
  rows.push(...await agentRows(quick ? AGENT_RUNS.quick : AGENT_RUNS.full, (what) => step(what)));
  step('hostile text');
  rows.push(...hostileRows());
  step(`soak (${quick ? 4_000 : 20_000} refreshes, a few minutes)`);
  rows.push(...await soakRows({ refreshes: quick ? 4_000 : 20_000 }));
  step('renderer');
  rows.push(bundleRow());
  rows.push(await firstPaintRow(RUNS.paint));

  const seconds = (performance.now() - started) / 1000;
  const loadAfter = loadavg()[0]!;
  const busy = Math.max(loadBefore, loadAfter) > cpus().length
    ? ['', `**The machine was busy** (load average above its ${cpus().length} CPUs): wall times are inflated and noisy; ratios hold better than absolute figures.`]
    : [];
  const header = [
    '# openEO Auth Tray — performance table',
    '',
    `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} · load average ${loadBefore.toFixed(2)} at start, ${loadAfter.toFixed(2)} at end · ${seconds.toFixed(0)} s${quick ? ' · --quick' : ''}`,
    ...busy,
    '',
    'Wall times are medians of whole-process runs, each interleaved with its baseline in the same run.',
    '',
    '',
  ].join('\n');
  const markdown = `${header}${markdownTable(rows)}`;
  process.stdout.write(markdown);
  await mkdir(join(root, 'test-output'), { recursive: true });
  await writeFile(join(root, 'test-output/bench.md'), markdown);
  process.stderr.write(`bench: written to test-output/bench.md (${seconds.toFixed(0)} s)\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error('bench failed:', e);
    process.exit(1);
  },
);
