/**
 * The wall clock jumping and the machine sleeping. FakeClock.jump moves only the wall clock, as
 * a clock change or a suspend does (Node's timers run on the monotonic clock, which stands still
 * during suspend); `core.resume()` is what the Electron layer calls on powerMonitor 'resume'.
 * The IdP keeps real time throughout, so its tokens are still good after a jump.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, HOUR, MINUTE, startSignedInStand, stopOwnKeyring, type FaultStand } from './harness.ts';

const TOKEN = '/token';

after(stopOwnKeyring);

describe('clock jumps and sleep (30-day login)', () => {
  let s: FaultStand;
  let id: string;
  before(async () => ({ s, id } = await startSignedInStand()));
  after(() => s?.stop());

  /** A fresh refresh, then the state every case starts from. */
  async function settled(): Promise<string> {
    s.idpProxy.clear();
    await s.idpProxy.setRefusing(false);
    await s.runFor(10 * MINUTE);
    assert.equal((await s.status(id)).state, 'active');
    const rt = await s.keychainRefreshToken(id);
    assert.ok(rt && (await s.isActiveAtIdp(rt)));
    return rt;
  }

  test('clock jumps forward a day, then resume: exactly one refresh, active, token rotated and kept', async () => {
    const rtBefore = await settled();
    const requests = s.idpProxy.count(TOKEN);
    const notes = s.notifications.length;
    s.clock.jump(DAY);
    s.core.resume();
    await s.quiet();
    assert.equal(s.idpProxy.count(TOKEN) - requests, 1, 'one refresh, no burst');
    assert.equal((await s.status(id)).state, 'active');
    const rtAfter = await s.keychainRefreshToken(id);
    assert.ok(rtAfter && rtAfter !== rtBefore && (await s.isActiveAtIdp(rtAfter)));
    assert.equal(s.notifications.length, notes, 'nothing to announce');
    await s.runFor(HOUR);
    assert.ok(s.idpProxy.count(TOKEN) - requests <= 17, 'then the usual pace (one refresh per 4 min)');
  });

  test('clock jumps forward a day without a resume event: the armed timer catches it', async () => {
    await settled();
    const requests = s.idpProxy.count(TOKEN);
    s.clock.jump(DAY);
    await s.runFor(5 * MINUTE);
    const n = s.idpProxy.count(TOKEN) - requests;
    assert.ok(n >= 1 && n <= 2, `${n} refreshes in the 5 minutes after the jump`);
    assert.equal((await s.status(id)).state, 'active');
  });

  test('clock jumps back an hour: the access token is still refreshed within its real lifetime', async () => {
    await settled();
    const expiresAt = (await s.status(id)).accessTokenExpiresAt;
    assert.ok(expiresAt !== null);
    const realLifeLeft = expiresAt - s.clock.now();
    const requests = s.idpProxy.count(TOKEN);
    s.clock.jump(-HOUR);
    s.core.resume();
    await s.quiet();
    await s.runFor(realLifeLeft);
    assert.ok(s.idpProxy.count(TOKEN) - requests >= 1, `refreshed within the ${Math.round(realLifeLeft / 1000)} s the access token really had left`);
  });

  test('sleep for 8 hours, network not back yet at resume: offline, then recovered at the next retry', async (t) => {
    const rtBefore = await settled();
    await s.idpProxy.setRefusing(true);
    const calls = s.edge.callsTo(s.idpProxy.url);
    s.clock.jump(8 * HOUR);
    s.core.resume();
    await s.quiet();
    assert.equal((await s.status(id)).state, 'offline');
    await s.runFor(3_000);
    await s.idpProxy.setRefusing(false); // Wi-Fi reconnects a few seconds after wake-up
    await s.runFor(30_000);
    const paths = s.edge.pathsTo(s.idpProxy.url).slice(calls);
    const n = paths.length;
    t.diagnostic(`IdP requests from resume to recovery: ${paths.join(', ')}`);
    // The retry discovers the IdP again first: after a failure its document is not trusted.
    assert.equal(n, 3, `one failed at resume, one retry after 5 s (discovery + refresh), not ${paths.join(', ')}`);
    assert.equal((await s.status(id)).state, 'active');
    const rtAfter = await s.keychainRefreshToken(id);
    assert.ok(rtAfter && rtAfter !== rtBefore && (await s.isActiveAtIdp(rtAfter)));
  });

  test('resume announced twice at once (resume + unlock-screen): one refresh', async () => {
    await settled();
    const requests = s.idpProxy.count(TOKEN);
    s.clock.jump(2 * HOUR);
    s.core.resume();
    s.core.resume();
    await s.quiet();
    assert.equal(s.idpProxy.count(TOKEN) - requests, 1);
    assert.equal((await s.status(id)).state, 'active');
  });
});

describe('sleep across warning thresholds and past expiry (36-hour login)', () => {
  let s: FaultStand;
  let id: string;
  before(async () => ({ s, id } = await startSignedInStand({ idp: { refreshTokenTtl: 36 * 3600 } })));
  after(() => s?.stop());

  test('waking up after the refresh token expired: "sign in again" once, nothing sent, token not deleted', async () => {
    const rt = await s.keychainRefreshToken(id);
    const notes = s.notifications.length;
    const requests = s.idpProxy.count(TOKEN);
    s.clock.jump(40 * HOUR); // past the 36 h the IdP announced at sign-in
    s.core.resume();
    await s.quiet();
    await s.runFor(HOUR);
    assert.equal((await s.status(id)).state, 'expired');
    assert.deepEqual(s.notifications.slice(notes).map((n) => n.title), [`${(await s.status(id)).label} needs a new sign-in`]);
    assert.equal(s.idpProxy.count(TOKEN), requests, 'no refresh with a token known to be expired');
    assert.equal(await s.keychainRefreshToken(id), rt, 'nothing deleted');

    // Recovery: sign in again.
    assert.equal(await s.login(id), id);
    assert.equal((await s.status(id)).state, 'expiring-soon'); // 36 h < the 7-day threshold
  });

  test('waking up 30 h later: one warning (the most urgent), one refresh', async () => {
    const notes = s.notifications.length;
    const requests = s.idpProxy.count(TOKEN);
    s.clock.jump(30 * HOUR);
    s.core.resume();
    await s.quiet();
    const said = s.notifications.slice(notes).map((n) => n.title);
    assert.equal(said.length, 1, `one notification, got: ${said.join(' | ')}`);
    assert.match(said[0]!, /login expires/);
    assert.equal(s.idpProxy.count(TOKEN) - requests, 1);
    assert.equal((await s.status(id)).state, 'expiring-soon');
  });

});
