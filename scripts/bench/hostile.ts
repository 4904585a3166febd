/**
 * Hostile peer text and a long-running secret registry, measured on this very
 * build: texts built to make a backtracking pattern take quadratic time, and 100 000 rotated
 * tokens registered for redaction. The "before" figures are those the same machine measured on
 * the code before the fix (commit 6565ab1), kept for comparison; the values are measured now.
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseOidcProviders } from '../../src/main/core/openeo/providers.ts';
import { clearRegisteredSecrets, redact, registerSecret } from '../../src/shared/redact.ts';
import { jobName } from '../../src/main/core/tray/jobs-menu.ts';
import { ms, verdict, type Row } from './table.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const KB = 1024;

/** Median wall time of `runs` calls. */
function median(runs: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const refuse = (fn: () => unknown) => () => {
  try {
    fn();
  } catch {
    // refused, as it must be: the time to refuse is what is measured
  }
};

export function hostileRows(): Row[] {
  const jwtStarts = (size: number) => 'eyJ-'.repeat(size / 4);
  const cases: Array<{ what: string; before: string; fn: () => unknown }> = [
    { what: 'redact() of 32 KB of "eyJ-eyJ-…"', before: '241.5 ms', fn: () => redact(jwtStarts(32 * KB)) },
    { what: 'tray line of a job titled with 256 KB of "eyJ-…"', before: '15 856 ms', fn: () => jobName({ id: 'j', status: 'running', created: '', title: jwtStarts(256 * KB) }) },
    { what: 'a 128 KB provider id in /credentials/oidc', before: '3 890 ms', fn: refuse(() => parseOidcProviders({ providers: [{ id: jwtStarts(128 * KB), issuer: 'https://idp.example', title: 'x' }] })) },
    { what: 'an issuer ending in 128 KB of "/"', before: '5 148 ms', fn: refuse(() => parseOidcProviders({ providers: [{ id: 'x', issuer: `https://idp.example/${'/'.repeat(128 * KB)}x`, title: 'x' }] })) },
  ];
  const rows: Row[] = cases.map((c) => {
    const t = median(5, c.fn);
    return { measure: `hostile text: ${c.what}`, value: ms(t), baseline: `before the fix: ${c.before}`, ratioTarget: '< 10 ms', verdict: verdict(t < 10) };
  });

  // 100 000 rotated tokens of 800 characters (about ten days of a 20-identity tray).
  clearRegisteredSecrets();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100_000; i++) registerSecret(randomBytes(600).toString('base64url'));
  gc();
  const grown = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  const line = '2026-01-01T00:00:00.000Z INFO cdse-3f9a1c: refreshed the access token; next refresh in 240 s';
  for (let i = 0; i < 50; i++) redact(line);
  const perCall = median(7, () => { for (let i = 0; i < 100; i++) redact(line); }) / 100;
  clearRegisteredSecrets();
  rows.push({
    measure: 'secret registry after 100 000 rotated tokens: heap after GC',
    value: `+${grown.toFixed(1)} MiB`, baseline: 'before the fix: +80.5 MiB', ratioTarget: '< 5 MiB', verdict: verdict(grown < 5),
  }, {
    measure: 'secret registry after 100 000 rotated tokens: one redact() of a log line',
    value: `${(perCall * 1000).toFixed(1)} µs`, baseline: 'before the fix: 711 µs', ratioTarget: '< 50 µs', verdict: verdict(perCall < 0.05),
  });
  return rows;
}
