/**
 * Where the time of `token` (valid cached token) goes: the probe (token-probe.mjs) replays the
 * CLI's path in phases inside one process; its runs are interleaved with the real CLI, with
 * `node -e 0`, and with a bare probe that marks the same start-up and teardown points, so each
 * phase can be set against bare Node. CPU time (user + sys, from the shell's `times`) is less
 * sensitive to a busy machine than wall time. Also lists the files the path loads
 * (NODE_DEBUG=esm), to show that no OIDC library and no settings-store (conf/ajv) code is among them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, timeNode } from './runs.ts';
import { CLI, CLI_DIR, root } from './setup.ts';
import { ms } from './table.ts';

const PROBE = join(root, 'scripts/bench/token-probe.mjs');
const BARE_PROBE = 'process.stdout.write(JSON.stringify([["node start-up (to the first line of a script)", performance.now()]]))';
const TEARDOWN = 'exit and teardown (outside wall time − last mark)';

/** Per-phase durations of one probe run, teardown included. */
async function phasesOf(args: string[], env: NodeJS.ProcessEnv): Promise<{ phases: Array<[string, number]>; wall: number }> {
  const run = await timeNode({ args, env });
  const marks = JSON.parse(run.stdout) as Array<[string, number]>;
  let previous = 0;
  const phases: Array<[string, number]> = marks.map(([label, t]) => {
    const d = t - previous;
    previous = t;
    return [label, d];
  });
  phases.push([TEARDOWN, run.ms - previous]);
  return { phases, wall: run.ms };
}

/** CPU time (user + sys, ms) of `node <args>` as its parent shell accounts it. */
function cpuMs(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', '"$@" >/dev/null 2>&1; code=$?; times; exit $code', 'bash', process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const children = out.trim().split('\n')[1]?.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
      if (code !== 0 || !children) return reject(new Error(`could not time ${args.join(' ')}: exit ${code}, ${out}`));
      const [, um, us, sm, ss] = children.map(Number) as [number, number, number, number, number];
      resolve((um * 60 + us + sm * 60 + ss) * 1000);
    });
  });
}

export async function profileToken(env: NodeJS.ProcessEnv, runs: number): Promise<string> {
  const probe = new Map<string, number[]>();
  const bare = new Map<string, number[]>();
  const wall = { probe: [] as number[], cli: [] as number[], node: [] as number[] };
  const cpu = { cli: [] as number[], node: [] as number[] };
  const add = (m: Map<string, number[]>, phases: Array<[string, number]>) => {
    for (const [label, d] of phases) m.set(label, [...(m.get(label) ?? []), d]);
  };
  for (let i = 0; i < runs + 1; i++) {
    const p = await phasesOf([PROBE], env);
    const b = await phasesOf(['-e', BARE_PROBE], env);
    const c = await timeNode({ args: [CLI, 'token'], env });
    const n = await timeNode({ args: ['-e', '0'], env });
    const cc = await cpuMs([CLI, 'token'], env);
    const nc = await cpuMs(['-e', '0'], env);
    if (i === 0) continue; // warm-up
    add(probe, p.phases);
    add(bare, b.phases);
    wall.probe.push(p.wall);
    wall.cli.push(c.ms);
    wall.node.push(n.ms);
    cpu.cli.push(cc);
    cpu.node.push(nc);
  }
  const loaded = await loadedFiles(env);
  const profiled = await profileTable(env, Math.max(5, Math.ceil(runs / 2)));
  const bareOf = (label: string) => (bare.has(label) ? ms(median(bare.get(label)!)) : '—');
  const lines = [
    `Where \`token\` (valid cached token) spends its time: median per phase over ${runs} rounds of the probe`,
    '(scripts/bench/token-probe.mjs, the CLI\'s path from dist/cli in steps), interleaved with a bare probe,',
    'the real CLI and `node -e 0`:',
    '',
    '| phase | `token` probe | bare Node |',
    '|---|---|---|',
    ...[...probe].map(([label, xs]) => `| ${label} | ${ms(median(xs))} | ${bareOf(label)} |`),
    `| **total (wall)** | **${ms(median(wall.probe))}** | |`,
    `| real CLI \`token\` / \`node -e 0\` (wall), same rounds | ${ms(median(wall.cli))} | ${ms(median(wall.node))} (${(median(wall.cli) / median(wall.node)).toFixed(2)}×) |`,
    `| real CLI \`token\` / \`node -e 0\` (CPU user+sys), same rounds | ${ms(median(cpu.cli))} | ${ms(median(cpu.node))} (${(median(cpu.cli) / median(cpu.node)).toFixed(2)}×) |`,
    '',
    ...profiled,
    `Files the CLI loads for \`token\` (NODE_DEBUG=esm,module; plus keytar's native addon): ${loaded.files.length} files, ${(loaded.bytes / 1024).toFixed(1)} KiB of JS:`,
    loaded.files.map((f) => `\`${f}\``).join(', '),
    '',
    loaded.forbidden.length ? `**Loaded but not needed for this path:** ${loaded.forbidden.join(', ')}` : 'No openid-client, conf/ajv or UI code among them (the CLI bundle initialises its OIDC and settings-store modules only when a refresh or a write needs them).',
    '',
  ];
  return lines.join('\n');
}

