/**
 * The README's pictures of the window, made on purpose from sample data (test/renderer/sample-window.ts),
 * never from a test run: `npm run screenshots` writes docs/screenshot.png (the accounts, wide, one
 * opened), docs/screenshot-narrow.png (the accounts in a narrow window) and docs/screenshot-jobs.png
 * (the Jobs page with a 120-character snake_case title among fifty jobs). The sample has the hard
 * cases: a long label, backend and script name, every state a person meets, the long title.
 * Needs the built window (it builds it first) and Chromium.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser, openWindow, screenshot } from '../test/renderer/harness.ts';
import { EXPIRED, LONG, MANY_JOBS, OFFLINE, PERSONAL, ROBOT, SOON, T0, fakeApi } from '../test/renderer/sample-window.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = join(root, 'docs');
const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const ACCOUNTS = [PERSONAL, SOON, ROBOT, LONG, OFFLINE, EXPIRED];
/** No pointer over a button and no focus ring in the picture. */
const still = async (page: Page): Promise<void> => {
  await page.mouse.move(0, 0);
  await page.evaluate('document.activeElement?.blur()');
};
const browser = await launchBrowser();
try {
  // Wide: the compact list, one account opened in place (its login's end, last renewal, scripts).
  const wide = await openWindow(browser, fakeApi(ACCOUNTS, MANY_JOBS).api, { fixedTime: T0, viewport: { width: 920, height: 680 } });
  await wide.page.getByRole('button', { name: `Details of ${PERSONAL.label}`, exact: true }).click();
  await wide.page.getByText('Used by scripts: 14 times', { exact: false }).waitFor();
  await still(wide.page);
  await screenshot(wide.page, 'screenshot', docs);
  await wide.close();

  // Narrow: the same list at 390 px; the navigation becomes tabs, the actions go under the words.
  const narrow = await openWindow(browser, fakeApi(ACCOUNTS, MANY_JOBS).api, { fixedTime: T0, viewport: { width: 390, height: 760 } });
  await narrow.page.getByText('Sign in again within 3 days', { exact: true }).waitFor();
  await still(narrow.page);
  await narrow.page.screenshot({ path: join(docs, 'screenshot-narrow.png'), animations: 'disabled', caret: 'hide' });
  await narrow.close();

  // Jobs: the long title wraps inside its card, beside its status; search, filter, paging.
  const jobs = await openWindow(browser, fakeApi(ACCOUNTS, MANY_JOBS).api, { fixedTime: T0, viewport: { width: 920, height: 720 } });
  await jobs.pushNavigate({ page: 'jobs', identityId: PERSONAL.id });
  await jobs.page.getByText('20 jobs loaded; the backend has more').waitFor();
  await still(jobs.page);
  await mkdir(docs, { recursive: true });
  await jobs.page.screenshot({ path: join(docs, 'screenshot-jobs.png'), animations: 'disabled', caret: 'hide' });
  await jobs.close();
} finally {
  await browser.close();
}
console.log('wrote docs/screenshot.png, docs/screenshot-narrow.png and docs/screenshot-jobs.png');
