/**
 * The person's side of a login, in a real browser page of its own (another context, like a
 * phone): the test IdP's pages (oidc-provider devInteractions) filled in as a person would.
 */
import type { Browser, BrowserContext } from 'playwright-core';

/** A fresh browser context that can reach loopback only. */
async function loopbackContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  return context;
}

/** The person's browser (another context, like a phone): opens the sign-in page, logs in as `login`, confirms. */
export async function signInAtProvider(browser: Browser, url: string, login = 'alice'): Promise<void> {
  const context = await loopbackContext(browser);
  const page = await context.newPage();
  try {
    await page.goto(url);
    for (let step = 0; step < 12; step++) {
      await page.waitForLoadState('load');
      const title = await page.title().catch(() => '');
      if (title === 'Sign-in Success') return;
      const loginField = page.locator('input[name="login"]');
      const next = (await loginField.count()) > 0
        ? async () => { await loginField.fill(login); await page.locator('input[name="password"]').fill('any-password'); await page.locator('button[type="submit"]').first().click(); }
        : async () => { await page.getByRole('button', { name: 'Continue' }).first().click(); };
      await Promise.all([page.waitForEvent('load'), next()]);
    }
    throw new Error(`the provider's pages did not end in "Sign-in Success" (stuck at ${page.url()})`);
  } finally {
    await context.close();
  }
}

/** The person's browser after "Sign in in this computer's browser": login, consent, back to the app's loopback page. */
export async function browserLoginAtProvider(browser: Browser, authorizationUrl: string, login = 'alice'): Promise<string> {
  const context = await loopbackContext(browser);
  const page = await context.newPage();
  const idpOrigin = new URL(authorizationUrl).origin;
  try {
    await page.goto(authorizationUrl);
    for (let step = 0; step < 8; step++) {
      await page.waitForLoadState('load');
      if (new URL(page.url()).origin !== idpOrigin) return await page.title();
      const loginField = page.locator('input[name="login"]');
      const next = (await loginField.count()) > 0
        ? async () => { await loginField.fill(login); await page.locator('input[name="password"]').fill('any-password'); await page.locator('button[type="submit"]').first().click(); }
        : async () => { await page.getByRole('button', { name: 'Continue' }).first().click(); };
      await Promise.all([page.waitForEvent('load'), next()]);
    }
    throw new Error(`the browser login never came back to the app (stuck at ${page.url()})`);
  } finally {
    await context.close();
  }
}

/** The person refuses: on the provider's confirmation page they choose "Abort". */
export async function refuseAtProvider(browser: Browser, url: string): Promise<void> {
  const context = await loopbackContext(browser);
  const page = await context.newPage();
  try {
    await page.goto(url);
    for (let step = 0; step < 4 && (await page.title().catch(() => '')) !== 'Device Login Confirmation'; step++) {
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Continue' }).first().click()]);
    }
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '[ Abort ]' }).click()]);
  } finally {
    await context.close();
  }
}
