/**
 * Every flow against a real Keycloak 26 with a CDSE-shaped realm (test/fixtures/keycloak): the
 * built CLI as separate processes, the real keychain, Keycloak's own login pages driven over HTTP,
 * and a fixture openEO backend that checks tokens at Keycloak's userinfo endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { completeKeycloakBrowserLogin } from '../fixtures/keycloak/keycloak-user.ts';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.ts';
import { startFixtureBackend } from '../fixtures/openeo-backend.ts';
import { readSettingsFast } from '../../src/main/core/settings/settings-file.ts';
import { identityStatuses } from '../../src/main/core/session/status.ts';
import { buildTrayMenu } from '../../src/main/core/tray/menu.ts';
import type { TrayMenuItem } from '../../src/main/core/tray/menu-item.ts';
import { accountStateLine, loginEndWords } from '../../src/renderer/words.ts';
import { EXPIRED_SENTENCE, ISO_8601, theErrorLine } from '../e2e/cli-harness.ts';
import {
  PUBLIC_CLIENT, REALM, REALM_SETTINGS, REVOKE_CLIENT, REVOKE_REALM, SERVICE_CLIENT, SHORT_SESSION_CLIENT,
  claims, suiteOptions,
} from './support.ts';
import { CDSE_TITLE, meAt, refreshAtKeycloak, signInAtKeycloak, statusOf, tokenOf, useKeycloakWorld } from './world.ts';

const ONLINE_CLIENT = 'openeo-online';

/** What the tray menu and the window say about one identity, from the settings file the CLI wrote. */
function onScreen(home: string, id: string): { tray: string[]; window: string } {
  const rows = identityStatuses(readSettingsFast(home).identities, Date.now());
  const row = rows.find((r) => r.id === id);
  assert.ok(row, `no identity ${id} in the settings file`);
  const walk = (item: TrayMenuItem): string[] => [item.label, ...(item.submenu ?? []).flatMap(walk)];
  const labels = buildTrayMenu([row], Date.now()).flatMap(walk);
  const now = Date.now();
  // The account's one line, then the login's end as its details say it.
  return { tray: labels, window: `${accountStateLine(row, now).text} | ${loginEndWords(row, now)}` };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Keycloak (CDSE-shaped realm): every flow', suiteOptions(), () => {
  const { kc, world } = useKeycloakWorld();

  test('Keycloak runs for real', (t) => {
    t.diagnostic(`Keycloak ${kc().version} on JDK ${kc().javaMajor} at ${kc().url}, ready ${(kc().startMs / 1000).toFixed(1)} s after start`);
    assert.match(kc().version, /^26\./);
  });

  test('the realm insists on PKCE for the device grant (so a login that works sent it)', async () => {
    const res = await fetch(`${kc().issuer()}/protocol/openid-connect/auth/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: PUBLIC_CLIENT, scope: 'openid offline_access' }),
    });
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(await res.json()), /code_challenge_method/);
  });

  test('device login on Keycloak\'s own pages (HTTP): an offline login, no fixed end; token and /me work', async () => {
    const backend = await world().backend();
    const id = await signInAtKeycloak(world(), backend);
    const refresh = await world().secret(`${id}/refresh_token`);
    assert.ok(refresh);
    const rt = claims(refresh);
    assert.equal(rt.typ, 'Offline');
    assert.equal(rt.exp, undefined, 'a Keycloak offline token has no exp (like CDSE\'s, openeo-qgis-plugin #142)');

    const row = await statusOf(world(), id);
    assert.equal(row.state, 'active');
    assert.equal(row.provider, 'CDSE');
    assert.equal(row.refresh_token_expiry, 'never');
    assert.equal(row.login_end, 'while-used');
    assert.equal(row.refresh_token_expires_at, null, 'no invented end');
    assert.match(String(row.last_renewed_at), ISO_8601);
    const text = await world().cli(['status']);
    assert.match(text.stdout, /Active · no fixed end: lasts while it is used · last renewed \d/);
    assert.doesNotMatch(text.stdout, /never expires/i);
    const screen = onScreen(world().home, id);
    assert.ok(screen.tray.some((l) => /^Active · no fixed end: lasts while it is used · last renewed \d/.test(l)), `tray: ${screen.tray.join(' | ')}`);
    assert.match(screen.window, /^Signed in · renews itself \| No fixed end: it lasts while it is used/);
    assert.doesNotMatch(screen.window, /offline/i, 'a Keycloak offline token is not called offline in the window');

    const access = await tokenOf(world(), [id]);
    const me = await meAt(backend, access);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.user_id, claims(access).sub, '/me user id is the Keycloak subject (checked through userinfo)');
    assert.equal(row.user_id, claims(access).sub);
  });

  test('browser login: authorization code + PKCE with a loopback redirect on 127.0.0.1', async () => {
    const backend = await world().backend();
    let approval: Promise<{ status: number; body: string }> | undefined;
    let authorizationUrl = '';
    const run = await world().cli(['login', backend.url, '--flow', 'browser', '--json', '--no-browser'], {
      timeoutMs: 60_000,
      onStdoutLine: (line, child) => {
        const event = JSON.parse(line) as { event: string; url?: string };
        if (event.event !== 'authorization_url' || approval) return;
        authorizationUrl = event.url!;
        approval = completeKeycloakBrowserLogin(authorizationUrl, { username: 'alice', password: 'alice-password' });
        approval.catch(() => child.kill('SIGTERM'));
      },
    });
    const page = await approval;
    assert.equal(run.code, 0, run.stderr);
    const url = new URL(authorizationUrl);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.match(page?.body ?? '', /Signed in/);
    const id = String((JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { identity: string }).identity);
    assert.equal((await meAt(backend, await tokenOf(world(), [id]))).status, 200);
  });

  test('without offline_access: a sliding end, learnt at the first refresh; the old refresh token still works (no revocation)', async () => {
    const backend = await world().backend(REALM, ONLINE_CLIENT);
    const id = await signInAtKeycloak(world(), backend);
    const first = await world().secret(`${id}/refresh_token`);
    assert.equal(claims(first!).typ, 'Refresh');
    const atLogin = await statusOf(world(), id);
    assert.equal(atLogin.login_end, 'unconfirmed', 'one answer cannot tell a sliding end from a fixed one');
    const end0 = Date.parse(String(atLogin.refresh_token_expires_at));
    assert.ok(Math.abs(end0 - Date.now() - REALM_SETTINGS.ssoSessionIdleS * 1000) < 15_000, 'the end is the SSO idle window');

    // Far enough apart for a sliding end to show that it moved (refreshes seconds apart teach nothing).
    await sleep(7_000);
    await tokenOf(world(), [id, '--min-valid', String(REALM_SETTINGS.accessTokenLifespanS + 60)]);
    const rotated = await world().secret(`${id}/refresh_token`);
    assert.notEqual(rotated, first, 'Keycloak rotates the refresh token on each refresh');
    const row = await statusOf(world(), id);
    assert.equal(row.login_end, 'sliding');
    assert.ok(Date.parse(String(row.ends_if_unused_at)) >= end0 + 2_000, 'using it moved the end');
    assert.equal(row.absolute_end_at, null, 'the session maximum is not known yet');
    assert.match((await world().cli(['status'])).stdout, /ends if unused by .* · each use extends it/);
    const screen = onScreen(world().home, id);
    assert.ok(screen.tray.some((l) => /^Active · ends if unused by .* · each use extends it$/.test(l)), `tray: ${screen.tray.join(' | ')}`);
    // The time in the system's locale ("06:45", "6:45 AM").
    assert.match(screen.window, /^Signed in · renews itself \| Ends if unused by \d{1,2}:\d{2}(\s[AP]M)?; each use moves that on/);

    const reused = await refreshAtKeycloak(kc(), REALM, ONLINE_CLIENT, first!);
    assert.equal(reused.status, 200, 'Revoke Refresh Token is off (Keycloak\'s default): an older token can be used again');
    assert.equal((await meAt(backend, await tokenOf(world(), [id]))).status, 200);
  });

  test('five refreshes within 10 s of a sliding login: still sliding, no "sign in again" (refreshes seconds apart teach nothing)', async () => {
    const backend = await world().backend(REALM, ONLINE_CLIENT);
    const id = await signInAtKeycloak(world(), backend);
    await sleep(7_000);
    await tokenOf(world(), [id, '--min-valid', '999999']);
    assert.equal((await statusOf(world(), id)).login_end, 'sliding');
    const started = Date.now();
    for (let i = 0; i < 5; i++) await tokenOf(world(), [id, '--min-valid', '999999']);
    assert.ok(Date.now() - started < 10_000, 'five refreshes within 10 s');
    const row = await statusOf(world(), id);
    assert.equal(row.login_end, 'sliding');
    assert.equal(row.absolute_end_at, null, 'no session maximum made up from refreshes seconds apart');
    assert.equal(row.state, 'active');
    assert.doesNotMatch((await world().cli(['status'])).stdout, /Sign in again soon|no longer extends/);
  });

  test('a client session maximum (90 s): the end does not move, so it is absolute — and said so', async () => {
    const backend = await world().backend(REALM, SHORT_SESSION_CLIENT);
    const id = await signInAtKeycloak(world(), backend);
    const atLogin = await statusOf(world(), id);
    await sleep(7_000);
    await tokenOf(world(), [id, '--min-valid', String(REALM_SETTINGS.shortClientSessionMaxS + 30)]);
    const row = await statusOf(world(), id);
    assert.equal(row.login_end, 'absolute');
    assert.equal(row.absolute_end_at, row.refresh_token_expires_at);
    assert.ok(Math.abs(Date.parse(String(row.refresh_token_expires_at)) - Date.parse(String(atLogin.refresh_token_expires_at))) <= 3_000);
    assert.equal(row.state, 'expiring-soon', 'an absolute end within the warning window');
    assert.match((await world().cli(['status'])).stdout, /Sign in again soon · refresh token expires/);
    const screen = onScreen(world().home, id);
    assert.ok(screen.tray.some((l) => /^Sign in again soon · refresh token expires/.test(l)), `tray: ${screen.tray.join(' | ')}`);
    assert.match(screen.window, /^Sign in again within \d+ (seconds?|minutes?) \| Renews itself until .* \(in \d+ (seconds?|minutes?)\); then sign in again\.$/);
  });

  describe('reuse detection on (realm CDSE-revoke: Revoke Refresh Token, max reuse 0)', () => {
    let proxy: FaultProxy;
    before(async () => {
      proxy = await startFaultProxy({ target: new URL(kc().url).origin });
    });
    after(async () => {
      await proxy?.stop();
    });

    test('a reused refresh token ends the login: "sign in again" (exit 3), no retry loop', async (t) => {
      // Through a counting proxy: Keycloak names its issuer after the Host it is asked on.
      const issuer = `${proxy.url}/auth/realms/${REVOKE_REALM}`;
      const backend = await startFixtureBackend({ idp: { issuer, publicClientId: REVOKE_CLIENT }, tokenCheck: 'userinfo', providerId: 'CDSE', providerTitle: CDSE_TITLE });
      t.after(() => backend.stop());
      const id = await signInAtKeycloak(world(), backend);
      const spent = await world().secret(`${id}/refresh_token`);
      await tokenOf(world(), [id, '--min-valid', '100000']);
      const thief = await fetch(`${issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: spent!, client_id: REVOKE_CLIENT }),
      });
      const refused = await thief.json() as { error?: string; error_description?: string };
      assert.equal(thief.status, 400);
      assert.equal(refused.error, 'invalid_grant');
      assert.match(String(refused.error_description), /reuse/i, 'Keycloak\'s own words');

      const before = proxy.count(/\/token$/, 'POST');
      const run = await world().cli(['token', id, '--min-valid', '100000']);
      assert.equal(run.code, 3, run.stderr);
      assert.match(theErrorLine(run), new RegExp(EXPIRED_SENTENCE));
      assert.equal(proxy.count(/\/token$/, 'POST') - before, 1, 'one refresh attempt, not a retry loop');
      const row = await statusOf(world(), id);
      assert.equal(row.state, 'expired');
    });
  });

  test('logout --revoke: Keycloak refuses the old refresh token and the backend the old access token', async () => {
    const backend = await world().backend();
    const id = await signInAtKeycloak(world(), backend);
    const refresh = await world().secret(`${id}/refresh_token`);
    const access = await tokenOf(world(), [id]);
    assert.equal((await meAt(backend, access)).status, 200);
    const out = await world().cli(['logout', id, '--revoke']);
    assert.equal(out.code, 0, out.stderr);
    const again = await refreshAtKeycloak(kc(), REALM, PUBLIC_CLIENT, refresh!);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
    const me = await meAt(backend, access);
    assert.equal(me.status, 403, 'userinfo no longer accepts the access token of the revoked session');
    assert.equal(me.body.code, 'TokenInvalid');
    assert.equal(await world().secret(`${id}/refresh_token`), null);
  });

  test('client credentials: /me user id is the service account\'s sub', async () => {
    const backend = await world().backend();
    const run = await world().cli(['login', backend.url, '--flow', 'client-credentials', '--client-id', SERVICE_CLIENT.id, '--json'], {
      env: { ...world().env, OPENEO_AUTH_CLIENT_SECRET: SERVICE_CLIENT.secret },
    });
    assert.equal(run.code, 0, run.stderr);
    const done = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { identity: string; kind: string; user_id: string };
    assert.equal(done.kind, 'client-credentials');
    const access = await tokenOf(world(), [done.identity]);
    const sub = claims(access).sub;
    assert.equal(claims(access).preferred_username, `service-account-${SERVICE_CLIENT.id}`);
    assert.equal(done.user_id, sub);
    assert.equal((await meAt(backend, access)).body.user_id, sub);
    const row = await statusOf(world(), done.identity);
    assert.equal(row.login_end, 'none');
  });
});

