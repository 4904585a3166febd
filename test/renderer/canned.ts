/**
 * The window on canned data (sample-window.ts) for the ui-*.test.ts files: one browser for a file,
 * a fresh window per test with a pinned clock, and the checks every test ends with (no console
 * problem, no request beyond loopback, every request through the guards).
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import type { BatchJob, IdentityStatus } from '../../src/shared/api.ts';
import { launchBrowser, openWindow, type WindowHarness, type WindowOptions } from './harness.ts';
import { JOBS, T0, fakeApi } from './sample-window.ts';

let browser: Browser | undefined;
/** Launches the file's browser (call at the top of a test file). */
export function useBrowser(): () => Browser {
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });
  return () => {
    if (!browser) throw new Error('the browser is not running');
    return browser;
  };
}

export interface CannedOptions extends WindowOptions {
  jobs?: BatchJob[];
  /** Changes to the canned API before the window opens. */
  edit?: (api: ReturnType<typeof fakeApi>['api']) => void;
}

/** Opens the window on `identities`, runs `run`, checks the window stayed clean, closes it. */
export async function withWindow(b: Browser, identities: IdentityStatus[], run: (w: WindowHarness) => Promise<void>, opts: CannedOptions = {}): Promise<void> {
  const fake = fakeApi(identities, opts.jobs ?? JOBS);
  opts.edit?.(fake.api);
  const { jobs: _jobs, edit: _edit, ...window } = opts;
  const w = await openWindow(b, fake.api, { ...(window.controlledClock ? {} : { fixedTime: T0 }), ...window });
  try {
    await run(w);
    assert.deepEqual(w.consoleProblems, [], 'no console errors, CSP violations or page errors');
    assert.deepEqual(w.blockedRequests, [], 'no request left loopback');
    assert.deepEqual(w.refused, [], 'every request passed the guards');
  } finally {
    await w.close();
  }
}

/** The row of the account called `label` on the Accounts page. */
export function rowOf(page: Page, label: string): Locator {
  return page.locator('.account').filter({ has: page.getByRole('heading', { name: label, exact: true }) });
}

/** Opens the details of an account (if not open) and returns its row. */
export async function openDetails(page: Page, label: string): Promise<Locator> {
  const toggle = page.getByRole('button', { name: `Details of ${label}`, exact: true });
  if (await toggle.count()) await toggle.click();
  await page.getByRole('button', { name: `Hide the details of ${label}`, exact: true }).waitFor();
  return rowOf(page, label);
}

/** The page shown now. */
export function shownPage(page: Page): Locator {
  return page.locator('main > section.page:not([hidden])');
}
