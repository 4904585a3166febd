/**
 * Two processes refreshing one Keycloak login at the same moment, with "Revoke Refresh Token" on
 * and max reuse 0 (realm CDSE-revoke): a refresh token spent twice would end the whole session.
 * Two loops of `token --min-valid <more than a token's life>` run side by side, so every run
 * refreshes, under the lock between processes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CliRun } from '../helpers/cli.ts';
import { REALM_SETTINGS, REVOKE_CLIENT, REVOKE_REALM, suiteOptions } from './support.ts';
import { meAt, signInAtKeycloak, tokenOf, useKeycloakWorld } from './world.ts';

const RUNS_PER_LOOP = 50;

describe('Keycloak with reuse detection: concurrent refreshes', suiteOptions(), () => {
  const { world } = useKeycloakWorld();

  test(`2 processes x ${RUNS_PER_LOOP} forced refreshes of one login: 0 invalid_grant`, { timeout: 300_000 }, async (t) => {
    const backend = await world().backend(REVOKE_REALM, REVOKE_CLIENT);
    const id = await signInAtKeycloak(world(), backend);
    const failures: Array<{ loop: number; run: CliRun }> = [];
    const tokens = new Set<string>();
    const refreshTokens = new Set<string>();
    const forced = String(REALM_SETTINGS.accessTokenLifespanS + 1);
    const loop = async (n: number): Promise<void> => {
      for (let i = 0; i < RUNS_PER_LOOP; i++) {
        const run = await world().cli(['token', id, '--min-valid', forced]);
        if (run.code === 0) tokens.add(run.stdout.trim());
        else failures.push({ loop: n, run });
      }
    };
    const started = Date.now();
    const watch = setInterval(() => {
      void world().secret(`${id}/refresh_token`).then((rt) => rt && refreshTokens.add(rt), () => undefined);
    }, 500);
    try {
      await Promise.all([loop(1), loop(2)]);
    } finally {
      clearInterval(watch);
    }
    t.diagnostic(`${2 * RUNS_PER_LOOP} runs in ${Date.now() - started} ms`);
    assert.deepEqual(failures.map((f) => `loop ${f.loop}: exit ${f.run.code}: ${f.run.stderr.trim()}`), [],
      'every run succeeded (a reused refresh token would be exit 3 "expired or was revoked")');
    assert.equal(tokens.size, 2 * RUNS_PER_LOOP, 'every run got its own new access token');
    assert.ok(refreshTokens.size > 1, 'the refresh token rotated along the way');
    const last = await tokenOf(world(), [id]);
    assert.equal((await meAt(backend, last)).status, 200, 'the login still works');
  });
});
