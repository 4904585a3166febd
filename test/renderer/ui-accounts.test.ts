/**
 * The Accounts page on canned data with a pinned clock: one compact row per account that says when
 * to act, details and rare actions in place, rename, the Copy and More menus, scripts, forwards.
 * Every scenario that the real core can reach quickly runs on it too, in window.test.ts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { goTo, inPage, waitFor } from './harness.ts';
import { openDetails, rowOf, useBrowser, withWindow } from './canned.ts';
import { ALL_STATES, EXPIRED, LONG, LONG_FAILING, LONG_SCRIPT_NAME, PERSONAL, ROBOT, SOON, T0, fail, status } from './sample-window.ts';

const browser = useBrowser();

describe('accounts as a compact list', () => {
  test('eight accounts in all eight states: each one row, one line that says when to act, one action', async () => {
    await withWindow(browser(), ALL_STATES, async ({ page }) => {
      await rowOf(page, PERSONAL.label).waitFor();
      const rows = await page.locator('.account').evaluateAll((els) => els.map((el) => [
        el.querySelector('h2')?.textContent, el.querySelector('.account-state')?.textContent,
        [...el.querySelectorAll('.account-actions > button, .account-actions > .menu-wrap > button')].map((b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim()),
      ]));
      assert.deepEqual(rows.map(([name, line]) => [name, line]), [
        [PERSONAL.label, 'Signed in · renews itself until 12 Dec'],
        ['Terrascope', 'Sign in again within 3 days'],
        [EXPIRED.label, 'Ended — sign in again'],
        ['EODC', 'No connection since 09:42 — retrying by itself'],
        ['Copernicus (laptop)', 'Keychain locked — unlock it to continue'],
        [LONG.label, 'Getting tokens fails — try again, or give it a new secret'],
        ['Sentinel Hub', 'Signing in — finish it on the sign-in page'],
        ['Copernicus (old laptop)', 'Signed out — sign in again to use it'],
      ]);
      assert.deepEqual(rows.map(([, , buttons]) => (buttons as string[])[0]), [
        `Copy a token of ${PERSONAL.label}`, 'Sign in again', 'Sign in again', 'Try again now', 'Try again now', 'Try again now', 'Show the sign-in', 'Sign in again',
      ]);
      for (const [name, , buttons] of rows) assert.equal((buttons as string[])[1], `Details of ${name as string}`);
      assert.equal(await page.locator('.account-details:not([hidden])').count(), 0, 'closed until asked');
      assert.equal(await page.getByText(/valid for|offline login/).count(), 0, 'no ticking countdown, no "offline" for a login kind');
      assert.equal(await page.getByRole('button', { name: '+ Add account' }).count(), 0, 'the Add tab is the one way to add');
    });
  });

  test('six or more accounts fit in 900 × 700', async () => {
    await withWindow(browser(), [...ALL_STATES, ROBOT], async ({ page }) => {
      await rowOf(page, PERSONAL.label).waitFor();
      const fit = await inPage<number>(page, "[...document.querySelectorAll('.account')].filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length");
      assert.ok(fit >= 6, `${fit} accounts fit whole`);
    }, { viewport: { width: 900, height: 700 } });
  });

  test('details in place: who, the login\'s end with its own date, the last renewal, scripts; the rare actions under More', async () => {
    await withWindow(browser(), [PERSONAL, SOON, EXPIRED], async ({ page }) => {
      const personal = await openDetails(page, PERSONAL.label);
      const text = await personal.locator('.account-details').innerText();
      assert.match(text, /User ID\s+5c3f2a1e-8d4b-4c1a-9a7e-2f6b1c0d9e8f/);
      assert.match(text, /Login\s+Renews itself until 12 Dec 2025, 12:00 \(in 13 days\); then sign in again\./);
      assert.match(text, /Last renewed\s+09:12 \(48 minutes ago\)/);
      assert.match(text, /Scripts\s+Used by scripts: 14 times in the last hour, last by “python \(my_job\.py\)” \(unverified name\) at 09:02/);
      const soon = await openDetails(page, 'Terrascope');
      assert.match(await soon.locator('.account-details').innerText(),
        /Login\s+Ends if unused by 19:00; each use moves that on, and this app uses it in time while it runs\. At the latest 2 Dec 2025, 15:00 \(in 3 days\); then sign in again\./,
        'the date after "at the latest" is the maximum');
      const expired = await openDetails(page, EXPIRED.label);
      const ended = await expired.locator('.account-details').innerText();
      assert.match(ended, /This login ended on 27 Nov 2025, 10:00\./);
      assert.doesNotMatch(ended, /Login|Last renewed/, 'no facts of a login that has ended');
      await page.getByRole('button', { name: `More actions for ${PERSONAL.label}` }).click();
      assert.deepEqual(await page.getByRole('menuitem').allInnerTexts(), ['Rename…', 'Refresh now', 'Sign in again', 'Sign out']);
      await page.keyboard.press('Escape');
      // The values line up: one column for every account's facts.
      const xs = await page.locator('.account-details:not([hidden]) dd:first-of-type').evaluateAll((dds) => dds.map((d) => Math.round(d.getBoundingClientRect().left)));
      assert.equal(new Set(xs).size, 1, `values start at ${xs.join(', ')}`);
      await page.getByRole('button', { name: `Hide the details of ${PERSONAL.label}` }).click();
      assert.equal(await personal.locator('.account-details').isHidden(), true);
    }, { viewport: { width: 920, height: 900 } });
  });

  test('the Copy menu says what each way of copying gives; copying goes through main, never the page', async () => {
    await withWindow(browser(), [PERSONAL], async (w) => {
      const { page } = w;
      await page.getByRole('button', { name: `Copy a token of ${PERSONAL.label}` }).click();
      const items = page.getByRole('menuitem');
      assert.deepEqual(await items.evaluateAll((els) => els.map((el) => [el.querySelector('.menu-label')?.textContent, el.querySelector('.menu-hint')?.textContent])), [
        ['Access token', 'The token alone, for tools that add “Bearer” themselves'],
        ['openEO bearer token', 'What openEO clients send after “Bearer”'],
        ['Authorization header', 'The whole “Authorization: Bearer …” line, for curl -H'],
        ['Python snippet', 'Code that connects with this login; its token renews itself'],
        ['Refresh token…', 'Signs in as you until it ends; asks first'],
      ]);
      await page.getByRole('menuitem', { name: /^openEO bearer token/ }).click();
      await page.getByText('Copied the openEO bearer token. The clipboard is cleared in 30 seconds.').waitFor();
      assert.deepEqual(w.calls.filter((c) => c.method === 'copy').map((c) => c.args), [[PERSONAL.id, 'bearer']]);
    });
  });

  test('rename in place: saved, said, and a name another account has is refused under the field', async () => {
    await withWindow(browser(), [PERSONAL, ROBOT], async (w) => {
      const { page } = w;
      await openDetails(page, ROBOT.label);
      await page.getByRole('button', { name: `More actions for ${ROBOT.label}` }).click();
      await page.getByRole('menuitem', { name: 'Rename…' }).click();
      const field = page.getByRole('textbox', { name: 'New name' });
      await waitFor('focus in the name field', async () => (await inPage<string>(page, 'document.activeElement?.getAttribute("data-focus-key")')) === `${ROBOT.id}:rename-input`);
      assert.equal(await field.inputValue(), ROBOT.label);
      await field.fill('copernicus (PERSONAL)');
      await page.getByRole('button', { name: 'Save name' }).click();
      const problem = page.locator('.rename-form').getByRole('alert');
      await problem.getByText(`Another login is already called “${PERSONAL.label}”.`).waitFor();
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.ok((await field.getAttribute('aria-describedby'))?.includes(await problem.locator('..').getAttribute('id') ?? '-'), 'the field is described by its problem');
      await field.fill('  Nightly robot ');
      await field.press('Enter');
      await rowOf(page, 'Nightly robot').waitFor();
      await page.getByText(`Renamed “${ROBOT.label}” to “Nightly robot”.`).waitFor();
      assert.equal(await page.locator('.rename-form').count(), 0);
      assert.deepEqual(w.calls.filter((c) => c.method === 'renameIdentity').map((c) => c.args), [[ROBOT.id, 'copernicus (PERSONAL)'], [ROBOT.id, 'Nightly robot']]);
      assert.equal(await inPage<string>(page, 'document.activeElement?.getAttribute("data-focus-key")'), `${ROBOT.id}:details`, 'focus back on the row');
    });
  });

  test('a failed action is said on the row itself, details closed or not; a try that works takes it away', async () => {
    let tries = 0;
    await withWindow(browser(), [LONG_FAILING, PERSONAL], async (w) => {
      const { page } = w;
      const row = rowOf(page, LONG_FAILING.label);
      await row.getByRole('button', { name: 'Try again now' }).click();
      await row.getByRole('alert').getByText('The identity provider refused the client secret.').waitFor();
      assert.equal(await row.locator('.account-details').isHidden(), true, 'said without opening the details');
      await row.getByRole('button', { name: 'Try again now' }).click();
      await page.getByText(`Refreshed ${LONG_FAILING.label}.`).waitFor();
      assert.equal(await row.getByRole('alert').count(), 0);
      assert.equal(tries, 2);
    }, {
      edit: (api) => {
        const refresh = api.refreshNow.bind(api);
        api.refreshNow = (id) => (++tries === 1 ? Promise.resolve(fail('CLIENT_CREDENTIALS_REFUSED', 'The identity provider refused the client secret.', 'Sign in again with a new secret.')) : refresh(id));
      },
    });
  });

  test('empty state explains what to do first and leads to Add account', async () => {
    await withWindow(browser(), [], async ({ page }) => {
      await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();
      await page.getByRole('button', { name: 'Add your first account' }).click();
      await page.getByRole('heading', { name: 'Add account', level: 1 }).waitFor();
      assert.equal(await inPage<string>(page, 'document.activeElement?.textContent'), 'Add account');
    });
  });

  test('a confirmation sits in the status bar below the page, covers nothing, and does not follow to the next page', async () => {
    await withWindow(browser(), [PERSONAL, ROBOT], async (w) => {
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
});

describe('scripts and remote machines', () => {
  test('scripts in the details: their use in one line, the name marked unverified; the two settings save at once', async () => {
    await withWindow(browser(), [PERSONAL, ROBOT, LONG], async (w) => {
      const { page } = w;
      const personal = await openDetails(page, PERSONAL.label);
      const robot = await openDetails(page, ROBOT.label);
      const long = await openDetails(page, LONG.label);
      assert.equal(await personal.locator('.script-use').innerText(),
        'Used by scripts: 14 times in the last hour, last by “python (my_job.py)” (unverified name) at 09:02');
      assert.equal(await robot.locator('.script-use').innerText(), 'Not used by scripts yet');
      assert.equal(await long.locator('.script-use').innerText(),
        `Used by scripts: 1 time in the last hour, last by “${LONG_SCRIPT_NAME}” (unverified name) at 09:59`, 'a long name whole');
      const allowed = personal.getByRole('checkbox', { name: 'Scripts may use this login' });
      const ask = personal.getByRole('checkbox', { name: 'Ask before a new script uses it' });
      assert.deepEqual([await allowed.isChecked(), await ask.isChecked(), await ask.isEnabled()], [true, false, true]);
      assert.deepEqual([await robot.getByRole('checkbox', { name: 'Scripts may use this login' }).isChecked(), await robot.getByRole('checkbox', { name: 'Ask before a new script uses it' }).isChecked()], [true, true]);
      await ask.check();
      await page.getByText(`${PERSONAL.label} now asks before a new script uses it.`).waitFor();
      await allowed.uncheck();
      await page.getByText(`Scripts may no longer use ${PERSONAL.label}.`).waitFor();
      assert.equal(await ask.isDisabled(), true, 'nothing to ask about while scripts may not use it');
      assert.equal(await inPage<string>(page, 'document.activeElement?.getAttribute("data-focus-key")'), `${PERSONAL.id}:scripts:allowed`, 'focus stays on the box');
      await allowed.check();
      await page.getByText(`Scripts may now use ${PERSONAL.label}.`).waitFor();
      assert.deepEqual(w.calls.filter((c) => c.method === 'setScriptAccess').map((c) => c.args), [[PERSONAL.id, 'ask'], [PERSONAL.id, 'deny'], [PERSONAL.id, 'allow']]);
    });
  });

  test('a setting that could not be saved: the row says why, and the boxes show what is saved', async () => {
    await withWindow(browser(), [PERSONAL], async ({ page }) => {
      const row = await openDetails(page, PERSONAL.label);
      const allowed = row.getByRole('checkbox', { name: 'Scripts may use this login' });
      await allowed.uncheck();
      await row.getByRole('alert').getByText('The settings file could not be written.').waitFor();
      assert.equal(await allowed.isChecked(), true, 'back to what is saved');
    }, { edit: (api) => { api.setScriptAccess = () => Promise.resolve(fail('SETTINGS_WRITE_FAILED', 'The settings file could not be written.', 'Check that the disk is not full, then try again.')); } });
  });

  test('a count of the last hour is asked for again each minute while one is shown; not otherwise', async () => {
    for (const [rows, again] of [[[PERSONAL], true], [[ROBOT], false]] as const) {
      await withWindow(browser(), [...rows], async (w) => {
        await w.page.locator('.account').waitFor();
        const lists = () => w.calls.filter((c) => c.method === 'listIdentities').length;
        const before = lists();
        await w.page.clock.runFor(61_000);
        if (again) await waitFor('the list asked for again', () => lists() > before);
        else assert.equal(lists(), before, 'no count shown: nothing to ask again');
      }, { controlledClock: true });
    }
  });

  test('a script\'s name is text, never markup', async () => {
    const hostile = status({ id: 'evil-1', label: 'Evil', scripts: { access: 'allow', lastUseAt: T0 - 60_000, lastHint: '<img src=x onerror="document.title=1">&amp; <b>bold</b>', lastHour: 3 } });
    await withWindow(browser(), [hostile], async ({ page }) => {
      const row = await openDetails(page, 'Evil');
      assert.equal(await row.locator('.script-use').innerText(), 'Used by scripts: 3 times in the last hour, last by “<img src=x onerror="document.title=1">&amp; <b>bold</b>” (unverified name) at 09:59');
      assert.equal(await page.locator('.account img, .account b').count(), 0);
    });
  });

  test('remote machines: start a forward (logins and how long), copy its ssh command, stop it', async () => {
    await withWindow(browser(), [PERSONAL, ROBOT], async (w) => {
      const { page } = w;
      const panel = page.getByRole('region', { name: 'Remote machines' });
      await panel.getByText('No forwards: nothing on another computer can get your tokens.').waitFor();
      const start = panel.getByRole('button', { name: 'Forward to a remote machine…' });
      await start.click();
      await panel.getByRole('button', { name: 'Start forwarding' }).click();
      await panel.getByRole('alert').getByText('Choose at least one login to forward.').waitFor();
      assert.equal(w.calls.filter((c) => c.method === 'createForward').length, 0, 'nothing asked of the app');
      await panel.getByRole('group', { name: 'Logins to forward' }).getByLabel(PERSONAL.label).check();
      assert.equal(await panel.getByLabel('For how long').inputValue(), String(8 * 3600), '8 hours unless chosen otherwise');
      await panel.getByLabel('For how long').selectOption({ label: '1 hour' });
      await panel.getByRole('button', { name: 'Start forwarding' }).click();
      await panel.getByText('Forwarded: CDSE (Copernicus (personal)) until 11:00').waitFor();
      assert.deepEqual(w.calls.find((c) => c.method === 'createForward')?.args, [[PERSONAL.id], 3600]);
      const f = (w.calls.find((c) => c.method === 'createForward')?.answer as { value: { id: string; ssh: string } }).value;
      assert.equal((await panel.locator('code').innerText()).replace(/\s/g, ''), f.ssh.replace(/\s/g, ''));
      await panel.getByRole('button', { name: `Copy the ssh command of forward ${f.id}` }).click();
      await waitFor('the ssh command copied', () => w.calls.some((c) => c.method === 'copyText' && c.args[0] === f.ssh));
      await panel.getByRole('button', { name: 'Stop forwarding: CDSE (Copernicus (personal)) until 11:00' }).click();
      await panel.getByText('No forwards: nothing on another computer can get your tokens.').waitFor();
    });
  });
});
