/**
 * Adding an account, signing in again, credits linking and About, on canned data: one primary
 * action per step, every sign-in panel naming its backend, the browser's sign-in page to open again
 * or copy, a service-account form that keeps what was typed and marks what was refused, "Sign in
 * again" under Accounts with a Cancel of its own, copy-then-open linking, the version and the logs.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { goTo, inPage, waitFor } from './harness.ts';
import { rowOf, shownPage, useBrowser, withWindow } from './canned.ts';
import { CDSE, EXPIRED, PERSONAL, ROBOT, T0, status } from './sample-window.ts';
import type { CommandLineView, UpdateView } from '../../src/shared/api.ts';

const browser = useBrowser();
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function chooseCdse(page: Page): Promise<void> {
  await goTo(page, 'Add account');
  await page.getByRole('button', { name: 'Copernicus Data Space Ecosystem' }).click();
  await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor();
}

const visiblePrimaries = (page: Page) => shownPage(page).locator('.btn.primary').filter({ visible: true }).allInnerTexts();
const current = (page: Page) => page.locator('#nav [aria-current="page"]').getAttribute('data-page');

describe('adding an account', () => {
  test('once the backend is found, its form gives way: one primary action, and "Change backend" to go back', async () => {
    await withWindow(browser(), [PERSONAL], async ({ page }) => {
      await goTo(page, 'Add account');
      assert.deepEqual(await visiblePrimaries(page), ['Continue']);
      await page.getByRole('button', { name: 'Copernicus Data Space Ecosystem' }).click();
      await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor();
      assert.deepEqual(await visiblePrimaries(page), ['Sign in'], 'not "Continue" and "Sign in"');
      assert.equal(await page.getByLabel('openEO backend URL').isVisible(), false, 'the URL form is not live above it');
      await page.getByRole('button', { name: 'Change backend' }).click();
      const url = page.getByLabel('openEO backend URL');
      await url.waitFor();
      assert.equal(await inPage<string>(page, 'document.activeElement?.id'), 'backend-url');
      assert.equal(await url.inputValue(), CDSE);
      assert.deepEqual(await visiblePrimaries(page), ['Continue']);
    });
  });

  test('the device panel says which backend, and with which provider when it is another', async () => {
    await withWindow(browser(), [], async ({ page }) => {
      await chooseCdse(page);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('WDJB-MJHT').waitFor();
      await shownPage(page).getByText('Signing in to Copernicus Data Space Ecosystem (openeo.dataspace.copernicus.eu)', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByLabel('EGI Check-in').check();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await shownPage(page).getByText('Signing in to Copernicus Data Space Ecosystem (openeo.dataspace.copernicus.eu) with EGI Check-in', { exact: true }).waitFor();
    });
  });

  test('the browser sign-in: "Continue in your browser", its page to open again or copy, never shown whole', async () => {
    for (const opened of [true, false]) {
      await withWindow(browser(), [], async (w) => {
        const { page } = w;
        await chooseCdse(page);
        await page.getByLabel('In this computer’s browser').check();
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByRole('heading', { name: 'Continue in your browser' }).waitFor();
        const started = (w.calls.find((c) => c.method === 'startBrowserLogin')?.answer as { value: { signInUrl: string } }).value;
        const main = shownPage(page);
        assert.match(await main.innerText(), opened ? /Your browser shows the sign-in page of Copernicus Data Space Ecosystem\./ : /The browser did not open by itself\./);
        await main.getByRole('button', { name: opened ? 'Open it again' : 'Open the sign-in page' }).click();
        await waitFor('the page opened again', () => w.calls.some((c) => c.method === 'openExternal' && c.args[0] === started.signInUrl));
        await main.getByRole('button', { name: 'Copy link' }).click();
        await waitFor('the link copied', () => w.calls.some((c) => c.method === 'copyText' && c.args[0] === started.signInUrl));
        assert.ok(!(await main.innerText()).includes('state='), 'its address is not spelled out in the window');
        assert.match(await main.innerText(), /Sign-in page at\s+identity\.dataspace\.copernicus\.eu/);
      }, opened ? {} : { edit: (api) => {
        const start = api.startBrowserLogin.bind(api);
        api.startBrowserLogin = async (r) => { const s = await start(r); return s.ok ? { ok: true, value: { ...s.value, browserOpened: false } } : s; };
      } });
    }
  });

  test('a service account: the fields first and the caveats folded; a refusal marks both fields, keeps what was typed, and is said once', async () => {
    await withWindow(browser(), [], async (w) => {
      const { page } = w;
      await chooseCdse(page);
      await page.getByLabel('As a service account').check();
      const main = shownPage(page);
      const order = await main.locator('.service-account > *').evaluateAll((els) => els.map((el) => el.querySelector('label, summary')?.textContent));
      assert.deepEqual(order, ['Client ID', 'Client secret', 'About service accounts'], 'fields before the caveats');
      assert.equal(await main.locator('details.note').getAttribute('open'), null, 'the caveats folded');
      const id = main.getByRole('textbox', { name: 'Client ID', exact: true });
      const secret = main.getByLabel('Client secret');
      await id.fill('sh-7d2e1f0a');
      await secret.fill('wrong-secret');
      await main.getByRole('button', { name: 'Add service account' }).click();
      const alerts = main.getByRole('alert');
      await alerts.first().waitFor();
      assert.equal(await alerts.count(), 1, 'said once');
      assert.equal((await alerts.innerText()).replace(/\s+/g, ' '), 'The provider refused the client ID and secret. Check the client ID and the secret; if both are right, create a new secret where the client is registered.');
      assert.deepEqual([await id.getAttribute('aria-invalid'), await secret.getAttribute('aria-invalid')], ['true', 'true'], 'both marked, as the message blames both');
      assert.equal(await secret.inputValue(), 'wrong-secret', 'what was typed stays, to be corrected');
      const problemId = await alerts.locator('..').getAttribute('id');
      assert.ok((await id.getAttribute('aria-describedby'))?.includes(problemId!), 'the client ID field is described by the problem too');
      assert.equal(await inPage<string>(page, 'document.activeElement?.id'), await id.getAttribute('id'));
      await secret.fill('right-secret');
      await main.getByRole('button', { name: 'Add service account' }).click();
      await page.getByRole('heading', { name: /is signed in$/ }).waitFor();
      const done = await main.innerText();
      assert.match(done, /New access tokens come from the client secret in the keychain, so there is nothing to renew\./);
      assert.doesNotMatch(done, /warn/i, 'no promise of a warning it never gets');
    });
  });
});

describe('signing in again', () => {
  test('from a row: the page says "Sign in again", the navigation says Accounts, and Cancel goes back and stops the sign-in', async () => {
    await withWindow(browser(), [EXPIRED, PERSONAL], async (w) => {
      const { page } = w;
      await rowOf(page, EXPIRED.label).getByRole('button', { name: 'Sign in again' }).click();
      await page.getByRole('heading', { name: 'Sign in again', level: 1 }).waitFor();
      assert.equal(await current(page), 'accounts', 'not "Add account"');
      assert.equal(await inPage<string>(page, 'document.title'), 'Sign in again — openEO Auth Tray');
      await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('WDJB-MJHT').waitFor();
      await page.locator('.page-header').getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
      await waitFor('the sign-in cancelled in main', () => w.calls.some((c) => c.method === 'cancelLogin'));
      await page.getByText(`Signing in again to ${EXPIRED.label} was cancelled.`).waitFor();
      await goTo(page, 'Add account');
      await page.getByRole('heading', { name: 'Add account', level: 1 }).waitFor();
      assert.equal(await current(page), 'add');
    });
  });
});

describe('credits and about', () => {
  test('CDSE linking: copy first, then open the help center; a done step says Done; your personal user ID says whose', async () => {
    await withWindow(browser(), [PERSONAL, ROBOT], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'credits', identityId: ROBOT.id });
      const main = shownPage(page);
      await main.getByRole('textbox', { name: 'Message to support' }).waitFor();
      assert.deepEqual(await main.locator('.panel:last-child > .actions > button').evaluateAll((bs) => bs.map((b) => [b.textContent, b.classList.contains('primary')])),
        [['Copy message', true], ['Open the help center', false]]);
      const text = await main.innerText();
      assert.match(text, /Done\s+Run one batch job with the service account\. Done: its job list shows 3 started batch jobs \(1 finished\)\./);
      assert.match(text, /Your personal user ID\s+5c3f2a1e-8d4b-4c1a-9a7e-2f6b1c0d9e8f\s+Copy\s+From your account “Copernicus \(personal\)”\./);
      assert.doesNotMatch(text, /Personal user ID \(/);
      assert.match(text, /Copy the message, open the help center’s request form with “Open the help center”, and paste it there\./);
    });
  });

  test('another backend: no CDSE sentences, only what is known — ask its operators', async () => {
    const vito = status({ ...ROBOT, id: 'vito-robot', label: 'VITO robot', backend: 'https://openeo.vito.be', apiUrl: 'https://openeo.vito.be/openeo/1.2' });
    await withWindow(browser(), [vito], async (w) => {
      await w.pushNavigate({ page: 'credits', identityId: vito.id });
      const main = shownPage(w.page);
      await main.getByRole('textbox', { name: 'Message to support' }).waitFor();
      const text = await main.innerText();
      assert.doesNotMatch(text, /marketplace|batch job|help center|Copernicus Data Space Ecosystem/, 'CDSE\'s process is CDSE\'s');
      assert.match(text, /Send the message below to the operators of openeo\.vito\.be\./);
      assert.match(text, /up to the backend’s operators/);
    });
  });

  test('About: the version of package.json, links, and "Open logs folder" through the bridge', async () => {
    await withWindow(browser(), [PERSONAL], async (w) => {
      const { page } = w;
      await goTo(page, 'Settings');
      const about = page.getByRole('region', { name: 'About' });
      await about.getByText(`openEO Auth Tray ${VERSION}`, { exact: true }).waitFor();
      await about.getByRole('button', { name: 'openEO on Copernicus Data Space' }).click();
      await waitFor('the link opened', () => w.calls.some((c) => c.method === 'openExternal' && c.args[0] === 'https://documentation.dataspace.copernicus.eu/APIs/openEO/openEO.html'));
      await about.getByRole('button', { name: 'Open logs folder' }).click();
      await page.getByText('Opened the logs folder. Its files leave out tokens and secrets.').waitFor();
      assert.equal(w.calls.filter((c) => c.method === 'openLogFolder').length, 1);
    });
  });

  test('About, updates: a downloaded update is said at the top of Settings with its notes (control characters gone); Restart asks main; Check for updates looks; the daily look is a setting', async () => {
    const ready: UpdateView = { kind: 'ready', automatic: true, lastCheckedAt: T0 - 60_000, version: '0.2.0', notes: 'Fixes:\n• the agent\u001b[31m answers sooner\n• About shows updates' };
    let looks = 0;
    await withWindow(browser(), [PERSONAL], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'settings' });
      const callout = page.locator('.update-ready');
      await callout.getByText('openEO Auth Tray 0.2.0 is ready.').waitFor();
      const about = page.getByRole('region', { name: 'About' });
      assert.equal(await about.locator('.update-line').innerText(), 'Version 0.2.0 is downloaded and ready.');
      await about.getByText('What is new in 0.2.0').click();
      assert.equal(await about.locator('.notes-text').innerText(), 'Fixes:\n• the agent [31m answers sooner\n• About shows updates', 'plain text: the escape character is a space');
      await callout.getByRole('button', { name: 'Restart to update…' }).click();
      await page.getByText('The update waits: it is installed when you choose “Restart to update”.').waitFor();
      assert.equal(w.calls.filter((c) => c.method === 'installUpdate').length, 1);

      const daily = about.getByLabel('Look for updates once a day');
      assert.equal(await daily.isChecked(), true);
      await daily.uncheck();
      await waitFor('the setting saved', () => w.calls.some((c) => c.method === 'updateSettings' && JSON.stringify(c.args[0]) === '{"checkForUpdates":false}'));
      await about.getByRole('button', { name: 'Check for updates' }).click();
      await about.getByText('Up to date · looked at').waitFor();
      assert.equal(looks, 1);
      assert.equal(await callout.count(), 0, 'nothing ready any more: the top of Settings says nothing');
    }, {
      edit: (api) => {
        api.getAbout = async () => ({ ok: true, value: { version: VERSION, updates: ready, commandLine: { offered: false, how: 'x' } } });
        api.checkForUpdates = async () => {
          looks++;
          return { ok: true, value: { kind: 'up-to-date', automatic: false, lastCheckedAt: T0 } };
        };
      },
    });
  });

  test('About, updates off in a development run: the reason, and no button that cannot work', async () => {
    await withWindow(browser(), [PERSONAL], async (w) => {
      await goTo(w.page, 'Settings');
      const about = w.page.getByRole('region', { name: 'About' });
      await about.getByText('Updates are off in this run (npm start).').waitFor();
      assert.equal(await about.getByRole('button', { name: 'Check for updates' }).count(), 0);
      assert.equal(await about.getByLabel('Look for updates once a day').count(), 0);
    }, {
      edit: (api) => {
        api.getAbout = async () => ({ ok: true, value: { version: VERSION, updates: { kind: 'off', reason: 'development', message: 'Updates are off in this run (npm start).' }, commandLine: { offered: false, how: 'x' } } });
      },
    });
  });

  test('About, the command line where the app installs it (AppImage): not installed, Install writes it, a folder not on the PATH is said; a failure says why and keeps the button', async () => {
    const path = '/home/alice/.local/bin/openeo-auth-tray';
    let installs = 0;
    await withWindow(browser(), [PERSONAL], async (w) => {
      const { page } = w;
      await goTo(page, 'Settings');
      const about = page.getByRole('region', { name: 'About' });
      await about.getByText(`Not installed. “Install command line tool…” writes ${path}.`).waitFor();
      await about.getByRole('button', { name: 'Install command line tool…' }).click();
      await about.getByRole('alert').getByText('openeo-auth-tray could not be written to /home/alice/.local/bin/openeo-auth-tray.').waitFor();
      await about.getByText('Check that you may write to that folder, then try again.').waitFor();
      await about.getByRole('button', { name: 'Install command line tool…' }).click();
      await about.getByText(`Installed: ${path}.`).waitFor();
      await about.getByText('/home/alice/.local/bin is not on your PATH: add it in your shell’s profile (export PATH="/home/alice/.local/bin:$PATH").').waitFor();
      assert.equal(await about.getByRole('button', { name: 'Reinstall command line tool…' }).count(), 1);
      assert.equal(installs, 2);
    }, {
      edit: (api) => {
        const missing: CommandLineView = { offered: true, state: 'missing', path, onPath: false };
        api.getAbout = async () => ({ ok: true, value: { version: VERSION, updates: { kind: 'idle', automatic: true, lastCheckedAt: null }, commandLine: missing } });
        api.installCommandLine = async () => {
          installs++;
          if (installs === 1) return { ok: false, code: 'COMMAND_LINE_INSTALL_FAILED', message: `openeo-auth-tray could not be written to ${path}.`, nextStep: 'Check that you may write to that folder, then try again.' };
          return { ok: true, value: { ...missing, state: 'installed' } };
        };
      },
    });
  });
});