/** V8 CPU profile (the subset read here). */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

const CATEGORIES = [
  'waiting (idle: D-Bus replies, file reads)',
  'compiling Node built-in modules (ESM loader, crypto, streams, …)',
  'module loaders at work (resolve, read, link)',
  'compiling the CLI bundle',
  'running the CLI code',
  'keytar (dlopen of the addon + its calls)',
  'garbage collection',
  'Node start-up and the rest',
] as const;

function category(functionName: string, url: string): (typeof CATEGORIES)[number] {
  if (functionName === '(idle)') return CATEGORIES[0];
  if (functionName === 'compileForInternalLoader') return CATEGORIES[1];
  if (functionName === 'compileSourceTextModule' || functionName === 'wrapSafe') return CATEGORIES[3];
  if (url.includes('/keytar/') || functionName === 'dlopen') return CATEGORIES[5];
  if (url.startsWith('file://') && url.includes(CLI_DIR)) return CATEGORIES[4];
  if (/^node:internal\/(modules\/esm|url|modules\/package_json_reader|deps\/cjs-module-lexer|fs\/promises)|^node:path$/.test(url)
    || ['openFileHandle', 'realpathSync', 'toRealPath', 'readFileUtf8'].includes(functionName)) return CATEGORIES[2];
  if (functionName === '(garbage collector)') return CATEGORIES[6];
  return CATEGORIES[7];
}

/** Median ms of profiled main-thread time per category over `runs` profiled processes. */
async function profiledCategories(args: string[], env: NodeJS.ProcessEnv, runs: number): Promise<Map<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-bench-prof-'));
  try {
    const per = new Map<string, number[]>();
    for (let i = 0; i < runs; i++) {
      await timeNode({ args: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', ...args], env });
    }
    for (const f of readdirSync(dir)) {
      const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
      const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
      const sums = new Map<string, number>(CATEGORIES.map((c) => [c, 0]));
      profile.samples.forEach((id, i) => {
        const frame = frames.get(id);
        const c = frame ? category(frame.functionName, frame.url) : CATEGORIES[7];
        sums.set(c, sums.get(c)! + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      sums.set('total', [...sums.values()].reduce((a, b) => a + b, 0));
      for (const [c, v] of sums) per.set(c, [...(per.get(c) ?? []), v]);
    }
    return new Map([...per].map(([c, xs]) => [c, median(xs)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CPU-profile table: where the profiled time of `token` goes, beside `node -e 0`. */
async function profileTable(env: NodeJS.ProcessEnv, runs: number): Promise<string[]> {
  const cli = await profiledCategories([CLI, 'token'], env, runs);
  const bare = await profiledCategories(['-e', '0'], env, runs);
  const row = (c: string, bold = false) => {
    const a = cli.get(c) ?? 0;
    const b = bare.get(c) ?? 0;
    const cells = [c, ms(a), ms(b), `${a - b >= 0 ? '+' : ''}${ms(a - b)}`];
    return `| ${(bold ? cells.map((x) => `**${x}**`) : cells).join(' | ')} |`;
  };
  return [
    `The same path in V8's CPU profiler (\`--cpu-prof\`, 100 µs samples, median of ${runs} profiled runs each; the`,
    'profile covers the main thread from after early bootstrap to exit):',
    '',
    '| where | `token` | `node -e 0` | difference |',
    '|---|---|---|---|',
    ...CATEGORIES.map((c) => row(c)),
    row('total', true),
    '',
  ];
}

async function loadedFiles(env: NodeJS.ProcessEnv): Promise<{ files: string[]; bytes: number; forbidden: string[] }> {
  const run = await timeNode({ args: [CLI, 'token'], env: { ...env, NODE_DEBUG: 'esm,module' } });
  const urls = new Set(run.stderr.match(/file:\/\/[^\s'",]+/g) ?? []);
  // CommonJS loads show up as `load "/path" for module ...`.
  const paths = [...run.stderr.matchAll(/load "(\/[^"]+\.c?js)"/g)].map((m) => m[1]!);
  const files = [...new Set([...[...urls].map((u) => new URL(u).pathname), ...paths])].sort();
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const short = files.map((f) => f.replace(root, '').replace(/^node_modules\//, ''));
  const forbidden = short.filter((f) => /openid-client|oauth4webapi|jose|\/oidc-|\/store-|\/conf\/|ajv|renderer/.test(f));
  return { files: short, bytes, forbidden };
}
