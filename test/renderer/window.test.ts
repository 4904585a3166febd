/**
 * The window in real Chromium on the REAL core (test/helpers/app-core.ts): real oidc-provider,
 * fixture openEO backend, real keychain (run inside scripts/with-private-keyring.sh). The user's
 * side of a device login happens in a second browser page, as on a phone.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startAppCore, type AppCoreHarness, type AppCoreOptions } from '../helpers/app-core.ts';
import { closedPort } from '../helpers/local-server.ts';
import { CDSE_HELP_CENTER_URL } from '../../src/main/core/tray-app/credits.ts';
import { askAgent } from '../../src/main/core/agent/agent-client.ts';
import { axeScan, goTo, inPage, launchBrowser, openWindow, screenshot, seriousOnly, waitFor, type WindowHarness, type WindowOptions } from './harness.ts';
import { browserLoginAtProvider, refuseAtProvider, signInAtProvider } from './provider-pages.ts';

const DAY_S = 86_400;
let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Runs `body` with a fresh core and window; checks the window stayed clean and closes both. */
async function withApp(body: (w: WindowHarness, core: AppCoreHarness) => Promise<void>,
  opts: { window?: WindowOptions; core?: Omit<AppCoreOptions, 'idp'> } = {}): Promise<void> {
  const core = await startAppCore({ idp: { refreshTokenTtl: 30 * DAY_S }, ...opts.core });
  let w: WindowHarness | undefined;
  try {
    w = await openWindow(browser, core.api, opts.window);
    await body(w, core);
    assert.deepEqual(w.consoleProblems, [], 'no console errors, CSP violations or page errors');
    assert.deepEqual(w.blockedRequests, [], 'the window made no request beyond loopback');
    assert.deepEqual(w.refused, [], 'every request from the window passed the guards');
  } finally {
    await w?.close();
    await core.stop();
  }
}

/** Types the backend URL and waits for the sign-in choices. */
async function chooseBackend(page: Page, url: string): Promise<void> {
  await goTo(page, 'Add account');
  const field = page.getByLabel('openEO backend URL');
  await field.fill(url);
  await field.press('Enter');
  await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor();
}

/** From the device-login panel: "Open in browser" (recorded by the core), then the user signs in there. */
async function finishDeviceLogin(w: WindowHarness, core: AppCoreHarness, login = 'alice'): Promise<void> {
  await w.page.getByRole('img', { name: /QR code/ }).waitFor();
  const before = core.opened.length;
  await w.page.getByRole('button', { name: 'Open in browser' }).click();
  await waitFor('the core to open the sign-in page', () => core.opened.length > before);
  await signInAtProvider(browser, core.opened.at(-1)!, login);
}

/** A personal account added through the window by device login. */
async function addPersonalAccount(w: WindowHarness, core: AppCoreHarness, label: string): Promise<void> {
  await chooseBackend(w.page, core.backend.url);
  await w.page.getByLabel('Name for this account (optional)').fill(label);
  await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await finishDeviceLogin(w, core);
  await w.page.getByRole('heading', { name: `${label} is signed in` }).waitFor();
}

async function addServiceAccount(w: WindowHarness, core: AppCoreHarness, label: string): Promise<void> {
  await chooseBackend(w.page, core.backend.url);
  await w.page.getByLabel('As a service account').check();
  await w.page.getByLabel('Name for this account (optional)').fill(label);
  await w.page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(core.idp.serviceClient.id);
  await w.page.getByLabel('Client secret').fill(core.idp.serviceClient.secret);
  await w.page.getByRole('button', { name: 'Add service account' }).click();
  await w.page.getByRole('heading', { name: `${label} is signed in` }).waitFor();
  const secretInPage = await inPage<boolean>(w.page, `[...document.querySelectorAll('input, textarea')].some((el) => el.value.includes(${JSON.stringify(core.idp.serviceClient.secret)}))
    || document.documentElement.outerHTML.includes(${JSON.stringify(core.idp.serviceClient.secret)})`);
  assert.equal(secretInPage, false, 'the secret is gone from the page');
}

/** An account's row on the Accounts page. */
function card(page: Page, label: string) {
  return page.locator('.account').filter({ has: page.getByRole('heading', { name: label, exact: true }) });
}

/** Opens an account's details in place (if they are not open). */
async function openDetails(page: Page, label: string): Promise<void> {
  const toggle = card(page, label).getByRole('button', { name: `Details of ${label}`, exact: true });
  if (await toggle.count()) await toggle.click();
  await card(page, label).getByRole('button', { name: `Hide the details of ${label}`, exact: true }).waitFor();
}

/** A rare action of an account, from the "More" menu in its details. */
async function moreAction(page: Page, label: string, action: string): Promise<void> {
  await openDetails(page, label);
  await card(page, label).getByRole('button', { name: `More actions for ${label}` }).click();
  await page.getByRole('menuitem', { name: action, exact: true }).click();
}

