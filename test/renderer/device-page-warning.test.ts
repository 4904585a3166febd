/**
 * The device panel warns when the sign-in page the IdP names is not on the IdP's own host
 * (issue 10, item 11): a look-alike page could collect the code and the password. Real Chromium
 * on the real core; the test IdP is told to answer with a verification URI on another host,
 * which also carries terminal escapes that must not show up in the page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startAppCore } from '../helpers/app-core.ts';
import { goTo, launchBrowser, openWindow } from './harness.ts';

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('device login: a sign-in page on another host is named in a warning beside the code', async (t) => {
  const core = await startAppCore({
    idp: { deviceResponsePatch: { verification_uri: 'https://login.example-lookalike.test/device\u001b]0;owned\u0007', verification_uri_complete: undefined } },
  });
  const w = await openWindow(browser, core.api);
  t.after(async () => {
    await w.close();
    await core.stop();
  });
  await goTo(w.page, 'Add account');
  const field = w.page.getByLabel('openEO backend URL');
  await field.fill(core.backend.url);
  await field.press('Enter');
  await w.page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor();
  await w.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const warning = w.page.getByRole('alert').filter({ hasText: 'login.example-lookalike.test' });
  await warning.waitFor();
  const text = await warning.innerText();
  assert.match(text, /not on the identity provider's own address \(127\.0\.0\.1\)/);
  const page = await w.page.content();
  assert.ok(!page.includes('\u001b') && !page.includes('\u0007'), 'no control character reached the page');
  await w.page.getByRole('button', { name: 'Cancel' }).click();
});
