/**
 * The user's side of a device login in real headless Chromium: open verification_uri_complete,
 * confirm the code, log in as alice, give consent — while the app side polls for real.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { browserLogin } from '../../../src/main/core/oidc/browser-login.ts';
import { startDeviceLogin } from '../../../src/main/core/oidc/device-login.ts';
import { connectIssuer } from '../../../src/main/core/oidc/issuer.ts';
import { chooseScopes } from '../../../src/main/core/oidc/scopes.ts';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

/** Answers whatever the IdP shows next, the way a person would, until `done` says so. */
async function actLikeAUser(page: Page, done: () => Promise<boolean>, login = 'alice'): Promise<string[]> {
  const seen: string[] = [];
  for (let step = 0; step < 10 && !(await done()); step++) {
    await page.waitForLoadState('load');
    const title = await page.title();
    seen.push(title);
    if (await page.locator('input[name="login"]').count()) {
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', 'any-password');
      await Promise.all([page.waitForEvent('load'), page.locator('button[type="submit"]').first().click()]);
    } else if (await page.locator('form#op\\.deviceConfirmForm, button[form="op.deviceConfirmForm"]').count()) {
      await Promise.all([page.waitForEvent('load'), page.locator('button[autofocus]').click()]);
    } else if (await page.locator('input[name="prompt"][value="consent"]').count()) {
      await Promise.all([page.waitForEvent('load'), page.locator('button[type="submit"]').first().click()]);
    } else {
      await page.waitForEvent('load', { timeout: 5000 }).catch(() => undefined);
    }
  }
  return seen;
}

describe('real headless Chromium as the user', () => {
  let idp: TestIdp;
  let browser: Browser;
  before(async () => {
    idp = await startTestIdp({ deviceInterval: 1 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await idp?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort()));
    return context.newPage();
  }

  test('device login: open the complete verification URL, confirm, log in as alice', async () => {
    const conn = await connectIssuer(idp.issuer, idp.publicClientId);
    const login = await startDeviceLogin(conn, { scopes: chooseScopes([], conn.supportedScopes, true), usePkce: true });
    const page = await newPage();
    await page.goto(login.authorization.verificationUriComplete!);
    const seen = await actLikeAUser(page, async () => (await page.title()) === 'Sign-in Success');
    assert.equal(await page.title(), 'Sign-in Success', `pages seen: ${seen.join(' → ')}`);
    const tokens = await login.result;
    assert.equal(tokens.subject, 'alice');
    assert.ok(tokens.refreshToken);
    await page.context().close();
  });

  test('browser login: the loopback page says “Signed in” in a real browser', async () => {
    const conn = await connectIssuer(idp.issuer, idp.publicClientId);
    const page = await newPage();
    let opened: Promise<unknown> = Promise.resolve();
    const tokens = await browserLogin(conn, {
      scopes: chooseScopes([], conn.supportedScopes, true),
      openBrowser: async (url) => {
        await page.goto(url);
        opened = actLikeAUser(page, async () => new URL(page.url()).pathname === '/callback');
      },
    });
    await opened;
    assert.equal(tokens.subject, 'alice');
    assert.equal(new URL(page.url()).pathname, '/callback');
    assert.match(await page.locator('h1').innerText(), /Signed in — you can close this tab/);
    await page.context().close();
  });
});