/** The names of the buttons on an account's row (its one action and its Details). */
async function cardActions(page: Page, label: string): Promise<string[]> {
  return card(page, label).locator('.account-actions > button, .account-actions > .menu-wrap > button').evaluateAll((buttons) =>
    buttons.map((b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim()));
}

/** A personal account at `backendUrl` added through the window by device login. */
async function addPersonalAccountAt(w: WindowHarness, core: AppCoreHarness, backendUrl: string, label: string): Promise<void> {
  await chooseBackend(w.page, backendUrl);
  await w.page.getByLabel('Name for this account (optional)').fill(label);
  await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await finishDeviceLogin(w, core);
  await w.page.getByRole('heading', { name: `${label} is signed in` }).waitFor();
}

/** The device panel once its code is dead: nothing of it can be used, and one way on. */
async function assertExpiredPanel(page: Page, userCode: string): Promise<void> {
  const panel = page.locator('.device-login');
  assert.equal(await panel.getByRole('img', { name: /QR code/ }).count(), 0, 'no QR code to scan');
  assert.equal(await panel.locator('.spinner').count(), 0, 'the wait has stopped');
  assert.equal(await panel.getByRole('button', { name: 'Open in browser' }).count(), 0, 'nothing opens the dead code');
  assert.equal(await panel.getByRole('button', { name: 'Copy code' }).count(), 0, 'nor copies it');
  assert.equal(await panel.getByText(userCode).getAttribute('aria-label'), `Expired code: ${userCode.split('-').map((p) => p.split('').join(' ')).join(', ')}`);
  await panel.getByRole('button', { name: 'Get a new code' }).waitFor();
  assert.match(await panel.innerText(), /This code no longer works at the sign-in page/);
  assert.doesNotMatch(await panel.innerText(), /Waiting for you|expires in/);
}

async function axeScanClean(page: Page, what: string): Promise<void> {
  await page.mouse.move(0, 0);
  assert.deepEqual(seriousOnly(await axeScan(page)), [], what);
}

describe('window on the real core', () => {
  test('device login with the user step in a second browser page; the account appears active with its expiry', async () => {
    await withApp(async (w, core) => {
      await addPersonalAccount(w, core, 'Work');
      await w.page.getByRole('button', { name: 'Go to Accounts' }).click();
      const work = card(w.page, 'Work');
      await work.getByText(/^Signed in · renews itself until \d{1,2} \w{3}( \d{4})?$/).waitFor();
      await openDetails(w.page, 'Work');
      const text = await work.innerText();
      assert.match(text, /Login\s+Renews itself until \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(in (29|30) days\); then sign in again\./, 'the end as a date');
      assert.match(text, /Last renewed\s+\d{2}:\d{2} \(/, 'the last renewal');
      assert.match(text, /User ID\s+alice/, 'user id from /me');
      assert.doesNotMatch(text, /valid for/, 'no ticking countdown');
      const statuses = await core.api.listIdentities();
      assert.ok(statuses.ok && statuses.value.some((s) => s.label === 'Work' && s.state === 'active'));
    });
  });

  test('a service account; its linking page shows both IDs and the support message', async () => {
    await withApp(async (w, core) => {
      await addPersonalAccount(w, core, 'Me');
      await goTo(w.page, 'Add account');
      await addServiceAccount(w, core, 'Robot');
      await w.page.getByRole('button', { name: 'Link its credits…' }).click();
      await w.page.getByRole('heading', { name: 'Link its credits to your personal account' }).waitFor();
      const main = await w.page.locator('main > section.page:not([hidden])').innerText();
      assert.match(main, new RegExp(core.idp.serviceClient.id), 'client ID');
      assert.match(main, /service-account-openeo-service/, 'service account user ID');
      assert.match(main, /Your personal user ID\s+alice\s+Copy\s+From your account “Me”\./, 'personal user ID, and whose');
      assert.doesNotMatch(main, /batch job|marketplace|help center/, 'CDSE\'s process is not said of another backend');
      assert.match(main, new RegExp(`Send the message below to the operators of ${new URL(core.backend.url).host.replace(/\./g, '\\.')}\\.`), 'its address, port and all');
      const message = await w.page.getByRole('textbox', { name: 'Message to support' }).inputValue();
      assert.match(message, new RegExp(`Client ID: ${core.idp.serviceClient.id}`));
      assert.match(message, /service-account-openeo-service/);
      assert.match(message, /alice/);
      assert.ok(!message.includes(core.idp.serviceClient.secret), 'no secret in the message');
      await w.page.getByRole('button', { name: 'Copy message' }).click();
      await waitFor('the message on the clipboard', () => core.clipboard.text === message);
      await w.page.getByRole('button', { name: 'Copy the client ID' }).click();
      await waitFor('the client ID on the clipboard', () => core.clipboard.text === core.idp.serviceClient.id);
      assert.ok(!(await w.page.content()).includes(core.idp.serviceClient.secret), 'the secret is nowhere in the page');
    });
  });

  test('an expired identity shows "Sign in again", and signing in again works', async () => {
    await withApp(async (w, core) => {
      await addPersonalAccount(w, core, 'Old');
      await goTo(w.page, 'Accounts');
      const old = card(w.page, 'Old');
      await old.getByText(/^Signed in · /).waitFor();
      // The provider now refuses the refresh token, as when its session was ended there.
      core.idp.failNextToken({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_grant', error_description: 'grant request is invalid' }) });
      assert.deepEqual(await cardActions(w.page, 'Old'), ['Copy a token of Old', 'Details of Old'], 'a healthy row: Copy, and the rest in its details');
      await moreAction(w.page, 'Old', 'Refresh now');
      await old.getByText('Ended — sign in again', { exact: true }).waitFor();
      const refused = w.calls.find((c) => c.method === 'refreshNow')?.answer as { ok: boolean; code: string; message: string };
      assert.equal(refused.code, 'REFRESH_TOKEN_INVALID');
      await old.getByRole('alert').getByText(refused.message, { exact: true }).waitFor();
      // One state: the row says it once and offers what a person needs now.
      const text = await old.innerText();
      assert.deepEqual((await cardActions(w.page, 'Old'))[0], 'Sign in again', 'an ended login: "Sign in again" on the row');
      assert.doesNotMatch(text, /Login\s|Last renewed|valid for|renews itself/, 'no token facts of a login that has ended');
      assert.equal(text.match(/Ended/g)?.length, 1, 'the state is said once');
      await old.getByRole('button', { name: 'Sign in again' }).click();
      await w.page.getByRole('heading', { name: 'Sign in again', level: 1 }).waitFor();
      // What is known is not asked again: no backend field, no "Or choose", no provider choice.
      await w.page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor();
      assert.equal(await w.page.getByLabel('openEO backend URL').isVisible(), false, 'no backend URL field');
      assert.equal(await w.page.getByText('Or choose:').isVisible(), false);
      assert.equal(await w.page.getByRole('group', { name: 'Identity provider' }).count(), 0);
      await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await finishDeviceLogin(w, core);
      await w.page.getByRole('heading', { name: 'Old is signed in' }).waitFor();
      await w.page.getByRole('button', { name: 'Go to Accounts' }).click();
      await card(w.page, 'Old').getByText(/^Signed in · /).waitFor();
      assert.equal(await card(w.page, 'Old').getByRole('alert').count(), 0, 'the old failure is gone once the login is renewed');
      const statuses = await core.api.listIdentities();
      assert.ok(statuses.ok);
      assert.deepEqual(statuses.value.map((s) => [s.label, s.state]), [['Old', 'active']], 'the same identity, renewed');
    });
  });

  test('a bad backend URL and an unreachable backend show the core’s messages', async () => {
    await withApp(async (w, core) => {
      await goTo(w.page, 'Add account');
      const field = w.page.getByLabel('openEO backend URL');
      for (const url of ['http://exa mple.org', `http://127.0.0.1:${await closedPort()}`]) {
        const expected = await core.api.discoverBackend(url);
        assert.equal(expected.ok, false, url);
        if (expected.ok) continue;
        await field.fill(url);
        await field.press('Enter');
        const alert = w.page.getByRole('alert');
        await alert.getByText(expected.message, { exact: true }).waitFor();
        if (expected.nextStep) await alert.getByText(expected.nextStep, { exact: true }).waitFor();
      }
      const codes = await Promise.all(['http://exa mple.org', `http://127.0.0.1:${await closedPort()}`].map(async (u) => {
        const r = await core.api.discoverBackend(u);
        return r.ok ? 'ok' : r.code;
      }));
      assert.deepEqual(codes, ['INVALID_URL', 'BACKEND_UNREACHABLE']);
    });
  });

  test('every page: no serious or critical accessibility violations; screenshots in light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await withApp(async (w, core) => {
        const { page } = w;
        await addPersonalAccount(w, core, 'Copernicus (personal)');
        await goTo(page, 'Add account');
        await addServiceAccount(w, core, 'Batch robot');
        core.backend.addJob('alice', { id: 'j-20251129-ndvi', title: 'NDVI composite', status: 'finished', created: '2025-11-29T09:41:00Z', costs: 12.5 });
        core.backend.addJob('alice', { id: 'j-20251129-s1', title: 'Sentinel-1 backscatter', status: 'running', progress: 40, created: '2025-11-29T10:02:00Z' });
        const steps: Array<[string, () => Promise<void>]> = [
          ['accounts', async () => { await goTo(page, 'Accounts'); await card(page, 'Batch robot').waitFor(); }],
          ['add-account', async () => { await chooseBackend(page, core.backend.url); }],
          ['device-login', async () => { await page.getByRole('button', { name: 'Sign in', exact: true }).click(); await page.getByRole('img', { name: /QR code/ }).waitFor(); }],
          ['service-account', async () => { await page.getByRole('button', { name: 'Cancel' }).click(); await page.getByLabel('As a service account').check(); }],
          ['credits', async () => { await goTo(page, 'Credits & linking'); await page.getByRole('textbox', { name: 'Message to support' }).waitFor(); }],
          ['jobs', async () => {
            await goTo(page, 'Jobs');
            await page.locator('main > section.page:not([hidden]) button.switcher').click();
            await page.getByRole('menuitemradio', { name: /^Copernicus \(personal\)/ }).click();
            await page.getByText('NDVI composite').waitFor();
          }],
          ['settings', async () => { await goTo(page, 'Settings'); await page.getByText('Warn before a login expires').waitFor(); }],
        ];
        for (const [name, go] of steps) {
          await go();
          await page.mouse.move(0, 0);
          assert.deepEqual(seriousOnly(await axeScan(page)), [], `${name} (${scheme})`);
          await screenshot(page, `${name}-${scheme}`);
        }
        assert.equal(await inPage<string>(page, 'document.documentElement.dataset.theme'), 'system');
      }, { window: { colorScheme: scheme } });
    }
  });

  test('browser login where the provider offers it: the browser comes back to the app and the account is active', async () => {
    await withApp(async (w, core) => {
      await chooseBackend(w.page, core.backend.url);
      await w.page.getByLabel('In this computer’s browser').check();
      await w.page.getByLabel('Name for this account (optional)').fill('Laptop');
      await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await w.page.getByRole('heading', { name: 'Continue in your browser' }).waitFor();
      await waitFor('the core to open the browser', () => core.opened.length === 1);
      const landing = await browserLoginAtProvider(browser, core.opened[0]!);
      assert.match(landing, /Signed in/);
      await w.page.getByRole('heading', { name: 'Laptop is signed in' }).waitFor();
      const statuses = await core.api.listIdentities();
      assert.deepEqual(statuses.ok && statuses.value.map((s) => [s.label, s.state]), [['Laptop', 'active']]);
    });
  });

  test('cancel a device login; a refusal at the provider is said in words with a next step', async () => {
    await withApp(async (w, core) => {
      await chooseBackend(w.page, core.backend.url);
      await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await w.page.getByRole('img', { name: /QR code/ }).waitFor();
      await w.page.getByRole('button', { name: 'Cancel' }).click();
      await w.page.getByText('Sign-in cancelled.').waitFor();
      assert.equal(w.calls.filter((c) => c.method === 'cancelLogin').length, 1);
      await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await w.page.getByRole('button', { name: 'Open in browser' }).click();
      await waitFor('the sign-in page to open', () => core.opened.length === 1);
      await refuseAtProvider(browser, core.opened[0]!);
      await w.page.getByRole('heading', { name: 'Sign-in did not work' }).waitFor();
      const answer = w.calls.filter((c) => c.method === 'awaitLogin').at(-1)?.answer as { ok: boolean; code: string; message: string; nextStep?: string };
      assert.equal(answer.ok, false);
      assert.equal(answer.code, 'LOGIN_REFUSED');
      const alert = w.page.getByRole('alert');
      await alert.getByText(answer.message, { exact: true }).waitFor();
      assert.ok(answer.nextStep, 'the core gives a next step');
      await alert.getByText(answer.nextStep, { exact: true }).waitFor();
      await w.page.getByRole('button', { name: 'Try again' }).click();
      await w.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      const statuses = await core.api.listIdentities();
      assert.deepEqual(statuses.ok && statuses.value, [], 'no identity from a refused or cancelled login');
    });
  });

  test('keyboard only: copy the bearer token from the menu, sign out after a confirmation', async () => {
    await withApp(async (w, core) => {
      await addPersonalAccount(w, core, 'Keys');
      await goTo(w.page, 'Accounts');
      const { page } = w;
      await page.getByRole('heading', { name: 'Keys', level: 2 }).waitFor();
      await page.locator('#main').focus();
      await page.keyboard.press('Tab');
      assert.equal(await inPage<string>(page, "document.activeElement.getAttribute('aria-label')"), 'Copy a token of Keys', 'the row\'s action comes first');
      assert.notEqual(await inPage<string>(page, 'getComputedStyle(document.activeElement).outlineStyle'), 'none', 'focus is visible');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.equal(await inPage<string>(page, "document.activeElement.querySelector('.menu-label').textContent"), 'openEO bearer token');
      await page.keyboard.press('Enter');
      await waitFor('the bearer token on the clipboard', () => core.clipboard.text.startsWith('Bearer oidc/testidp/') || core.clipboard.text.startsWith('oidc/testidp/'));
      await page.getByText(/Copied the openEO bearer token\. The clipboard is cleared in \d+ seconds\./).waitFor();
      assert.ok(!(await page.content()).includes(core.clipboard.text), 'the token itself never reaches the window');
      await page.keyboard.press('Tab');
      assert.equal(await inPage<string>(page, "document.activeElement.getAttribute('aria-label')"), 'Details of Keys');
      await page.keyboard.press('Enter');
      for (let i = 0; i < 6 && (await inPage<string>(page, "document.activeElement.getAttribute('aria-label')")) !== 'More actions for Keys'; i++) await page.keyboard.press('Tab');
      assert.equal(await inPage<string>(page, "document.activeElement.getAttribute('aria-label')"), 'More actions for Keys', 'the details reached by Tab');
      await page.keyboard.press('Enter');
      assert.equal(await inPage<string>(page, 'document.activeElement.textContent'), 'Rename…', 'the menu opens on its first item');
      await page.keyboard.press('End');
      assert.equal(await inPage<string>(page, 'document.activeElement.textContent'), 'Sign out');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Sign out of Keys?' });
      await dialog.waitFor();
      assert.equal(await inPage<string>(page, 'document.activeElement.textContent'), 'Cancel', 'the safe choice has focus');
      await page.keyboard.press('Tab');
      assert.equal(await inPage<string>(page, 'document.activeElement.textContent'), 'Sign out');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();
      const statuses = await core.api.listIdentities();
      assert.deepEqual(statuses.ok && statuses.value, []);
    });
  });

  test('tray actions move the window: "Link credits…" and "Sign in again" open their pages for that identity', async () => {
    await withApp(async (w, core) => {
      await addServiceAccount(w, core, 'Robot');
      const robot = core.core.statuses().find((s) => s.label === 'Robot');
      assert.ok(robot);
      await core.core.runTrayAction({ type: 'open-window', page: 'credits', identityId: robot.id });
      await w.page.getByRole('heading', { name: 'Credits & linking', level: 1 }).waitFor();
      await w.page.getByRole('textbox', { name: 'Message to support' }).waitFor();
      await core.core.runTrayAction({ type: 'sign-in-again', identityId: robot.id });
      await w.page.getByRole('heading', { name: 'Sign in again', level: 1 }).waitFor();
      // One short form: the known client ID as a fact, one field for the new secret.
      const main = w.page.locator('main > section.page:not([hidden])');
      const secret = main.getByLabel('New client secret');
      await secret.waitFor();
      assert.match(await main.innerText(), new RegExp(`Client ID\\s+${core.idp.serviceClient.id}`));
      assert.equal(await main.getByRole('textbox', { name: 'Client ID', exact: true }).count(), 0, 'no client ID field');
      assert.equal(await main.getByLabel('openEO backend URL').isVisible(), false, 'no backend URL field');
      assert.doesNotMatch(await main.innerText(), /Before you add a service account|Or choose/);
      await secret.fill('not-the-secret');
      await main.getByRole('button', { name: 'Save new secret' }).click();
      await main.getByRole('alert').waitFor();
      await waitFor('focus back in the secret field', async () => (await inPage<string>(w.page, 'document.activeElement?.id')) === await secret.getAttribute('id'));
      assert.equal(await secret.inputValue(), 'not-the-secret', 'what was typed stays, to be corrected');
      assert.match(await main.getByRole('alert').innerText(), /did not accept this client ID and secret\.\s+Check the secret; if it is right, create a new one where the client is registered\./);
      assert.equal(await secret.getAttribute('aria-invalid'), 'true');
      await secret.fill(core.idp.serviceClient.secret);
      await secret.press('Enter');
      await w.page.getByRole('heading', { name: 'Robot is signed in' }).waitFor();
      const statuses = await core.api.listIdentities();
      assert.deepEqual(statuses.ok && statuses.value.map((s) => s.label), ['Robot'], 'renewed, not added twice');
    });
  });

  test('after a backend lookup, focus is on what was found, then "Change backend" and the first choice; default names come from the backend', async () => {
    await withApp(async (w, core) => {
      const { page } = w;
      await goTo(page, 'Add account');
      const field = page.getByLabel('openEO backend URL');
      await field.fill(core.backend.url);
      await field.press('Enter');
      await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor();
      await waitFor('focus on the backend found', async () => (await inPage<string>(page, 'document.activeElement?.tagName')) === 'H2');
      assert.match(await inPage<string>(page, 'document.activeElement.textContent'), /^Fixture openEO backend/, 'its title is read out');
      await page.keyboard.press('Tab');
      assert.equal(await inPage<string>(page, 'document.activeElement.textContent'), 'Change backend', 'the way back beside what was found');
      await page.keyboard.press('Tab');
      assert.equal(await inPage<string>(page, 'document.activeElement.type'), 'radio', 'then the first choice');
      const hint = page.locator('main > section.page:not([hidden])').getByText(/^Shown in the tray menu and here\. Leave it empty to use/);
      assert.equal(await hint.innerText(), 'Shown in the tray menu and here. Leave it empty to use “Fixture openEO backend”.', 'the name it will get');
      await page.getByLabel('As a service account').check();
      assert.equal(await hint.innerText(), 'Shown in the tray menu and here. Leave it empty to use “Fixture openEO backend service account”.');
      await page.getByLabel('With a code (recommended)').check();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await finishDeviceLogin(w, core);
      await page.getByRole('heading', { name: 'Fixture openEO backend is signed in' }).waitFor();
      const statuses = await core.api.listIdentities();
      assert.deepEqual(statuses.ok && statuses.value.map((s) => s.label), ['Fixture openEO backend'], 'named after the backend, not the provider id');
    });
  });

  test('a wrong client secret: one problem, both fields marked (the provider refused the pair), what was typed kept, focus on the client ID', async () => {
    await withApp(async (w, core) => {
      const { page } = w;
      await chooseBackend(page, core.backend.url);
      await page.getByLabel('As a service account').check();
      await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(core.idp.serviceClient.id);
      const secret = page.getByLabel('Client secret');
      await secret.fill('wrong-secret');
      await page.getByLabel('Name for this account (optional)').focus();
      await page.getByRole('button', { name: 'Add service account' }).click();
      const problem = page.locator('.field-problem', { has: page.getByRole('alert') });
      const alert = problem.getByRole('alert');
      await alert.waitFor();
      const clientId = page.getByRole('textbox', { name: 'Client ID', exact: true });
      await waitFor('focus in the client ID field', async () => (await inPage<string>(page, 'document.activeElement?.id')) === await clientId.getAttribute('id'));
      assert.equal(await secret.inputValue(), 'wrong-secret', 'kept, to be corrected');
      assert.deepEqual([await clientId.getAttribute('aria-invalid'), await secret.getAttribute('aria-invalid')], ['true', 'true']);
      assert.equal(await page.locator('main > section.page:not([hidden])').getByRole('alert').count(), 1, 'said once');
      const problemId = await problem.getAttribute('id');
      for (const field of [clientId, secret]) {
        const describedBy = (await field.getAttribute('aria-describedby'))?.split(' ') ?? [];
        assert.ok(problemId && describedBy.includes(problemId), 'each field is described by the problem');
      }
      const said = (await alert.innerText()).replace(/\s+/g, ' ').trim();
      assert.match(said, /^The identity provider at 127\.0\.0\.1:\d+ did not accept this client ID and secret\. Check the client ID and the secret; if both are right, create a new secret where the client is registered\.$/);
      assert.doesNotMatch(await page.locator('main').innerText(), /client id/, 'always "client ID"');
      assert.deepEqual((await core.api.listIdentities()).ok && (await core.api.listIdentities() as { value: unknown[] }).value, [], 'nothing saved');
      await secret.fill(core.idp.serviceClient.secret);
      await page.getByRole('button', { name: 'Add service account' }).click();
      await page.getByRole('heading', { name: 'Fixture openEO backend service account is signed in' }).waitFor();
    });
  });

  test('CDSE: the linking page sends the message to the help center; the message says what the job list says', async () => {
    await withApp(async (w, core) => {
      const { page } = w;
      await addPersonalAccountAt(w, core, 'https://openeo.dataspace.copernicus.eu', 'Me');
      await goTo(page, 'Add account');
      await chooseBackend(page, 'openeo.dataspace.copernicus.eu');
      await page.getByLabel('As a service account').check();
      await page.getByRole('button', { name: 'Sentinel Hub dashboard' }).click();
      await waitFor('the dashboard to open', () => core.opened.at(-1) === 'https://shapps.dataspace.copernicus.eu/dashboard/#/account/settings');
      await page.getByLabel('Name for this account (optional)').fill('Robot');
      await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(core.idp.serviceClient.id);
      await page.getByLabel('Client secret').fill(core.idp.serviceClient.secret);
      await page.getByRole('button', { name: 'Add service account' }).click();
      await page.getByRole('button', { name: 'Link its credits…' }).click();
      const message = page.getByRole('textbox', { name: 'Message to support' });
      await message.waitFor();
      const main = page.locator('main > section.page:not([hidden])');
      assert.match(await main.innerText(), /Send the message below to the Copernicus Data Space Ecosystem help center\./);
      assert.match(await main.innerText(), /Run one batch job with the service account first\. Its job list shows none yet\./);
      const before = await message.inputValue();
      assert.match(before, /The service account’s job list shows no batch job that was started yet\./);
      assert.doesNotMatch(before, /has already run|marketplace account exists/, 'no claim the app cannot know');
      assert.match(before, new RegExp(`Client ID: ${core.idp.serviceClient.id}\\nService account user ID: service-account-${core.idp.serviceClient.id}\\nPersonal account user ID: alice`));
      await main.getByRole('button', { name: 'Open the help center' }).click();
      await waitFor('the help center to open', () => core.opened.at(-1) === CDSE_HELP_CENTER_URL);
      // Every line of the message is visible: the box is as tall as its text.
      assert.ok(await message.evaluate((el) => el.scrollHeight <= el.clientHeight + 1), 'no line of the message is cut off');

      core.backend.addJob(`service-account-${core.idp.serviceClient.id}`, { id: 'first-job', status: 'finished', created: '2025-11-29T09:41:00Z' });
      await goTo(page, 'Accounts');
      await goTo(page, 'Credits & linking');
      await main.getByText(/Done: its job list shows 1 started batch job \(1 finished\)\./).waitFor();
      assert.match(await message.inputValue(), /The service account’s job list shows 1 batch job that was started \(1 finished\)\./);
    }, { core: { backendHost: 'openeo.dataspace.copernicus.eu' } });
  });

  test('a job view for a service account: status, times, costs with their unit, logs and the signed result links', async () => {
    await withApp(async (w, core) => {
      const { page } = w;
      await addServiceAccount(w, core, 'Robot');
      const owner = `service-account-${core.idp.serviceClient.id}`;
      core.backend.addJob(owner, { id: 'ndvi-1', title: 'NDVI composite', status: 'finished', created: '2025-11-29T09:41:00Z', updated: '2025-11-29T09:58:00Z', costs: 12.5 });
      core.backend.addJob(owner, { id: 's1-2', title: 'Backscatter', status: 'running', progress: 40, created: '2025-11-29T10:02:00Z' });
      core.backend.setJobLogs(owner, 'ndvi-1', [{ level: 'info', message: 'Job started.', time: '2025-11-29T09:41:30Z' }, { level: 'warning', message: 'Tile 31UFS had clouds.' }]);
      await page.getByRole('button', { name: 'Go to Accounts' }).click();
      await openDetails(page, 'Robot');
      await card(page, 'Robot').getByRole('button', { name: 'Jobs', exact: true }).click();
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      const ndvi = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'NDVI composite' }) });
      await ndvi.waitFor();
      const text = await ndvi.innerText();
      assert.match(text, /Finished/);
      assert.match(text, /Costs\s*12\.5 credits/, 'costs with the backend’s unit');
      assert.match(text, /Created\s*29 Nov 2025, 09:41/);
      assert.match(text, /Updated\s*29 Nov 2025, 09:58/);
      assert.match(await page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Backscatter' }) }).innerText(), /Progress\s*40 %/);
      await ndvi.getByRole('button', { name: 'Details' }).click();
      await ndvi.getByText('Tile 31UFS had clouds.').waitFor();
      await ndvi.getByRole('button', { name: 'Download openEO.tif' }).click();
      await waitFor('the signed asset link to open', () => /\/signed\/ndvi-1\/openEO\.tif\?sig=fixture$/.test(core.opened.at(-1) ?? ''));
      await ndvi.getByRole('button', { name: 'Open the results' }).click();
      await waitFor('the canonical link to open', () => /\/signed\/ndvi-1\/collection\.json\?sig=fixture$/.test(core.opened.at(-1) ?? ''));
      assert.equal(await ndvi.getByRole('button', { name: 'Hide details' }).getAttribute('aria-expanded'), 'true');

      // The backend fails: the page says so and offers "Try again", which works once it is back.
      core.backend.override('GET', '/openeo/1.2/jobs', { status: 503, body: { code: 'ServiceUnavailable', message: 'Maintenance.' } });
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      const retry = page.getByRole('alert').getByRole('button', { name: 'Try again' });
      await retry.waitFor();
      core.backend.override('GET', '/openeo/1.2/jobs', null);
      await retry.click();
      await ndvi.waitFor();
    });
  });

  test('the device code runs out in the window: the wait stops, the code is disabled, "Get a new code" starts again', async () => {
    await withApp(async (w, core) => {
      const { page } = w;
      await chooseBackend(page, core.backend.url);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      const first = w.calls.filter((c) => c.method === 'startDeviceLogin').at(-1)?.answer as { ok: true; value: { userCode: string; expiresAt: number } };
      await page.clock.fastForward(first.value.expiresAt - Date.now() + 2000);
      await page.getByRole('heading', { name: 'The code has expired' }).waitFor();
      await waitFor('the core to stop waiting', () => w.calls.some((c) => c.method === 'cancelLogin'));
      await assertExpiredPanel(page, first.value.userCode);
      // The window's clock and the core's agree again (in the app they are one clock).
      await page.clock.setSystemTime(Date.now());
      await page.getByRole('button', { name: 'Get a new code' }).click();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      const second = w.calls.filter((c) => c.method === 'startDeviceLogin').at(-1)?.answer as { ok: true; value: { userCode: string } };
      assert.notEqual(second.value.userCode, first.value.userCode, 'a new code');
      await page.getByRole('heading', { name: 'Sign in with this code' }).waitFor();
      await finishDeviceLogin(w, core);
      await page.getByRole('heading', { name: /is signed in$/ }).waitFor();
    }, { window: { controlledClock: true } });
  });

  test('the provider says the device code expired: the panel shows it the same way', async () => {
    await withApp(async (w, core) => {
      const { page } = w;
      await chooseBackend(page, core.backend.url);
      core.idp.failNextToken({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'expired_token', error_description: 'device code expired' }) });
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      const started = w.calls.filter((c) => c.method === 'startDeviceLogin').at(-1)?.answer as { ok: true; value: { userCode: string } };
      await page.getByRole('heading', { name: 'The code has expired' }).waitFor();
      const answer = w.calls.filter((c) => c.method === 'awaitLogin').at(-1)?.answer as { ok: boolean; code: string };
      assert.equal(answer.code, 'LOGIN_EXPIRED');
      await assertExpiredPanel(page, started.value.userCode);
      assert.equal(await page.getByRole('heading', { name: 'Sign-in did not work' }).count(), 0, 'not a generic failure');
      await axeScanClean(page, 'expired device panel');
      await screenshot(page, 'device-code-expired');
    });
  });

  test('settings are saved in the core; start at login reaches the OS hook; the theme applies', async () => {
    await withApp(async (w, core) => {
      const { page } = w;
      await goTo(page, 'Settings');
      await page.getByLabel('Start openEO Auth Tray when I log in to this computer').check();
      await page.getByText('Saved.').waitFor();
      await page.getByLabel('Dark').check();
      await waitFor('the theme to apply', async () => (await inPage<string>(page, 'document.documentElement.dataset.theme')) === 'dark');
      await page.getByLabel('Clear copied tokens from the clipboard').selectOption('60');
      await page.getByLabel('1 hour before').uncheck();
      await waitFor('four saves', () => w.calls.filter((c) => c.method === 'updateSettings').length === 4);
      const settings = await core.api.getSettings();
      assert.ok(settings.ok);
      assert.equal(settings.value.theme, 'dark');
      assert.equal(settings.value.clipboardClearSeconds, 60);
      assert.equal(settings.value.startAtLogin, true);
      assert.ok(!settings.value.warningThresholds.includes(3600));
      assert.deepEqual(core.startAtLogin, [true]);
    });
  });
});

