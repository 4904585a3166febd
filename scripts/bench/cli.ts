/**
 * The CLI's rows of the performance table: the built CLI as whole processes against the real IdP,
 * fixture backends and the (private) keychain, each beside its baseline from the same run.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { secretKey, type Identity } from '../../src/shared/model.ts';
import { connectIssuer } from '../../src/main/core/oidc/issuer.ts';
import { startDeviceLogin } from '../../src/main/core/oidc/device-login.ts';
import { SCHEMA_VERSION, defaultSettings, type SettingsDocument } from '../../src/main/core/settings/schema.ts';
import { approveDevice } from '../../test/fixtures/device-user.ts';
import { interleaved, median, spread, timeNode, type RunSpec } from './runs.ts';
import { CLI, cliDeviceLogin, startPeers, tempHome, type Peers } from './setup.ts';
import { ms, verdict, type Row } from './table.ts';

const NODE_E0 = (env: NodeJS.ProcessEnv): RunSpec => ({ args: ['-e', '0'], env });

/** `token` from the cache vs `node -e 0`; `token` with a refresh vs the raw grant. */
export async function tokenRows(opts: { runs: number; refreshRuns: number }): Promise<{ rows: Row[]; env: NodeJS.ProcessEnv; cleanup(): Promise<void> }> {
  // Long-lived tokens, so the cache stays valid however slow the machine is.
  const peers = await startPeers(1, { accessTokenTtl: 3600, refreshTokenTtl: 86_400 });
  const home = await tempHome('token');
  const cleanup = async () => {
    await peers.stop();
    await home.remove();
  };
  try {
    await cliDeviceLogin(peers.backends[0]!.url, home.env);
    const token = await timeNode({ args: [CLI, 'token'], env: home.env });
    if (!/^\S{20,}\n$/.test(token.stdout)) throw new Error('`token` did not print an access token');

    const cached = await interleaved(() => ({ args: [CLI, 'token'], env: home.env }), () => NODE_E0(home.env), opts.runs, 3);
    const tokenMs = median(cached.a);
    const nodeMs = median(cached.b);
    const rows: Row[] = [{
      measure: '`token`, valid cached access token (whole process)',
      value: `${ms(tokenMs)} (${spread(cached.a)})`,
      baseline: `\`node -e 0\`: ${ms(nodeMs)} (${spread(cached.b)})`,
      ratioTarget: `${(tokenMs / nodeMs).toFixed(2)}× / ≤ 1.5×`,
      verdict: verdict(tokenMs / nodeMs <= 1.5),
    }];
    rows.push(await refreshRow(peers, home.env, opts.refreshRuns));
    return { rows, env: home.env, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * The raw grant, as small as a client can make it: one fetch POST of a refresh_token grant,
 * printing the rotated refresh token for the next run (through the environment, never argv).
 */
const RAW_REFRESH = `fetch(process.env.BENCH_TOKEN_ENDPOINT,{method:'POST',headers:{'content-type':'application/x-www-form-urlencoded'},body:new URLSearchParams({grant_type:'refresh_token',refresh_token:process.env.BENCH_REFRESH_TOKEN,client_id:process.env.BENCH_CLIENT_ID})}).then(async(r)=>{const b=await r.json();if(!r.ok||!b.refresh_token){console.error(r.status,b.error);process.exit(1)}process.stdout.write(b.refresh_token)})`;

async function refreshRow(peers: Peers, env: NodeJS.ProcessEnv, runs: number): Promise<Row> {
  const { idp } = peers;
  // The baseline spends tokens of its own grant (a separate device login), so both sides refresh for real.
  const conn = await connectIssuer(idp.issuer, idp.publicClientId);
  const login = await startDeviceLogin(conn, { scopes: ['openid', 'offline_access'], usePkce: true });
  await approveDevice(login.authorization.verificationUriComplete!, { login: 'bob' });
  let refreshToken = (await login.result).refreshToken!;
  const grantsBefore = idp.counters.byGrant.refresh_token ?? 0;

  const result = await interleaved(
    () => ({ args: [CLI, 'token', '--min-valid', '86400'], env }),
    () => ({
      args: ['-e', RAW_REFRESH],
      env: { ...env, BENCH_TOKEN_ENDPOINT: `${idp.issuer}/token`, BENCH_REFRESH_TOKEN: refreshToken, BENCH_CLIENT_ID: idp.publicClientId },
    }),
    runs,
    2,
    { b: (r) => (refreshToken = r.stdout) },
  );
  const grants = (idp.counters.byGrant.refresh_token ?? 0) - grantsBefore;
  const expected = 2 * (runs + 2);
  if (grants !== expected) throw new Error(`expected ${expected} refresh grants at the IdP, saw ${grants}`);
  const cli = median(result.a);
  const raw = median(result.b);
  return {
    measure: '`token --min-valid 86400` (forces a refresh over loopback)',
    value: `${ms(cli)} (${spread(result.a)})`,
    baseline: `raw refresh grant in \`node -e\` (fetch): ${ms(raw)} (${spread(result.b)})`,
    ratioTarget: `${(cli / raw).toFixed(2)}× / ≤ 1.2×`,
    verdict: verdict(cli / raw <= 1.2),
  };
}

/** `status` with 50 identities over 10 backends (settings file + keychain seeded). */
export async function statusRows(runs: number): Promise<Row[]> {
  const peers = await startPeers(10, { accessTokenTtl: 3600 });
  const home = await tempHome('status');
  const secrets = createKeytarSecretStore();
  const identities: Identity[] = [];
  try {
    const now = Date.now();
    for (const [b, backend] of peers.backends.entries()) {
      for (let i = 0; i < 5; i++) {
        const id = `fixture${b}-${randomBytes(3).toString('hex')}`;
        // A mix of the states `status` shows: fresh, stale access token, refresh token expiring soon.
        const age = (i % 3) * 3_000_000;
        identities.push({
          id,
          label: `Fixture ${b} user ${i}`,
          kind: i === 4 ? 'client-credentials' : 'personal',
          flow: i === 4 ? 'client-credentials' : 'device',
          backendUrl: backend.url,
          apiUrl: backend.apiUrl,
          providerId: backend.providerId,
          issuer: peers.idp.issuer,
          clientId: i === 4 ? peers.idp.serviceClient.id : peers.idp.publicClientId,
          scopes: ['openid', 'offline_access'],
          jwtBearer: false,
          userId: `user-${b}-${i}`,
          createdAt: now - age,
          accessTokenExpiresAt: now - age + 3_600_000,
          accessTokenObtainedAt: now - age,
          refreshTokenExpiry: i === 4 ? { kind: 'none' } : { kind: 'at', at: now + (i + 1) * 2 * 86_400_000 },
          refreshTokenObtainedAt: i === 4 ? null : now - age,
          warningsSent: [],
        });
        await secrets.set(secretKey(id, 'access_token'), randomBytes(32).toString('base64url'));
        await secrets.set(secretKey(id, i === 4 ? 'client_secret' : 'refresh_token'), randomBytes(32).toString('base64url'));
      }
    }
    const doc: SettingsDocument = { schemaVersion: SCHEMA_VERSION, settings: defaultSettings(), identities };
    await mkdir(home.dir, { recursive: true });
    await writeFile(join(home.dir, 'settings.json'), JSON.stringify(doc, null, 2), { mode: 0o600 });

    const check = await timeNode({ args: [CLI, 'status', '--json'], env: home.env });
    const listed = JSON.parse(check.stdout) as Array<{ id: string; state: string }>;
    if (listed.length !== 50) throw new Error(`status listed ${listed.length} identities, not 50`);
    if (listed.some((r) => r.state === 'keychain-unavailable')) throw new Error('status says the keychain is unavailable');

    const text = await interleaved(() => ({ args: [CLI, 'status'], env: home.env }), () => NODE_E0(home.env), runs, 2);
    const json = await interleaved(() => ({ args: [CLI, 'status', '--json'], env: home.env }), () => NODE_E0(home.env), runs, 1);
    return [
      statusRow('`status`, 50 identities over 10 backends', text.a, text.b),
      statusRow('`status --json`, same 50 identities', json.a, json.b),
    ];
  } finally {
    for (const identity of identities) {
      for (const kind of ['access_token', 'refresh_token', 'client_secret'] as const) await secrets.delete(secretKey(identity.id, kind)).catch(() => false);
    }
    await peers.stop();
    await home.remove();
  }
}

function statusRow(measure: string, runs: number[], node: number[]): Row {
  const value = median(runs);
  return {
    measure,
    value: `${ms(value)} (${spread(runs)})`,
    baseline: `\`node -e 0\`: ${ms(median(node))}`,
    ratioTarget: `${(value / median(node)).toFixed(2)}× / < 200 ms`,
    verdict: verdict(value < 200),
  };
}

/** From the user's approval to the CLI's `authenticated` line, poll interval 1 s. */
export async function deviceLoginRow(runs: number): Promise<Row> {
  const intervalS = 1;
  const peers = await startPeers(1, { deviceInterval: intervalS });
  const home = await tempHome('device');
  try {
    const gaps: number[] = [];
    const afterPoll: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = await cliDeviceLogin(peers.backends[0]!.url, home.env, { idp: peers.idp });
      gaps.push(t.authenticatedAt - t.approvedAt);
      if (t.lastPollAt !== null && t.lastPollAt >= t.approvedAt) afterPoll.push(t.authenticatedAt - t.lastPollAt);
    }
    const limit = intervalS * 1000 + 100;
    const worst = Math.max(...gaps);
    const processing = afterPoll.length
      ? `; of which after the successful poll (tokens, /me, keychain, settings): median ${ms(median(afterPoll))}, max ${ms(Math.max(...afterPoll))}`
      : '';
    return {
      measure: 'device login: user approves → CLI prints `authenticated` (interval 1 s)',
      value: `median ${ms(median(gaps))}, min ${ms(Math.min(...gaps))}, max ${ms(worst)} (n=${runs})${processing}`,
      baseline: `poll interval ${intervalS * 1000} ms`,
      ratioTarget: `max ${(worst / (intervalS * 1000)).toFixed(2)}× interval / ≤ interval + 100 ms (${limit} ms)`,
      verdict: verdict(worst <= limit),
    };
  } finally {
    await peers.stop();
    await home.remove();
  }
}

