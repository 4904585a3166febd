/**
 * The window against a small in-test `OpenEoAuthApi` with CANNED data and a pinned clock: exact
 * wording of states the real core reaches only after days (expiring soon, offline, keychain
 * locked) and realistic CDSE-like screenshots (test-output/screenshots/dev-*.png) for the README.
 * Every scenario of the issue runs against the real core in window.test.ts.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { IdentityStatus } from '../../src/shared/api.ts';
import { axeScan, goTo, inPage, launchBrowser, openWindow, screenshot, seriousOnly, waitFor, type WindowHarness } from './harness.ts';
import { DAY, EXPIRED, LONG, LONG_SCRIPT_NAME, PERSONAL, ROBOT, T0, fail, fakeApi, status } from './sample-window.ts';


let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function withWindow(identities: IdentityStatus[], run: (w: WindowHarness, fake: ReturnType<typeof fakeApi>) => Promise<void>,
  colorScheme: 'light' | 'dark' = 'light', viewport?: { width: number; height: number }) {
  const fake = fakeApi(identities);
  const w = await openWindow(browser, fake.api, { fixedTime: T0, colorScheme, ...(viewport ? { viewport } : {}) });
  try {
    await run(w, fake);
    assert.deepEqual(w.consoleProblems, [], 'no console errors, CSP violations or page errors');
    assert.deepEqual(w.blockedRequests, [], 'no request left loopback');
    assert.deepEqual(w.refused, [], 'every request passed the guards');
  } finally {
    await w.close();
  }
}

describe('window with canned data', () => {
  test('Accounts shows each identity with expiry words, date, bar and state', async () => {
    await withWindow([PERSONAL, ROBOT, EXPIRED], async ({ page }) => {
      const personal = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: PERSONAL.label }) });
      await personal.getByText('expires in 13 days').waitFor();
      assert.match(await personal.innerText(), /12 Dec 2025/);
      assert.match(await personal.innerText(), /valid for 4 min 32 s/);
      assert.match(await personal.innerText(), /Personal account/);
      assert.equal(await personal.locator('meter').getAttribute('aria-labelledby'), `rt-words-${PERSONAL.id}`);
      const fraction = await personal.locator('meter').evaluate((m) => (m as unknown as { value: number }).value);
      assert.ok(Math.abs(fraction - (13 * DAY + 2 * 3_600_000) / (30 * DAY + 2 * 3_600_000)) < 0.01, `bar at ${fraction}`);
      const expired = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: EXPIRED.label }) });
      assert.match(await expired.innerText(), /Expired/);
      await expired.getByRole('button', { name: 'Sign in again' }).waitFor();
      const robot = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: ROBOT.label }) });
      assert.match(await robot.innerText(), /Service account/);
      assert.match(await robot.innerText(), /new tokens come from the client secret/);
    });
  });

  test('empty state explains what to do first and leads to Add account', async () => {
    await withWindow([], async ({ page }) => {
      await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();
      await page.getByRole('button', { name: 'Add your first account' }).click();
      await page.getByRole('heading', { name: 'Add account', level: 1 }).waitFor();
      assert.equal(await inPage<string>(page, 'document.activeElement?.textContent'), 'Add account');
    });
  });

  test('states the real core reaches only slowly: expiring soon, offline, keychain locked', async () => {
    const soon = status({ id: 'soon-1', label: 'Soon', refreshTokenExpiry: { kind: 'at', at: T0 + 3 * DAY }, refreshTokenObtainedAt: T0 - 27 * DAY });
    const offline = status({ id: 'off-1', label: 'Away', state: 'offline', offlineSince: T0 - 18 * 60_000,
      problem: { code: 'IDP_UNREACHABLE', message: 'The identity provider did not answer.' } });
    const locked = status({ id: 'lock-1', label: 'Locked', state: 'keychain-unavailable',
      problem: { code: 'KEYCHAIN_LOCKED', message: 'The keychain is locked.' } });
    await withWindow([soon, offline, locked], async ({ page }) => {
      const card = (label: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label }) });
      await card('Soon').getByText('Expires soon', { exact: true }).waitFor();
      assert.match(await card('Soon').innerText(), /expires in 3 days\s+on 2 Dec 2025, 10:00/);
      assert.equal(await card('Soon').getByRole('button', { name: 'Sign in again' }).getAttribute('class'), 'btn primary');
      assert.equal(await card('Soon').locator('meter').getAttribute('class'), 'time-left tone-warn');
      assert.match(await card('Away').innerText(), /Offline since 09:42 — retrying/);
      assert.match(await card('Away').innerText(), /The identity provider did not answer\./);
      assert.match(await card('Locked').innerText(), /Keychain locked — unlock it to continue/);
      await screenshot(page, 'dev-states-light');
    });
  });

  test('card states: one state, true facts, the main action first and rare ones under More', async () => {
    const soon = status({ id: 'soon-1', label: 'Soon', refreshTokenExpiry: { kind: 'at', at: T0 + 3 * DAY }, refreshTokenObtainedAt: T0 - 27 * DAY });
    const offline = status({ id: 'off-1', label: 'Away', state: 'offline', offlineSince: T0 - 18 * 60_000,
      problem: { code: 'IDP_UNREACHABLE', message: 'The identity provider did not answer.' } });
    await withWindow([PERSONAL, soon, offline, EXPIRED], async ({ page }) => {
      const actions = (label: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label, exact: true }) })
        .locator('.card-actions > button, .card-actions > .menu-wrap > button')
        .evaluateAll((buttons) => buttons.map((b) => [(b.getAttribute('aria-label') ?? b.textContent ?? '').trim(), b.classList.contains('primary')]));
      await page.getByText('expires in 13 days').first().waitFor();
      assert.deepEqual(await actions(PERSONAL.label), [[`Copy a token of ${PERSONAL.label}`, false], ['Jobs', false], ['Credits', false], [`More actions for ${PERSONAL.label}`, false]]);
      assert.deepEqual(await actions('Soon'), [['Sign in again', true], ['Copy a token of Soon', false], ['Jobs', false], ['Credits', false], ['More actions for Soon', false]],
        '"Sign in again" is the main action when a login ends soon');
      assert.deepEqual((await actions('Away'))[0], ['Try again now', true]);
      assert.deepEqual(await actions(EXPIRED.label), [['Sign in again', true], ['Sign out', false]]);
      const expired = await page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: EXPIRED.label }) }).innerText();
      assert.doesNotMatch(expired, /Access token|Refresh token/);
      assert.match(expired, /This login ended on 27 Nov 2025, 10:00\./);
      await page.getByRole('button', { name: `More actions for ${PERSONAL.label}` }).click();
      assert.deepEqual(await page.getByRole('menuitem').allInnerTexts(), ['Refresh now', 'Sign in again', 'Sign out']);
    });
  });

  test('CDSE linking with sample data: the help center is named and opened; the message has only facts', async () => {
    await withWindow([PERSONAL, ROBOT], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'credits', identityId: ROBOT.id });
      const message = await page.getByRole('textbox', { name: 'Message to support' }).inputValue();
      assert.match(message, /The service account’s job list shows 3 batch jobs that were started \(1 finished\)\./);
      assert.match(await page.locator('main').innerText(), /Send the message below to the Copernicus Data Space Ecosystem help center\./);
      await page.getByRole('button', { name: 'Open the help center' }).click();
      await waitFor('the link to open', () => w.calls.some((c) => c.method === 'openExternal'));
      assert.deepEqual(w.calls.filter((c) => c.method === 'openExternal').map((c) => c.args[0]), ['https://helpcenter.dataspace.copernicus.eu/hc/en-gb/requests/new']);
    });
  });

  test('a confirmation sits in the status bar below the page, covers nothing, and does not follow to the next page', async () => {
    await withWindow([PERSONAL, ROBOT], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'credits', identityId: ROBOT.id });
      await page.getByRole('button', { name: 'Copy message' }).click();
      const bar = page.locator('#announcer');
      await page.getByText('Copied the message to support.').waitFor();
      const [mainBox, barBox] = [await page.locator('main').boundingBox(), await bar.boundingBox()];
      assert.ok(mainBox && barBox && barBox.height > 0);
      assert.ok(mainBox.y + mainBox.height <= barBox.y + 0.5, `the bar (top ${barBox.y}) is below the page (bottom ${mainBox.y + mainBox.height})`);
      await goTo(page, 'Accounts');
      assert.equal(await bar.textContent(), '', 'gone on the next page');
      assert.equal((await bar.boundingBox())?.height ?? 0, 0, 'and takes no room');
    });
  });

  test('scripts on a card: their use in one line, the name marked unverified; the two settings save at once', async () => {
    await withWindow([PERSONAL, ROBOT, LONG], async (w) => {
      const { page } = w;
      const card = (label: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label, exact: true }) });
      await card(PERSONAL.label).getByText(/^Used by scripts/).waitFor();
      assert.equal(await card(PERSONAL.label).locator('.script-use').innerText(),
        'Used by scripts: 14 times in the last hour, last by “python (my_job.py)” (unverified name) at 09:02');
      assert.equal(await card(ROBOT.label).locator('.script-use').innerText(), 'Not used by scripts yet');
      assert.equal(await card(LONG.label).locator('.script-use').innerText(),
        `Used by scripts: 1 time in the last hour, last by “${LONG_SCRIPT_NAME}” (unverified name) at 09:59`, 'a long name whole');

      const allowed = (label: string) => card(label).getByRole('checkbox', { name: 'Scripts may use this login' });
      const ask = (label: string) => card(label).getByRole('checkbox', { name: 'Ask before a new script uses it' });
      assert.deepEqual([await allowed(PERSONAL.label).isChecked(), await ask(PERSONAL.label).isChecked(), await ask(PERSONAL.label).isEnabled()], [true, false, true]);
      assert.deepEqual([await allowed(ROBOT.label).isChecked(), await ask(ROBOT.label).isChecked()], [true, true]);
      assert.equal(await card(ROBOT.label).getByRole('group', { name: `Scripts and ${ROBOT.label}` }).count(), 1);

      await ask(PERSONAL.label).check();
      await page.getByText(`${PERSONAL.label} now asks before a new script uses it.`).waitFor();
      await allowed(PERSONAL.label).uncheck();
      await page.getByText(`Scripts may no longer use ${PERSONAL.label}.`).waitFor();
      assert.equal(await ask(PERSONAL.label).isDisabled(), true, 'nothing to ask about while scripts may not use it');
      assert.equal(await inPage<string>(page, 'document.activeElement?.getAttribute("data-focus-key")'), `${PERSONAL.id}:scripts:allowed`, 'focus stays on the box');
      await allowed(PERSONAL.label).check();
      await page.getByText(`Scripts may now use ${PERSONAL.label}.`).waitFor();
      assert.deepEqual(w.calls.filter((c) => c.method === 'setScriptAccess').map((c) => c.args), [
        [PERSONAL.id, 'ask'], [PERSONAL.id, 'deny'], [PERSONAL.id, 'allow'],
      ]);
    });
  });

  test('a setting that could not be saved: the card says why, and the boxes show what is saved', async () => {
    const fake = fakeApi([PERSONAL]);
    fake.api.setScriptAccess = () => Promise.resolve(fail('SETTINGS_WRITE_FAILED', 'The settings file could not be written.', 'Check that the disk is not full, then try again.'));
    const w = await openWindow(browser, fake.api, { fixedTime: T0 });
    try {
      const card = w.page.getByRole('listitem').filter({ has: w.page.getByRole('heading', { name: PERSONAL.label, exact: true }) });
      const allowed = card.getByRole('checkbox', { name: 'Scripts may use this login' });
      await allowed.uncheck();
      await card.getByRole('alert').getByText('The settings file could not be written.').waitFor();
      assert.equal(await allowed.isChecked(), true, 'back to what is saved');
      assert.equal(await card.getByRole('checkbox', { name: 'Ask before a new script uses it' }).isEnabled(), true);
      assert.deepEqual(w.consoleProblems, []);
    } finally {
      await w.close();
    }
  });

  test('a count of the last hour is asked for again each minute while one is shown; not otherwise', async () => {
    for (const [rows, again] of [[[PERSONAL], true], [[ROBOT], false]] as const) {
      const fake = fakeApi([...rows]);
      const w = await openWindow(browser, fake.api, { controlledClock: true });
      try {
        await w.page.locator('.script-use').waitFor();
        const lists = () => w.calls.filter((c) => c.method === 'listIdentities').length;
        const before = lists();
        await w.page.clock.runFor(61_000);
        if (again) await waitFor('the list asked for again', () => lists() > before);
        else assert.equal(lists(), before, 'no count shown: nothing to ask again');
        assert.deepEqual(w.consoleProblems, []);
      } finally {
        await w.close();
      }
    }
  });

  test('a script\'s name is text, never markup', async () => {
    const hostile = status({ id: 'evil-1', label: 'Evil', scripts: { access: 'allow', lastUseAt: T0 - 60_000, lastHint: '<img src=x onerror="document.title=1">&amp; <b>bold</b>', lastHour: 3 } });
    await withWindow([hostile], async ({ page }) => {
      const line = page.locator('.script-use');
      await line.waitFor();
      assert.equal(await line.innerText(), 'Used by scripts: 3 times in the last hour, last by “<img src=x onerror="document.title=1">&amp; <b>bold</b>” (unverified name) at 09:59');
      assert.equal(await page.locator('.card img, .card b').count(), 0);
    });
  });

  test('remote machines: start a forward (logins and how long), copy its ssh command, stop it', async () => {
    await withWindow([PERSONAL, ROBOT], async (w) => {
      const { page } = w;
      const panel = page.getByRole('region', { name: 'Remote machines' });
      await panel.getByText('No forwards: nothing on another computer can get your tokens.').waitFor();
      const start = panel.getByRole('button', { name: 'Forward to a remote machine…' });
      await start.click();
      assert.equal(await start.getAttribute('aria-expanded'), 'true');
      await panel.getByRole('button', { name: 'Start forwarding' }).click();
      await panel.getByRole('alert').getByText('Choose at least one login to forward.').waitFor();
      assert.equal(w.calls.filter((c) => c.method === 'createForward').length, 0, 'nothing asked of the app');
      await panel.getByRole('group', { name: 'Logins to forward' }).getByLabel(PERSONAL.label).check();
      assert.equal(await panel.getByLabel('For how long').inputValue(), String(8 * 3600), '8 hours unless chosen otherwise');
      await panel.getByLabel('For how long').selectOption({ label: '1 hour' });
      await panel.getByRole('button', { name: 'Start forwarding' }).click();
      const line = panel.getByText('Forwarded: CDSE (Copernicus (personal)) until 11:00');
      await line.waitFor();
      assert.deepEqual(w.calls.find((c) => c.method === 'createForward')?.args, [[PERSONAL.id], 3600]);
      assert.equal(await start.getAttribute('aria-expanded'), 'false', 'the form is closed');
      const f = (w.calls.find((c) => c.method === 'createForward')?.answer as { value: { id: string; ssh: string } }).value;
      assert.equal(await panel.locator('code').innerText(), f.ssh);
      assert.match(f.ssh, / HOST$/);
      const copy = panel.getByRole('button', { name: `Copy the ssh command of forward ${f.id}` });
      await waitFor('focus on the new forward\'s Copy', async () => (await inPage<string>(page, 'document.activeElement?.getAttribute("aria-label")')) === `Copy the ssh command of forward ${f.id}`);
      await copy.click();
      await waitFor('the ssh command copied', () => w.calls.some((c) => c.method === 'copyText' && c.args[0] === f.ssh));
      await panel.getByRole('button', { name: 'Stop forwarding: CDSE (Copernicus (personal)) until 11:00' }).click();
      await panel.getByText('No forwards: nothing on another computer can get your tokens.').waitFor();
      assert.deepEqual(w.calls.filter((c) => c.method === 'stopForward').map((c) => c.args), [[f.id]]);
    });
  });

  for (const width of [360, 420, 920]) {
    test(`every page at ${width} px, light and dark: nothing scrolls sideways (long ids and hostnames), no serious accessibility violations`, async () => {
      for (const scheme of ['light', 'dark'] as const) {
        await withWindow([LONG, PERSONAL, ROBOT, EXPIRED], async (w) => {
          for (const [name, go] of walk(w)) {
            await go();
            await w.page.mouse.move(0, 0);
            assert.deepEqual(await sidewaysScroll(w), [], `${name} at ${width} px (${scheme}) scrolls sideways`);
            assert.deepEqual(seriousOnly(await axeScan(w.page)), [], `${name} at ${width} px (${scheme})`);
            await screenshot(w.page, `dev-${name}-${width}-${scheme}`);
          }
        }, scheme, { width, height: 720 });
      }
    });
  }
});

/** Every page of the window, and the states of them a person meets, in the order a person meets them. */
function walk(w: WindowHarness): Array<[string, () => Promise<void>]> {
  const { page } = w;
  const main = page.locator('main > section.page:not([hidden])');
  return [
    ['accounts', async () => { await goTo(page, 'Accounts'); await page.getByText('expires in 13 days').first().waitFor(); await page.getByText(LONG_SCRIPT_NAME, { exact: false }).waitFor(); }],
    ['forward-form', async () => {
      await page.getByRole('button', { name: 'Forward to a remote machine…' }).click();
      await page.getByRole('group', { name: 'Logins to forward' }).getByLabel(LONG.label).check();
      await page.getByRole('group', { name: 'Logins to forward' }).getByLabel(PERSONAL.label).check();
    }],
    ['forwards', async () => {
      await page.getByRole('button', { name: 'Start forwarding' }).click();
      await page.locator('.forward-line').getByText(/^Forwarded: CDSE \(Nightly mosaics/).waitFor();
    }],
    ['add-account', async () => { await goTo(page, 'Add account'); await page.getByRole('button', { name: 'Copernicus Data Space Ecosystem' }).click(); await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor(); }],
    ['device-login', async () => { await page.getByRole('button', { name: 'Sign in', exact: true }).click(); await page.getByText('WDJB-MJHT').waitFor(); }],
    ['service-account', async () => {
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByLabel('As a service account').check();
      await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(LONG.clientId);
      await page.getByLabel('Client secret').fill('wrong');
      await page.getByRole('button', { name: 'Add service account' }).click();
      await main.locator('.field-problem').getByRole('alert').waitFor();
    }],
    ['new-secret', async () => { await w.pushNavigate({ page: 'add', identityId: LONG.id }); await page.getByLabel('New client secret').waitFor(); }],
    ['sign-in-again', async () => { await w.pushNavigate({ page: 'add', identityId: EXPIRED.id }); await page.getByRole('group', { name: 'How do you want to sign in?' }).waitFor(); }],
    ['credits', async () => { await w.pushNavigate({ page: 'credits', identityId: LONG.id }); await page.getByRole('textbox', { name: 'Message to support' }).waitFor(); }],
    ['jobs', async () => {
      await w.pushNavigate({ page: 'jobs', identityId: LONG.id });
      await page.getByText('NDVI composite Flanders').waitFor();
      for (const job of await main.getByRole('button', { name: 'Details' }).all()) await job.click();
      await main.getByText('load_collection: no data', { exact: false }).waitFor();
    }],
    ['settings', async () => { await goTo(page, 'Settings'); await page.getByText('Warn before a login expires').waitFor(); }],
  ];
}

/** The parts of the window wider than their box (`scrollWidth > clientWidth`): the page itself, its scroller and the page shown. */
function sidewaysScroll(w: WindowHarness): Promise<string[]> {
  return inPage<string[]>(w.page, `[document.documentElement, document.body, document.querySelector('main'), document.querySelector('main > section.page:not([hidden])'), ...document.querySelectorAll('.card, .panel, .job')]
    .filter((el) => el && el.scrollWidth > el.clientWidth)
    .map((el) => (el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' ' + el.scrollWidth + '>' + el.clientWidth))`);
}