test('the token agent in the window on the real core: a script\'s use shows on its card, the settings reach the agent, a forward started here serves and stops', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'oat-agent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = (hint: string, socket = join(dir, 'agent.sock')) => askAgent(socket, { request: 'access_token', application_hint: hint });
  await withApp(async (w, core) => {
    const { page } = w;
    await addPersonalAccount(w, core, 'Work');
    await goTo(page, 'Accounts');
    const work = card(page, 'Work');
    await openDetails(page, 'Work');
    await work.getByText('Not used by scripts yet').waitFor();
    const scripts = () => core.core.statuses()[0]?.scripts;

    const answered = await script('python (job.py)');
    assert.equal(answered.status, 'success', JSON.stringify(answered));
    await work.locator('.script-use').getByText(/^Used by scripts: 1 time in the last hour, last by “python \(job\.py\)” \(unverified name\) at \d{2}:\d{2}$/).waitFor();
    assert.ok(!(await page.content()).includes(String(answered.access_token)), 'the token never reaches the window');

    await work.getByRole('checkbox', { name: 'Ask before a new script uses it' }).check();
    await waitFor('"ask" saved', () => scripts()?.access === 'ask');
    await work.getByRole('checkbox', { name: 'Scripts may use this login' }).uncheck();
    await waitFor('"deny" saved', () => scripts()?.access === 'deny');
    assert.equal((await script('python (job.py)')).code, 'SCRIPT_ACCESS_DENIED', 'the agent holds to it at once');
    await work.getByRole('checkbox', { name: 'Scripts may use this login' }).check();
    await waitFor('"allow" saved', () => scripts()?.access === 'allow');

    const panel = page.getByRole('region', { name: 'Remote machines' });
    await panel.getByRole('button', { name: 'Forward to a remote machine…' }).click();
    await panel.getByRole('group', { name: 'Logins to forward' }).getByLabel('Work').check();
    await panel.getByRole('button', { name: 'Start forwarding' }).click();
    await panel.locator('.forward-line').getByText(/^Forwarded: testidp \(Work\) until /).waitFor();
    const listed = await core.api.listForwards();
    assert.ok(listed.ok && listed.value.forwards.length === 1);
    const f = listed.value.forwards[0]!;
    assert.equal(await panel.locator('code').innerText(), f.ssh);
    assert.equal((await script('python (remote.py)', join(dir, `forward-${f.id}.sock`))).status, 'success', 'the forward serves the login');
    await work.locator('.script-use').getByText(/^Used by scripts: 2 times in the last hour, last by “python \(remote\.py\)”/).waitFor();
    await axeScanClean(page, 'accounts with scripts and a forward');
    await screenshot(page, 'accounts-scripts-forward');

    await panel.getByRole('button', { name: /^Stop forwarding: testidp \(Work\)/ }).click();
    await panel.getByText('No forwards: nothing on another computer can get your tokens.').waitFor();
    assert.deepEqual((await core.api.listForwards()).ok && (await core.api.listForwards() as { value: { forwards: unknown[] } }).value.forwards, []);
  }, { core: { agent: { dir } } });
});

test('malformed requests from the page are refused by the guards and never reach the core', async (t) => {
  const core = await startAppCore();
  const w = await openWindow(browser, core.api);
  t.after(async () => {
    await w.close();
    await core.stop();
  });
  const answers = await inPage<Array<{ ok: boolean; code?: string }>>(w.page, `Promise.all([
    window.openeoAuth.refreshNow('../../etc/passwd'),
    window.openeoAuth.signOut('cdse-1', 'yes'),
    window.openeoAuth.openExternal('file:///etc/passwd'),
    window.openeoAuth.updateSettings({ theme: 'dark', admin: true }),
  ])`);
  assert.deepEqual(answers.map((a) => [a.ok, a.code]), Array(4).fill([false, 'INVALID_ARGUMENT']), JSON.stringify(answers) + JSON.stringify(w.refused));
  assert.equal(w.refused.length, 4);
  assert.deepEqual(w.calls.map((c) => c.method).filter((m) => m !== 'listIdentities' && m !== 'getSettings'), []);
  assert.deepEqual(core.opened, []);
  const settings = await core.api.getSettings();
  assert.equal(settings.ok && settings.value.theme, 'system', 'a patch with an unknown key changed nothing');
});
