import { readdirSync, readFileSync } from 'node:fs';
import { CLI, cliDeviceLogin, startPeers, tempHome } from './setup.ts';
import { median, timeNode } from './runs.ts';
const peers = await startPeers(1, { accessTokenTtl: 3600, refreshTokenTtl: 86_400 });
const home = await tempHome('prof');
await cliDeviceLogin(peers.backends[0]!.url, home.env);
const walls: number[] = [];
for (let i = 0; i < 8; i++) walls.push((await timeNode({ args: [CLI, 'token', '--min-valid', '86400'], env: home.env })).ms);
console.log('forced refresh median', median(walls).toFixed(1), walls.map((w) => w.toFixed(0)).join(' '));
for (let i = 0; i < 3; i++) await timeNode({ args: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--cpu-prof-interval=100', CLI, 'token', '--min-valid', '86400'], env: home.env });
const files = readdirSync('/tmp/prof').filter((f) => f.endsWith('.cpuprofile'));
for (const f of files.slice(-1)) {
  const p = JSON.parse(readFileSync(`/tmp/prof/${f}`, 'utf8')) as { nodes: Array<{ id: number; callFrame: { url: string; functionName: string }; children?: number[] }>; samples: number[]; timeDeltas: number[] };
  const byNode = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const n = byNode.get(id)!;
    const url = n.callFrame.url.replace(/.*node_modules\//, 'nm/').replace(/.*dist\/cli\//, 'cli/');
    const key = url ? url.split('/').slice(0, 3).join('/') : `(${n.callFrame.functionName || 'native'})`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${v.toFixed(1)}ms ${k}`).join('\n'));
}
await peers.stop();
await home.remove();
process.exit(0);
