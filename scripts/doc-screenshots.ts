/**
 * The README's pictures of the window, made on purpose from sample data (test/renderer/sample-window.ts),
 * never from a test run: `npm run screenshots` writes docs/screenshot.png (a wide window) and
 * docs/screenshot-narrow.png (a narrow one). Needs the built window (it builds it first) and Chromium.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launchBrowser, openWindow, screenshot } from '../test/renderer/harness.ts';
import { EXPIRED, PERSONAL, ROBOT, T0, fakeApi, status, DAY } from '../test/renderer/sample-window.ts';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = join(root, 'docs');
const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const browser = await launchBrowser();
try {
  // Wide: the three kinds of card a person meets (healthy, service account, ended).
  const wide = await openWindow(browser, fakeApi([PERSONAL, ROBOT, EXPIRED]).api, { fixedTime: T0, viewport: { width: 920, height: 680 } });
  await wide.page.getByText('expires in 13 days').waitFor();
  await screenshot(wide.page, 'screenshot', docs);
  await wide.close();

  // Narrow: a login that ends soon, whose main action is then "Sign in again".
  const soon = status({ ...PERSONAL, refreshTokenExpiry: { kind: 'at', at: T0 + 3 * DAY + 5 * 3_600_000 }, refreshTokenObtainedAt: T0 - 27 * DAY });
  const narrow = await openWindow(browser, fakeApi([soon, ROBOT]).api, { fixedTime: T0, viewport: { width: 390, height: 760 } });
  await narrow.page.getByText('Expires soon', { exact: true }).waitFor();
  await screenshot(narrow.page, 'screenshot-narrow', docs);
  await narrow.close();
} finally {
  await browser.close();
}
console.log('wrote docs/screenshot.png and docs/screenshot-narrow.png');
