/**
 * The Python bridge's rows: per-request overhead with a cached token, CLI calls per
 * access-token lifetime with 8 threads, and "needs a token" → fresh token against the CLI's own
 * refresh path. Runs python/benchmarks/bridge.py against a signed-in test world; reports
 * "not measured" with the reason when the pinned Python environment is missing.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findPython, PYTHON_DIR, pythonEnv } from '../../test/helpers/python.ts';
import { CLI, cliDeviceLogin, startPeers, tempHome } from './setup.ts';
import { ms, verdict, type Row } from './table.ts';

interface BridgeFigures {
  per_request_us: number;
  tray_auth_us: number;
  oidc_bearer_auth_us: number;
  cli_calls: number;
  tokens: number;
  lifetimes: number;
  renew_ms: number;
  cli_refresh_ms: number;
}

const TTL_S = 10;

export async function pythonBridgeRows(opts: { lifetimes: number; runs: number }): Promise<Row[]> {
  const found = findPython();
  if ('missing' in found) {
    return [{ measure: 'Python bridge', value: 'not measured', baseline: found.missing, ratioTarget: '', verdict: 'info' }];
  }
  const peers = await startPeers(1, { accessTokenTtl: TTL_S, refreshTokenTtl: 86_400 });
  const home = await tempHome('python');
  try {
    await cliDeviceLogin(peers.backends[0]!.url, home.env);
    // The bridge's CLI link, measured on its own: OPENEO_AUTH_TRAY_SOCK names an agent that is not
    // there, so neither a running agent nor a forwarded socket in /tmp answers instead.
    const env = pythonEnv({ ...home.env, OPENEO_AUTH_TRAY_CLI: `${process.execPath} ${CLI}`, OPENEO_AUTH_TRAY_SOCK: join(home.dir, 'no-agent.sock') });
    const figures = await new Promise<BridgeFigures>((resolve, reject) => {
      const child = spawn(found.python, [join(PYTHON_DIR, 'benchmarks', 'bridge.py'), String(TTL_S), String(opts.lifetimes), String(opts.runs)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as BridgeFigures) : reject(new Error(`bridge.py exit ${code}: ${err.slice(-2000)}`))));
    });
    const perLifetime = figures.cli_calls / figures.lifetimes;
    return [
      {
        measure: 'Python bridge: added per request, cached token',
        value: `${(figures.per_request_us / 1000).toFixed(4)} ms (${figures.tray_auth_us.toFixed(2)} µs vs ${figures.oidc_bearer_auth_us.toFixed(2)} µs)`,
        baseline: "the client's own `OidcBearerAuth`",
        ratioTarget: '< 0.1 ms',
        verdict: verdict(figures.per_request_us / 1000 < 0.1),
      },
      {
        measure: `Python bridge: CLI calls per access-token lifetime (8 threads, ${TTL_S} s tokens, ${figures.lifetimes} lifetimes)`,
        value: `${perLifetime.toFixed(2)} (${figures.cli_calls} calls, ${figures.tokens} tokens)`,
        baseline: `renewal with a quarter of the life left: ${(1 / 0.75).toFixed(2)} per lifetime at most for short tokens, 1 per token`,
        ratioTarget: 'goal 1 per token',
        verdict: verdict(figures.cli_calls <= figures.tokens && perLifetime <= 1 / 0.75 + 0.01),
      },
      {
        measure: 'Python bridge: "needs a token" → fresh token (CLI refresh)',
        value: ms(figures.renew_ms),
        baseline: `\`token --min-valid\` forced refresh, run directly: ${ms(figures.cli_refresh_ms)}`,
        ratioTarget: `+${ms(figures.renew_ms - figures.cli_refresh_ms)} / ≤ +20 ms`,
        verdict: verdict(figures.renew_ms - figures.cli_refresh_ms <= 20),
      },
    ];
  } finally {
    await peers.stop();
    await home.remove();
  }
}
