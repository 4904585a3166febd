/**
 * The user's side of a device login on Keycloak's own pages in real headless Chromium: open the
 * complete verification URL, sign in, grant access — while the app side polls for real.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startDeviceLogin } from '../../src/main/core/oidc/device-login.ts';
import { connectIssuer } from '../../src/main/core/oidc/issuer.ts';
import { chooseScopes } from '../../src/main/core/oidc/scopes.ts';
import { PUBLIC_CLIENT, USER, claims, suiteOptions, useKeycloak } from './support.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

const isLoopback = (url: string): boolean => {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

describe('Keycloak in real headless Chromium', suiteOptions(), () => {
  const kc = useKeycloak();
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
  });

  test('device login: verification page, sign-in form, "Grant Access", then tokens', async () => {
    const conn = await connectIssuer(kc().issuer(), PUBLIC_CLIENT);
    const login = await startDeviceLogin(conn, { scopes: chooseScopes([], conn.supportedScopes, true), usePkce: true });
    const context = await browser.newContext();
    await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort()));
    const page = await context.newPage();
    await page.goto(login.authorization.verificationUriComplete!);
    await page.fill('#username', USER.username);
    await page.fill('#password', USER.password);
    await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
    assert.match(await page.locator('body').innerText(), /Do you grant these access privileges\?/);
    await Promise.all([page.waitForEvent('load'), page.click('#kc-login')]);
    assert.match(await page.locator('body').innerText(), /Device Login Successful/);
    const tokens = await login.result;
    assert.ok(tokens.refreshToken);
    assert.equal(claims(tokens.refreshToken).typ, 'Offline');
    assert.deepEqual(tokens.refreshTokenExpiry, { kind: 'never' });
    assert.equal(claims(tokens.accessToken).preferred_username, USER.username);
    await context.close();
  });
});
