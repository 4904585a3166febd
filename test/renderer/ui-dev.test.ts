/**
 * The window against a small in-test `OpenEoAuthApi` with CANNED data and a pinned clock: exact
 * wording of states the real core reaches only after days (expiring soon, offline, keychain
 * locked) and realistic CDSE-like screenshots (test-output/screenshots/dev-*.png) for the README.
 * Every scenario of the issue runs against the real core in window.test.ts.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type {
  BackendChoice, CreditsView, DeviceLoginStarted, IdentityStatus, LoginRequest, Navigation, OpenEoAuthApi, Result, SettingsView,
} from '../../src/shared/api.ts';
import { axeScan, goTo, inPage, launchBrowser, openWindow, screenshot, seriousOnly, waitFor, type WindowHarness } from './harness.ts';

const T0 = Date.UTC(2025, 10, 29, 10, 0, 0);
const DAY = 86_400_000;
const CDSE = 'https://openeo.dataspace.copernicus.eu';
const ISSUER = 'https://identity.dataspace.copernicus.eu/auth/realms/CDSE';

function status(over: Partial<IdentityStatus> & Pick<IdentityStatus, 'id' | 'label'>): IdentityStatus {
  return {
    kind: 'personal', backend: CDSE, apiUrl: `${CDSE}/openeo/1.2`, provider: 'CDSE', issuer: ISSUER, clientId: 'openeo-tray',
    userId: null, state: 'active', accessTokenExpiresAt: T0 + 272_000, refreshTokenExpiry: { kind: 'at', at: T0 + 13 * DAY + 2 * 3_600_000 },
    refreshTokenObtainedAt: T0 - 17 * DAY, offlineSince: null, problem: null, ...over,
  };
}

const PERSONAL = status({ id: 'cdse-3f9a1c', label: 'Copernicus (personal)', userId: '5c3f2a1e-8d4b-4c1a-9a7e-2f6b1c0d9e8f' });
const ROBOT = status({
  id: 'cdse-robot', label: 'Batch robot', kind: 'client-credentials', clientId: 'sh-7d2e1f0a-4b3c-49aa-8e21',
  userId: 'b81f9c2d-77e0-4f3b-a3c5-0d1e2f3a4b5c', refreshTokenExpiry: { kind: 'none' }, refreshTokenObtainedAt: null,
});
const EXPIRED = status({
  id: 'platform-1', label: 'openEO Platform', backend: 'https://openeo.cloud', apiUrl: 'https://openeo.cloud/openeo/1.2',
  provider: 'egi', issuer: 'https://aai.egi.eu/auth/realms/egi', state: 'expired', accessTokenExpiresAt: T0 - 3 * DAY,
  refreshTokenExpiry: { kind: 'at', at: T0 - 2 * DAY }, userId: 'egi-user-42',
});

const fail = (code: string, message: string, nextStep?: string): Result<never> =>
  nextStep ? { ok: false, code, message, nextStep } : { ok: false, code, message };

/** A canned, in-memory API with just enough behaviour to drive every page. */
function fakeApi(initial: IdentityStatus[]) {
  let identities = [...initial];
  let settings: SettingsView = { notificationsEnabled: true, warningThresholds: [604800, 86400, 3600], clipboardClearSeconds: 30, startAtLogin: false, pythonSync: true, theme: 'system' };
  const changed = new Set<(list: IdentityStatus[]) => void>();
  const navigateListeners = new Set<(to: Navigation) => void>();
  const pending = new Map<string, (r: Result<{ identityId: string }>) => void>();
  const requests = new Map<string, LoginRequest>();
  let n = 0;
  const emit = () => { for (const l of changed) l(identities); };
  const backend = (url: string): BackendChoice => ({
    backendUrl: url, apiUrl: `${url}/openeo/1.2`, apiVersion: '1.2.0', title: 'Copernicus Data Space Ecosystem',
    providers: [
      { id: 'CDSE', title: 'Copernicus Data Space Ecosystem', issuer: ISSUER, flows: ['device', 'browser', 'client-credentials'], isDefault: true },
      { id: 'egi', title: 'EGI Check-in', issuer: 'https://aai.egi.eu/auth/realms/egi', description: 'Academic login', flows: ['device', 'client-credentials'], isDefault: false },
    ],
  });
  const api: OpenEoAuthApi = {
    listIdentities: async () => ({ ok: true, value: identities }),
    discoverBackend: async (url) => {
      if (url.includes(' ') || url === 'not a url') return fail('INVALID_URL', '“not a url” is not a web address.', 'Enter the backend’s URL, for example openeo.dataspace.copernicus.eu.');
      if (url.includes('unreachable')) return fail('BACKEND_UNREACHABLE', 'The backend at unreachable.example did not answer.', 'Check your internet connection and the URL, then try again.');
      return { ok: true, value: backend(url.startsWith('http') ? url : `https://${url}`) };
    },
    startDeviceLogin: async (request) => {
      const loginId = `login-${++n}`;
      requests.set(loginId, request);
      const started: DeviceLoginStarted = {
        loginId, verificationUri: 'http://127.0.0.1:9/device', verificationUriComplete: 'http://127.0.0.1:9/device?user_code=WDJB-MJHT',
        userCode: 'WDJB-MJHT', expiresAt: T0 + 600_000, interval: 1,
      };
      return { ok: true, value: started };
    },
    startBrowserLogin: async (request) => { const loginId = `login-${++n}`; requests.set(loginId, request); return { ok: true, value: { loginId } }; },
    awaitLogin: (loginId) => new Promise((resolve) => pending.set(loginId, resolve)),
    cancelLogin: async (loginId) => {
      pending.get(loginId)?.(fail('LOGIN_CANCELLED', 'Sign-in was cancelled.'));
      pending.delete(loginId);
      return { ok: true, value: null };
    },
    addServiceAccount: async (request) => {
      if (request.clientSecret !== 'right-secret') return fail('CLIENT_CREDENTIALS_REFUSED', 'The provider refused the client ID and secret.', 'Check both, or create a new secret where the client is registered.');
      const added = status({ ...ROBOT, id: `sa-${++n}`, label: request.label ?? 'Service account', clientId: request.clientId });
      identities = [...identities, added];
      emit();
      return { ok: true, value: { identityId: added.id } };
    },
    refreshNow: async (id) => {
      const found = identities.find((i) => i.id === id);
      if (!found) return fail('IDENTITY_NOT_FOUND', 'No such account.');
      if (found.state === 'expired') return fail('REFRESH_TOKEN_INVALID', 'The login of openEO Platform has expired.', 'Sign in again.');
      return { ok: true, value: found };
    },
    signOut: async (id) => { identities = identities.filter((i) => i.id !== id); emit(); return { ok: true, value: null }; },
    copy: async () => ({ ok: true, value: { clearsInSeconds: settings.clipboardClearSeconds } }),
    copyText: async () => ({ ok: true, value: { clearsInSeconds: 30 } }),
    getCredits: async (id) => {
      const found = identities.find((i) => i.id === id);
      if (!found) return fail('IDENTITY_NOT_FOUND', 'No such account.');
      const view: CreditsView = {
        identityId: id, kind: found.kind, budget: found.kind === 'personal' ? 9_520 : null,
        billingUrl: 'https://marketplace-portal.dataspace.copernicus.eu/billing',
        serviceAccount: found.kind === 'personal' ? null : {
          clientId: found.clientId, userId: found.userId, personalUserId: PERSONAL.userId, personalLabel: PERSONAL.label,
          supportMessage: `Hello,\n\nplease link the credits of my service account to my personal account.\n\nClient ID: ${found.clientId}\nService account user ID: ${found.userId}\nPersonal user ID: ${PERSONAL.userId}\n\nThe service account has run a batch job.\n\nThank you.`,
          supportUrl: 'https://helpcenter.dataspace.copernicus.eu/hc/en-gb/requests/new',
        },
      };
      return { ok: true, value: view };
    },
    listJobs: async () => ({ ok: true, value: [
      { id: 'j-2511290941a', title: 'NDVI composite Flanders', status: 'finished', created: '2025-11-29T09:41:00Z', costs: 12.5 },
      { id: 'j-2511291002b', title: 'Sentinel-1 backscatter', status: 'running', progress: 42, created: '2025-11-29T10:02:00Z' },
      { id: 'j-2511280812c', status: 'error', created: '2025-11-28T08:12:00Z', costs: 0.4 },
    ] }),
    getSettings: async () => ({ ok: true, value: settings }),
    updateSettings: async (patch) => { settings = { ...settings, ...patch }; return { ok: true, value: settings }; },
    openExternal: async () => ({ ok: true, value: null }),
    onIdentitiesChanged: (l) => { changed.add(l); return () => changed.delete(l); },
    onNavigate: (l) => { navigateListeners.add(l); return () => navigateListeners.delete(l); },
  };
  return {
    api,
  };
}

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function withWindow(identities: IdentityStatus[], run: (w: WindowHarness, fake: ReturnType<typeof fakeApi>) => Promise<void>, colorScheme: 'light' | 'dark' = 'light') {
  const fake = fakeApi(identities);
  const w = await openWindow(browser, fake.api, { fixedTime: T0, colorScheme });
  try {
    await run(w, fake);
    assert.deepEqual(w.consoleProblems, [], 'no console errors, CSP violations or page errors');
    assert.deepEqual(w.blockedRequests, [], 'no request left loopback');
    assert.deepEqual(w.refused, [], 'every request passed the guards');
  } finally {
    await w.close();
  }
}

