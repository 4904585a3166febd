/**
 * Learning how a login ends from refreshes, against the real oidc-provider: a sliding end (each
 * rotated refresh token lives its full time anew) is not mistaken for one that "no longer
 * extends" when scripts refresh a few seconds apart; an absolute end is still found. Keycloak's
 * version of the same is in test/keycloak/flows.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, startCliWorld } from './cli-harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
interface Row { id: string; login_end: string; absolute_end_at: string | null; state: string }

for (const sliding of [true, false]) {
  test(sliding
    ? 'a sliding login refreshed five times within 10 s stays sliding, with no made-up maximum and no warning'
    : 'an absolute end is still learnt from refreshes far enough apart', async (t) => {
    const w = await startCliWorld({ idp: { slidingRefreshTokens: sliding, refreshTokenTtl: 600 } });
    t.after(() => w.stop());
    const id = await signIn(w);
    const status = async (): Promise<Row> => (JSON.parse((await w.cli(['status', '--json'])).stdout) as Row[]).find((r) => r.id === id)!;
    // The first refresh far enough from the sign-in for a sliding end to show that it moved.
    await sleep(7_000);
    assert.equal((await w.cli(['token', id, '--min-valid', '999999'])).code, 0);
    assert.equal((await status()).login_end, sliding ? 'sliding' : 'absolute');
    for (let i = 0; i < 5; i++) assert.equal((await w.cli(['token', id, '--min-valid', '999999'])).code, 0);
    const row = await status();
    assert.equal(row.login_end, sliding ? 'sliding' : 'absolute');
    if (sliding) {
      assert.equal(row.absolute_end_at, null);
      assert.equal(row.state, 'active');
      assert.doesNotMatch((await w.cli(['status'])).stdout, /Sign in again soon|no longer extends/);
    } else {
      assert.equal(row.state, 'expiring-soon', 'an absolute end 10 minutes away is within the warning window');
    }
  });
}
