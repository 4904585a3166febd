/**
 * Two processes refreshing one login at the same moment must never both spend the same rotating
 * refresh token (the IdP would then revoke the whole grant). Two loops of `token --min-valid
 * <lifetime+1>` run side by side, so every run must refresh, under the lock between processes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CliRun } from '../helpers/cli.ts';
import { me, signIn, startCliWorld, token, type CliWorld } from './cli-harness.ts';

const RUNS_PER_LOOP = 50;
const ACCESS_TOKEN_TTL_S = 300;

let world: CliWorld;
before(async () => {
  world = await startCliWorld({ idp: { rotateRefreshTokens: true, accessTokenTtl: ACCESS_TOKEN_TTL_S } });
});
after(async () => {
  await world.stop();
});

test(`2 processes x ${RUNS_PER_LOOP} forced refreshes on one identity: no failure, no invalid_grant`, { timeout: 240_000 }, async (t) => {
  const id = await signIn(world);
  const refreshesBefore = world.idp.counters.byGrant.refresh_token ?? 0;
  const failures: Array<{ loop: number; run: CliRun }> = [];
  const tokens = new Set<string>();
  const durations: number[] = [];

  const loop = async (n: number): Promise<void> => {
    for (let i = 0; i < RUNS_PER_LOOP; i++) {
      const started = Date.now();
      const run = await world.cli(['token', id, '--min-valid', String(ACCESS_TOKEN_TTL_S + 1)]);
      durations.push(Date.now() - started);
      if (run.code === 0) tokens.add(run.stdout.trim());
      else failures.push({ loop: n, run });
    }
  };
  const started = Date.now();
  await Promise.all([loop(1), loop(2)]);
  const totalMs = Date.now() - started;

  durations.sort((a, b) => a - b);
  t.diagnostic(`${2 * RUNS_PER_LOOP} runs in ${totalMs} ms; per run median ${durations[durations.length >> 1]} ms, max ${durations.at(-1)} ms`);
  assert.deepEqual(
    failures.map((f) => `loop ${f.loop}: exit ${f.run.code}: ${f.run.stderr.trim()}`),
    [],
    'every run succeeded (an invalid_grant would be exit 3 "expired or was revoked")',
  );
  // Every run wants more than a fresh token's lifetime, so each refreshes exactly once, in turn.
  const refreshes = (world.idp.counters.byGrant.refresh_token ?? 0) - refreshesBefore;
  assert.equal(refreshes, 2 * RUNS_PER_LOOP, `refresh grants at the IdP: ${refreshes}`);
  assert.equal(tokens.size, 2 * RUNS_PER_LOOP, 'every run got its own new access token');

  const last = await token(world, [id]);
  assert.equal((await me(world.backend, `oidc/testidp/${last}`)).status, 200, 'the login still works');
  assert.ok(await token(world, [id, '--min-valid', String(ACCESS_TOKEN_TTL_S + 1)]), 'and can still refresh');
});