describe('window with canned data', () => {
  test('Accounts shows each identity with expiry words, date, bar and state', async () => {
    await withWindow([PERSONAL, ROBOT, EXPIRED], async ({ page }) => {
      const personal = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: PERSONAL.label }) });
      await personal.getByText('expires in 13 days').waitFor();
      assert.match(await personal.innerText(), /12 Dec 2025/);
      assert.match(await personal.innerText(), /valid for 4 min 32 s/);
      assert.match(await personal.innerText(), /Personal account/);
      assert.equal(await personal.locator('meter').getAttribute('aria-labelledby'), `rt-words-${PERSONAL.id}`);
      const fraction = await personal.locator('meter').evaluate((m) => (m as unknown as { value: number }).value);
      assert.ok(Math.abs(fraction - (13 * DAY + 2 * 3_600_000) / (30 * DAY + 2 * 3_600_000)) < 0.01, `bar at ${fraction}`);
      const expired = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: EXPIRED.label }) });
      assert.match(await expired.innerText(), /Expired/);
      await expired.getByRole('button', { name: 'Sign in again' }).waitFor();
      const robot = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: ROBOT.label }) });
      assert.match(await robot.innerText(), /Service account/);
      assert.match(await robot.innerText(), /new tokens come from the client secret/);
    });
  });

  test('empty state explains what to do first and leads to Add account', async () => {
    await withWindow([], async ({ page }) => {
      await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();
      await page.getByRole('button', { name: 'Add your first account' }).click();
      await page.getByRole('heading', { name: 'Add account', level: 1 }).waitFor();
      assert.equal(await inPage<string>(page, 'document.activeElement?.textContent'), 'Add account');
    });
  });

  test('states the real core reaches only slowly: expiring soon, offline, keychain locked', async () => {
    const soon = status({ id: 'soon-1', label: 'Soon', refreshTokenExpiry: { kind: 'at', at: T0 + 3 * DAY }, refreshTokenObtainedAt: T0 - 27 * DAY });
    const offline = status({ id: 'off-1', label: 'Away', state: 'offline', offlineSince: T0 - 18 * 60_000,
      problem: { code: 'IDP_UNREACHABLE', message: 'The identity provider did not answer.' } });
    const locked = status({ id: 'lock-1', label: 'Locked', state: 'keychain-unavailable',
      problem: { code: 'KEYCHAIN_LOCKED', message: 'The keychain is locked.' } });
    await withWindow([soon, offline, locked], async ({ page }) => {
      const card = (label: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label }) });
      await card('Soon').getByText('Expires soon', { exact: true }).waitFor();
      assert.match(await card('Soon').innerText(), /Sign in again soon · refresh token expires 2 Dec \(in 3 days\)/);
      assert.equal(await card('Soon').locator('meter').getAttribute('class'), 'time-left tone-warn');
      assert.match(await card('Away').innerText(), /Offline since 09:42 — retrying/);
      assert.match(await card('Away').innerText(), /The identity provider did not answer\./);
      assert.match(await card('Locked').innerText(), /Keychain locked — unlock it to continue/);
      await screenshot(page, 'dev-states-light');
    });
  });

  test('every page: no serious accessibility violations, screenshots light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await withWindow([PERSONAL, ROBOT, EXPIRED], async (w) => {
        const { page } = w;
        const pages: Array<[string, () => Promise<void>]> = [
          ['accounts', async () => { await goTo(page, 'Accounts'); await page.getByText('expires in 13 days').waitFor(); }],
          ['add-account', async () => { await goTo(page, 'Add account'); await page.getByRole('button', { name: 'Copernicus Data Space Ecosystem' }).click(); await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor(); }],
          ['device-login', async () => { await page.getByRole('button', { name: 'Sign in', exact: true }).click(); await page.getByText('WDJB-MJHT').waitFor(); }],
          ['service-account', async () => { await page.getByRole('button', { name: 'Cancel' }).click(); await page.getByLabel('As a service account').check(); }],
          ['credits', async () => { await w.pushNavigate({ page: 'credits', identityId: ROBOT.id }); await page.getByRole('textbox', { name: 'Message to support' }).waitFor(); }],
          ['jobs', async () => { await goTo(page, 'Jobs'); await page.getByText('NDVI composite Flanders').waitFor(); }],
          ['settings', async () => { await goTo(page, 'Settings'); await page.getByText('Warn before a login expires').waitFor(); }],
        ];
        for (const [name, go] of pages) {
          await go();
          await page.mouse.move(0, 0);
          const violations = seriousOnly(await axeScan(page));
          assert.deepEqual(violations, [], `${name} (${scheme})`);
          await screenshot(page, `dev-${name}-${scheme}`);
        }
      }, scheme);
    }
  });
});
