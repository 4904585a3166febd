import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrayMenu } from '../../../src/main/core/tray/menu.ts';
import type { TrayMenuItem } from '../../../src/main/core/tray/menu-item.ts';
import { MAX_JOBS_IN_MENU } from '../../../src/main/core/tray/jobs-menu.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';
import type { BatchJob } from '../../../src/shared/model.ts';
import { DAY, EN, NOW, serviceAccount, status } from '../../helpers/identity-status.ts';

function flat(items: readonly TrayMenuItem[]): TrayMenuItem[] {
  return items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);
}
function byId(items: readonly TrayMenuItem[], id: string): TrayMenuItem {
  const found = flat(items).find((i) => i.id === id);
  assert.ok(found, `no menu item ${id} in ${flat(items).map((i) => i.id).join(', ')}`);
  return found;
}
const COPY_IDS = ['access-token', 'bearer', 'authorization-header', 'python-snippet', 'refresh-token'];
const far = { kind: 'at', at: Date.UTC(2025, 11, 12, 12, 0) } as const; // 13 days after NOW

describe('buildTrayMenu', () => {
  afterEach(() => clearRegisteredSecrets());

  test('with no identities: a friendly line, Add account…, Open window, Settings, Quit', () => {
    const menu = buildTrayMenu([], NOW, EN);
    assert.equal(menu[0]?.label, 'No accounts yet');
    assert.equal(menu[0]?.enabled, false);
    const actions = menu.filter((i) => i.action).map((i) => i.action?.type);
    assert.deepEqual(actions, ['add-account', 'open-window', 'settings', 'quit']);
    assert.equal(menu.at(-1)?.action?.type, 'quit');
  });

  test('an active personal login: header, state line, copy actions, account actions, jobs', () => {
    const menu = buildTrayMenu([status({ refreshTokenExpiry: far })], NOW, EN);
    assert.deepEqual(
      { type: menu[0]?.type, label: menu[0]?.label, enabled: menu[0]?.enabled },
      { type: 'header', label: 'CDSE — openeo.dataspace.copernicus.eu · personal', enabled: false },
    );
    assert.equal(menu[1]?.label, 'Active · refresh token expires 12 Dec (in 13 days)');
    for (const what of COPY_IDS) {
      const item = byId(menu, `cdse-3f9a1c:copy:${what}`);
      assert.equal(item.enabled, true, what);
      assert.deepEqual(item.action, { type: 'copy', identityId: 'cdse-3f9a1c', what });
    }
    assert.equal(byId(menu, 'cdse-3f9a1c:copy:authorization-header').label, 'Copy as Authorization: header');
    assert.deepEqual(byId(menu, 'cdse-3f9a1c:sign-in-again').action, { type: 'sign-in-again', identityId: 'cdse-3f9a1c' });
    assert.deepEqual(byId(menu, 'cdse-3f9a1c:refresh').action, { type: 'refresh', identityId: 'cdse-3f9a1c' });
    assert.deepEqual(byId(menu, 'cdse-3f9a1c:sign-out').action, { type: 'sign-out', identityId: 'cdse-3f9a1c' });
    assert.ok(byId(menu, 'cdse-3f9a1c:sign-out').confirm, 'sign-out asks first');
    assert.equal(flat(menu).some((i) => i.id === 'cdse-3f9a1c:credits'), false, 'no credits link for a personal login');
    assert.deepEqual(menu.filter((i) => !i.id.startsWith('cdse')).filter((i) => i.action).map((i) => i.action?.type),
      ['add-account', 'open-window', 'settings', 'quit']);
  });

  test('copying the refresh token asks for confirmation and says what it means', () => {
    const item = byId(buildTrayMenu([status()], NOW, { ...EN, clipboardClearSeconds: 30 }), 'cdse-3f9a1c:copy:refresh-token');
    assert.ok(item.confirm);
    assert.match(item.confirm.message, /refresh token of CDSE/);
    assert.match(item.confirm.detail, /30 seconds/);
    assert.equal(item.confirm.confirmLabel, 'Copy refresh token');
    const others = COPY_IDS.filter((w) => w !== 'refresh-token')
      .map((w) => byId(buildTrayMenu([status()], NOW, EN), `cdse-3f9a1c:copy:${w}`));
    assert.ok(others.every((i) => i.confirm === undefined));
  });

  test('state lines for every kind of state', () => {
    const line = (o: Parameters<typeof status>[0]) => buildTrayMenu([status(o)], NOW, EN)[1]?.label;
    assert.equal(line({ state: 'expired' }), 'Expired — sign in again');
    assert.equal(line({ state: 'offline', offlineSince: Date.UTC(2025, 10, 29, 10 - 2, 42) }), 'No connection since 08:42 — retrying');
    assert.equal(line({ state: 'keychain-unavailable', problem: { code: 'KEYCHAIN_LOCKED', message: 'locked' } }),
      'Keychain locked — unlock it to continue');
    assert.equal(line({ state: 'keychain-unavailable', problem: { code: 'KEYCHAIN_UNAVAILABLE', message: 'none' } }),
      'No usable keychain — tokens cannot be read');
    assert.equal(line({ state: 'signing-in' }), 'Signing in…');
    assert.equal(line({ state: 'signed-out' }), 'Signed out — sign in again to use it');
    assert.equal(line({ refreshTokenExpiry: { kind: 'never' } }), 'Active · no fixed end: lasts while it is used');
    assert.equal(line({ refreshTokenExpiry: { kind: 'unknown' } }), 'Active · refresh token expiry unknown');
    assert.equal(line({ refreshTokenExpiry: { kind: 'at', at: NOW + 2 * DAY } }),
      'Sign in again soon · refresh token expires 1 Dec (in 2 days)');
    assert.equal(line({ state: 'error', problem: { code: 'IDP_ERROR', message: 'The sign-in server answered with an error.' } }),
      'Problem: The sign-in server answered with an error.');
  });

  test('copy actions are disabled when no token is available; the snippet stays available', () => {
    for (const state of ['expired', 'signed-out', 'keychain-unavailable'] as const) {
      const menu = buildTrayMenu([status({ state })], NOW, EN);
      for (const what of COPY_IDS) {
        assert.equal(byId(menu, `cdse-3f9a1c:copy:${what}`).enabled, what === 'python-snippet', `${state} ${what}`);
      }
    }
    const offline = buildTrayMenu([status({ state: 'offline', offlineSince: NOW - 60_000 })], NOW, EN);
    assert.equal(byId(offline, 'cdse-3f9a1c:copy:access-token').enabled, true, 'an offline login may still hold a valid token');
  });

  test('a refresh token past its expiry disables copying even if the row still says active', () => {
    const menu = buildTrayMenu([status({ refreshTokenExpiry: { kind: 'at', at: NOW - 1 } })], NOW, EN);
    assert.equal(menu[1]?.label, 'Expired — sign in again');
    assert.equal(byId(menu, 'cdse-3f9a1c:copy:bearer').enabled, false);
    assert.equal(byId(menu, 'cdse-3f9a1c:refresh').enabled, false);
    assert.equal(byId(menu, 'cdse-3f9a1c:sign-in-again').enabled, true);
  });

  test('a service account: kind in the header, credits link, no refresh token to copy', () => {
    const menu = buildTrayMenu([serviceAccount()], NOW, EN);
    assert.equal(menu[0]?.label, 'CDSE batch — openeo.dataspace.copernicus.eu · service account');
    assert.equal(menu[1]?.label, 'Active · new tokens come from the client secret');
    const credits = byId(menu, 'svc-77aa01:credits');
    assert.equal(credits.label, 'Link credits to your personal account…');
    assert.deepEqual(credits.action, { type: 'open-window', page: 'credits', identityId: 'svc-77aa01' });
    assert.equal(flat(menu).some((i) => i.id === 'svc-77aa01:copy:refresh-token'), false);
  });

  test('Jobs submenu: "No jobs yet" when empty, running first, capped, each opens the jobs page', () => {
    const empty = byId(buildTrayMenu([status()], NOW, { ...EN, jobs: { 'cdse-3f9a1c': [] } }), 'cdse-3f9a1c:jobs');
    assert.equal(empty.type, 'submenu');
    assert.equal(empty.submenu?.[0]?.label, 'No jobs yet');
    assert.equal(empty.submenu?.[0]?.enabled, false);

    const job = (i: number, status: BatchJob['status'], extra: Partial<BatchJob> = {}): BatchJob =>
      ({ id: `j-${i}`, title: `NDVI ${i}`, status, created: new Date(NOW - (20 - i) * 3_600_000).toISOString(), ...extra });
    const jobs = [
      job(1, 'finished'), job(2, 'error'), job(3, 'running', { progress: 41.6 }), job(4, 'canceled'),
      job(5, 'queued', { title: undefined }), ...Array.from({ length: 10 }, (_, k) => job(6 + k, 'finished')),
    ];
    const sub = byId(buildTrayMenu([status()], NOW, { ...EN, jobs: { 'cdse-3f9a1c': jobs } }), 'cdse-3f9a1c:jobs');
    assert.equal(sub.label, 'Jobs (2 in progress)');
    const rows = (sub.submenu ?? []).filter((i) => i.id.match(/:jobs:\d+$/));
    assert.equal(rows.length, MAX_JOBS_IN_MENU);
    assert.deepEqual(rows.slice(0, 2).map((r) => r.label), ['j-5 — queued', 'NDVI 3 — running 42%']);
    assert.ok(rows.every((r) => r.enabled && r.action?.type === 'open-window' && r.action.page === 'jobs'));
    const all = sub.submenu?.at(-1);
    assert.deepEqual(all?.action, { type: 'open-window', page: 'jobs', identityId: 'cdse-3f9a1c' });
    const failed = buildTrayMenu([status()], NOW, { ...EN, jobs: { 'cdse-3f9a1c': [job(2, 'error')] } });
    assert.equal(byId(failed, 'cdse-3f9a1c:jobs:0').label, 'NDVI 2 — failed');
  });

  test('several identities: ids unique, every enabled normal item has an action', () => {
    const menu = buildTrayMenu([
      status(), serviceAccount(), status({ id: 'eodc-1', label: 'EODC', state: 'expired' }),
    ], NOW, { ...EN, jobs: { 'svc-77aa01': [{ id: 'x', status: 'running', created: '2025-11-29T08:00:00Z' }] } });
    const ids = flat(menu).map((i) => i.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const item of flat(menu)) {
      if (item.type === 'normal' && item.enabled && !item.id.endsWith(':state')) assert.ok(item.action, item.id);
      if (item.type === 'submenu') assert.ok(item.submenu && item.submenu.length > 0, item.id);
    }
    assert.equal(menu.filter((i) => i.type === 'header').length, 3);
  });

  test('forwards of the token agent: one line each with its logins and end, Stop in its submenu', () => {
    const until = Date.UTC(2025, 10, 29, 18, 0);
    const forwards = [
      { id: '0a1b2c3d', identities: [{ id: 'cdse-3f9a1c', label: 'CDSE' }], until },
      { id: '4e5f6a7b', identities: [{ id: 'cdse-3f9a1c', label: 'CDSE' }, { id: 'svc-77aa01', label: 'CDSE batch' }], until: until + DAY },
    ];
    const menu = buildTrayMenu([status({ label: 'alice' }), serviceAccount()], NOW, { ...EN, agent: { forwards, problem: null } });
    const first = byId(menu, 'forward:0a1b2c3d');
    assert.equal(first.type, 'submenu');
    assert.equal(first.label, 'Forwarded: CDSE (alice) until 18:00');
    assert.equal(byId(menu, 'forward:4e5f6a7b').label, 'Forwarded: CDSE (alice), CDSE (CDSE batch) until 30 Nov, 18:00');
    const stop = byId(menu, 'forward:0a1b2c3d:stop');
    assert.deepEqual([stop.label, stop.enabled, stop.action], ['Stop', true, { type: 'stop-forward', forwardId: '0a1b2c3d' }]);
    assert.equal(stop.confirm, undefined, 'stopping needs no confirmation: it can be started again');
    // After the logins, before the app's own entries, set apart by a separator.
    const order = menu.map((i) => i.id);
    assert.ok(order.indexOf('forward:0a1b2c3d') > order.indexOf('svc-77aa01:sep-end'));
    assert.equal(order[order.indexOf('forward:4e5f6a7b') + 1], 'sep-agent');
    assert.equal(order[order.indexOf('sep-agent') + 1], 'add-account');
    assert.equal(flat(menu).some((i) => i.id.startsWith('agent-problem')), false);
  });

  test('a forward of a login no longer listed names it by the label it had', () => {
    const menu = buildTrayMenu([], NOW, { ...EN, agent: { forwards: [{ id: '0a1b2c3d', identities: [{ id: 'gone-1', label: 'Old login' }], until: NOW + 3_600_000 }], problem: null } });
    assert.equal(byId(menu, 'forward:0a1b2c3d').label, 'Forwarded: Old login until 10:00');
  });

  test('an agent that could not start: one disabled line says why; no agent section when all is well', () => {
    const problem = { message: 'The token agent did not start: its folder /run/user/1000/openeo-auth-tray has mode 0755, so other users could reach its socket.' };
    const menu = buildTrayMenu([status()], NOW, { ...EN, agent: { forwards: [], problem } });
    const line = byId(menu, 'agent-problem');
    assert.equal(line.enabled, false);
    assert.equal(line.action, undefined);
    assert.match(line.label, /^Token agent not running: The token agent did not start: its folder \/run\/user\/1000\/openeo-auth-tray has mode 0755/);
    assert.ok(line.label.length <= 'Token agent not running: '.length + 90);
    const quiet = buildTrayMenu([status()], NOW, { ...EN, agent: { forwards: [], problem: null } });
    assert.deepEqual(quiet.map((i) => i.id), buildTrayMenu([status()], NOW, EN).map((i) => i.id), 'nothing to say: no section, no separator');
  });

  test('labels never carry a secret, even one pasted into a label or a job title', () => {
    const secret = 'rt-9f8e7d6c5b4a3210';
    registerSecret(secret);
    const menu = buildTrayMenu(
      [status({ label: `mine ${secret}`, state: 'error', problem: { code: 'IDP_ERROR', message: `bad ${secret}` } })],
      NOW,
      {
        ...EN, jobs: { 'cdse-3f9a1c': [{ id: 'j', title: `job ${secret}`, status: 'running', created: '2025-11-29T08:00:00Z' }] },
        agent: { forwards: [{ id: '0a1b2c3d', identities: [{ id: 'gone-1', label: `was ${secret}` }], until: NOW + 60_000 }], problem: { message: `failed ${secret}` } },
      },
    );
    const text = JSON.stringify(menu);
    assert.ok(!text.includes(secret), text);
    assert.ok(text.includes('[redacted]'));
  });
});

describe('the app\'s own entries at the end', () => {
  test('"Install command line tool…" (confirmed first) and "Restart to update…" only when offered, before Quit', () => {
    const plain = buildTrayMenu([], NOW, EN).map((i) => i.id);
    assert.ok(!plain.includes('install-command-line') && !plain.includes('install-update'));
    const confirm = { message: 'Put it there?', detail: 'Why.', confirmLabel: 'Install' };
    const items = buildTrayMenu([], NOW, { ...EN, commandLine: { label: 'Install command line tool…', confirm }, update: { label: 'Restart to update to 0.2.0…' } });
    const ids = items.map((i) => i.id);
    assert.deepEqual(ids.slice(-5), ['settings', 'install-command-line', 'install-update', 'sep-quit', 'quit']);
    const install = items.find((i) => i.id === 'install-command-line')!;
    assert.deepEqual(install.action, { type: 'install-command-line' });
    assert.deepEqual(install.confirm, confirm);
    const update = items.find((i) => i.id === 'install-update')!;
    assert.equal(update.label, 'Restart to update to 0.2.0…');
    assert.deepEqual(update.action, { type: 'install-update' });
    assert.equal(update.confirm, undefined, 'the restart\'s own dialog shows the notes and asks');
  });
});
