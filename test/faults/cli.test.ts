/**
 * The IdP failing under the command line: the built CLI (a new process each time, so it
 * discovers the IdP afresh) runs `token` against a login made by the app core, through the
 * fault proxy. For each fault: exit code and message, the keychain's refresh token kept, and
 * `token` working again once the fault is gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Fault } from '../fixtures/fault-proxy.ts';
import { runCli } from '../helpers/cli.ts';
import { startSignedInStand, stopOwnKeyring, type FaultStand } from './harness.ts';

const DISCOVERY = '/.well-known/openid-configuration';
/** Forces a refresh: the app core's access token lives 300 s. */
const REFRESH = ['--min-valid', '3600'];

after(stopOwnKeyring);

describe('IdP faults under `openeo-auth-tray token`', () => {
  let s: FaultStand;
  let id: string;
  before(async () => ({ s, id } = await startSignedInStand({ cli: true })));
  after(() => s?.stop());

  const token = (...args: string[]) => runCli(['token', id, ...args], { env: s.cliEnv(), timeoutMs: 30_000 });

  test('IdP unreachable, access token still valid: `token` answers from the keychain without the network', async (t) => {
    await s.idpProxy.setRefusing(true);
    t.after(() => s.idpProxy.setRefusing(false));
    const run = await token();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\S{20,}\n$/);
    assert.equal(run.stderr, '');
  });

  const cases: Array<{ name: string; path: string; fault: Fault | 'refuse'; exit: number; message: RegExp }> = [
    { name: 'connection refused', path: '', fault: 'refuse', exit: 5, message: /Could not reach the identity provider at 127\.0\.0\.1:\d+\. Check your internet connection/ },
    { name: 'discovery reset mid-response', path: DISCOVERY, fault: { kind: 'reset' }, exit: 5, message: /Could not reach the identity provider/ },
    { name: 'discovery HTTP 503 with Retry-After', path: DISCOVERY, fault: { kind: 'status', status: 503, retryAfter: '120' }, exit: 5, message: /has a problem right now \(HTTP 503\)\. Try again in a few minutes\./ },
    { name: 'discovery truncated JSON', path: DISCOVERY, fault: { kind: 'truncate' }, exit: 1, message: /not valid OpenID Connect/ },
    { name: 'token endpoint HTTP 502 page', path: '/token', fault: { kind: 'status', status: 502 }, exit: 5, message: /has a problem right now \(HTTP 502\)/ },
    { name: 'token endpoint HTML instead of JSON', path: '/token', fault: { kind: 'body', body: '<html><body>Sign in to the Wi-Fi</body></html>' }, exit: 1, message: /not valid OpenID Connect/ },
  ];
  for (const c of cases) {
    test(`${c.name}: exit ${c.exit}, a sentence, refresh token kept`, async (t) => {
      const rtBefore = await s.keychainRefreshToken(id);
      assert.ok(rtBefore);
      const tokenRequests = s.idpProxy.count('/token');
      // The discovery document is kept in the settings folder; without it the refresh must discover.
      if (c.path === DISCOVERY) rmSync(join(s.dir, 'cache'), { recursive: true, force: true });
      if (c.fault === 'refuse') await s.idpProxy.setRefusing(true);
      else s.idpProxy.inject({ path: c.path, fault: c.fault });
      let run;
      try {
        run = await token(...REFRESH);
      } finally {
        s.idpProxy.clear();
        await s.idpProxy.setRefusing(false);
      }
      t.diagnostic(`stderr: ${run.stderr.trim()}`);
      assert.equal(run.code, c.exit, run.stderr);
      assert.equal(run.stdout, '', 'no token on stdout');
      assert.match(run.stderr, c.message);
      assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
      assert.ok(s.idpProxy.count('/token') - tokenRequests <= 1, 'one token request at most: no retry loop in the CLI');
      assert.equal(await s.keychainRefreshToken(id), rtBefore, 'the refresh token is untouched');
      assert.ok(await s.isActiveAtIdp(rtBefore));

      // Fault gone: the next call refreshes and saves the rotated token.
      const again = await token(...REFRESH);
      assert.equal(again.code, 0, again.stderr);
      const rtAfter = await s.keychainRefreshToken(id);
      assert.ok(rtAfter && rtAfter !== rtBefore && (await s.isActiveAtIdp(rtAfter)), 'the rotated token was saved');
    });
  }
});
