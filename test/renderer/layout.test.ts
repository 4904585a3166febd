/**
 * Every page and state of the window with the hard cases — eight accounts in all eight states, a
 * service account whose label, backend, ids and script name are long, the open More, Copy and
 * account menus, Add account at each step, fifty jobs with a 120-character snake_case title,
 * credits, settings and About, the dialogs — at 360, 420 and 900 px, light and dark, through the
 * geometry check (geometry.ts: nothing outside the window, no sideways scroll, no word cut,
 * nothing overlapping, popups inside) and axe (no serious or critical violation). Pictures of each
 * go to test-output/screenshots/layout-*.png to be looked at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeScan, goTo, screenshot, seriousOnly, type WindowHarness } from './harness.ts';
import { layoutProblems } from './geometry.ts';
import { openDetails, rowOf, shownPage, useBrowser, withWindow, type CannedOptions } from './canned.ts';
import { ALL_STATES, LONG, LONG_FAILING, LONG_TITLE, MANY_JOBS, PERSONAL, ROBOT, SIGNED_OUT, SOON, T0 } from './sample-window.ts';
import { VERSION } from '../../src/shared/version.ts';

const browser = useBrowser();
const JOB_WITH_ERROR = 'j-2511280812c';

/** The states of every page, in the order a person meets them; each leaves the window as the next expects. */
function walk(w: WindowHarness): Array<[string, () => Promise<void>]> {
  const { page } = w;
  const main = shownPage(page);
  const menuOf = async (name: string) => {
    await page.getByRole('button', { name, exact: true }).click();
    await page.getByRole('menu', { name }).waitFor();
  };
  const close = () => page.keyboard.press('Escape');
  return [
    ['accounts', async () => { await goTo(page, 'Accounts'); await rowOf(page, SIGNED_OUT.label).waitFor(); }],
    ['accounts-copy-menu', async () => { await menuOf(`Copy a token of ${PERSONAL.label}`); }],
    ['accounts-details', async () => {
      await close();
      for (const identity of [PERSONAL, SOON, LONG_FAILING, SIGNED_OUT]) await openDetails(page, identity.label);
    }],
    ['accounts-more-last', async () => { await menuOf(`More actions for ${SIGNED_OUT.label}`); }],
    ['accounts-more-long', async () => { await close(); await menuOf(`More actions for ${LONG_FAILING.label}`); }],
    ['accounts-rename', async () => { await page.getByRole('menuitem', { name: 'Rename…' }).click(); await page.getByRole('textbox', { name: 'New name' }).waitFor(); }],
    ['dialog-sign-out', async () => {
      await page.getByRole('button', { name: 'Cancel' }).click();
      await menuOf(`More actions for ${LONG_FAILING.label}`);
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await page.getByRole('dialog').waitFor();
    }],
    ['dialog-refresh-token', async () => {
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await menuOf(`Copy a token of ${PERSONAL.label}`);
      await page.getByRole('menuitem', { name: 'Refresh token…' }).click();
      await page.getByRole('dialog', { name: 'Copy the refresh token?' }).waitFor();
    }],
    ['forward-form', async () => {
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Forward to a remote machine…' }).click();
      await page.getByRole('group', { name: 'Logins to forward' }).getByLabel(LONG_FAILING.label).check();
    }],
    ['forwards', async () => {
      await page.getByRole('button', { name: 'Start forwarding' }).click();
      await page.locator('.forward-line').getByText(/^Forwarded: CDSE \(Nightly mosaics/).waitFor();
    }],
    ['add-backend', async () => { await goTo(page, 'Add account'); await page.getByLabel('openEO backend URL').waitFor(); }],
    ['add-backend-problem', async () => {
      await page.getByLabel('openEO backend URL').fill('unreachable.example');
      await page.getByRole('button', { name: 'Continue' }).click();
      await main.getByRole('alert').waitFor();
    }],
    ['add-choices', async () => { await page.getByRole('button', { name: 'Copernicus Data Space Ecosystem' }).click(); await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor(); }],
    ['add-device', async () => { await page.getByRole('button', { name: 'Sign in', exact: true }).click(); await page.getByText('WDJB-MJHT').waitFor(); }],
    ['add-browser', async () => {
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByLabel('In this computer’s browser').check();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Continue in your browser' }).waitFor();
    }],
    ['add-service-account', async () => {
      await main.getByRole('button', { name: 'Cancel' }).click();
      await page.getByLabel('As a service account').check();
      await main.locator('details.note summary').click();
      await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(LONG.clientId);
      await page.getByLabel('Client secret').fill('wrong');
      await page.getByRole('button', { name: 'Add service account' }).click();
      await main.getByRole('alert').waitFor();
    }],
    ['add-success', async () => {
      await page.getByLabel('Client secret').fill('right-secret');
      await page.getByLabel('Name for this account (optional)').fill('Nightly mosaics for the Flanders land-cover project, second try');
      await page.getByRole('button', { name: 'Add service account' }).click();
      await page.getByRole('heading', { name: /is signed in$/ }).waitFor();
    }],
    ['sign-in-again', async () => { await w.pushNavigate({ page: 'add', identityId: SOON.id }); await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor(); }],
    ['new-secret', async () => { await w.pushNavigate({ page: 'add', identityId: LONG_FAILING.id }); await page.getByLabel('New client secret').waitFor(); }],
    ['credits-service-account', async () => { await w.pushNavigate({ page: 'credits', identityId: LONG_FAILING.id }); await main.getByRole('textbox', { name: 'Message to support' }).waitFor(); }],
    ['credits-account-menu', async () => { await main.locator('button.switcher').click(); await page.getByRole('menu', { name: 'Accounts' }).waitFor(); }],
    ['credits-personal', async () => { await page.getByRole('menuitemradio', { name: PERSONAL.label }).click(); await main.getByText('Using a service account too?').waitFor(); }],
    ['jobs', async () => {
      await w.pushNavigate({ page: 'jobs', identityId: PERSONAL.id });
      for (const n of [40, 50]) {
        await main.getByRole('button', { name: 'Load more jobs' }).click();
        await main.locator('.job').nth(n - 1).waitFor();
      }
    }],
    ['jobs-details', async () => {
      for (const id of [MANY_JOBS[0]!.id, JOB_WITH_ERROR]) await main.locator(`.job[data-job="${id}"]`).getByRole('button', { name: 'Details' }).click();
      await main.getByText('load_collection: no data', { exact: false }).waitFor();
      await main.getByRole('heading', { name: LONG_TITLE }).scrollIntoViewIfNeeded();
    }],
    ['jobs-filtered', async () => { await page.getByLabel('Status').selectOption('error'); await main.getByText(/^\d+ of 50 jobs$/).waitFor(); }],
    ['jobs-nothing-found', async () => { await page.getByRole('searchbox', { name: 'Search' }).fill('no such job'); await main.getByRole('heading', { name: 'No job matches' }).waitFor(); }],
    ['settings', async () => {
      await goTo(page, 'Settings');
      const about = page.getByRole('region', { name: 'About' });
      await page.locator('.update-ready').waitFor();
      await about.getByText(/^What is new in /).click();
      await about.getByRole('button', { name: 'Reinstall command line tool…' }).waitFor();
    }],
  ];
}

/** About with the most in it: an update ready with long notes, a command line the app installed off the PATH at a long path. */
function aboutWithEverything(api: Parameters<NonNullable<CannedOptions['edit']>>[0]): void {
  const notes = ['Fixes:', ...Array.from({ length: 12 }, (_, i) => `• change_number_${i}_with_a_long_snake_case_name_that_never_breaks_on_its_own and words`)].join('\n');
  api.getAbout = async () => ({
    ok: true,
    value: {
      version: VERSION,
      updates: { kind: 'ready', automatic: true, lastCheckedAt: T0 - 60_000, version: '10.20.300-beta.4', notes },
      commandLine: { offered: true, state: 'installed', path: '/home/alice-with-a-rather-long-user-name/.local/bin/openeo-auth-tray', onPath: false },
    },
  });
}

async function checkEveryState(width: number, diagnostic: (message: string) => void): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await withWindow(browser(), [...ALL_STATES, ROBOT], async (w) => {
      const { page } = w;
      if (scheme === 'light') diagnostic(`${await accountsThatFit(page)} of ${ALL_STATES.length + 1} accounts fit whole in ${width} × 700`);
      for (const [name, go] of walk(w)) {
        await go();
        await page.mouse.move(0, 0);
        assert.deepEqual(await layoutProblems(page), [], `${name} at ${width} px (${scheme})`);
        assert.deepEqual(seriousOnly(await axeScan(page)), [], `${name} at ${width} px (${scheme}): accessibility`);
        await screenshot(page, `layout-${name}-${width}-${scheme}`);
      }
    }, { jobs: MANY_JOBS, colorScheme: scheme, viewport: { width, height: 700 }, edit: aboutWithEverything });
  }
}

async function accountsThatFit(page: Page): Promise<number> {
  await rowOf(page, PERSONAL.label).waitFor();
  return page.locator('.account').evaluateAll((rows) => rows.filter((r) => r.getBoundingClientRect().bottom <= (r.ownerDocument.defaultView?.innerHeight ?? 0)).length);
}

for (const width of [360, 420, 900]) {
  test(`every page and state at ${width} px, light and dark: the geometry check and axe find nothing`, { timeout: 600_000 }, async (t) => {
    await checkEveryState(width, (m) => t.diagnostic(m));
  });
}
