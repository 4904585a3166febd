/**
 * The Jobs page on canned data: fifty jobs a page at a time by the backend's `limit` and `next`,
 * a 120-character snake_case title, search and status filter, Details / Hide, one retry action at
 * a time, only the facts the backend gave, and the running jobs asked about again on a page clock,
 * less often while nothing changes, and not at all once the page is left.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { BatchJob } from '../../src/shared/api.ts';
import { goTo, inPage, waitFor } from './harness.ts';
import { shownPage, useBrowser, withWindow } from './canned.ts';
import { LONG_TITLE, MANY_JOBS, PERSONAL, ROBOT, fail } from './sample-window.ts';

const browser = useBrowser();
const jobRow = (page: Page, title: string) => page.locator('.job').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

describe('jobs at scale', () => {
  test('fifty jobs, twenty at a time through the backend\'s next link; the long title wraps inside its card', async () => {
    await withWindow(browser(), [PERSONAL], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'jobs', identityId: PERSONAL.id });
      const main = shownPage(page);
      await main.getByText('20 jobs loaded; the backend has more').waitFor();
      assert.equal(await main.locator('.job').count(), 20);
      await main.getByRole('button', { name: 'Load more jobs' }).click();
      await main.getByText('40 jobs loaded; the backend has more').waitFor();
      await main.getByRole('button', { name: 'Load more jobs' }).click();
      await main.getByText('50 jobs', { exact: true }).waitFor();
      await page.getByText('Loaded 10 more jobs; that is all of them.').waitFor();
      assert.equal(await main.getByRole('button', { name: 'Load more jobs' }).isHidden(), true);
      assert.deepEqual(w.calls.filter((c) => c.method === 'listJobs').map((c) => c.args[1]), [
        { limit: 20 },
        { limit: 20, next: 'https://openeo.dataspace.copernicus.eu/openeo/1.2/jobs?limit=20&offset=20' },
        { limit: 20, next: 'https://openeo.dataspace.copernicus.eu/openeo/1.2/jobs?limit=20&offset=40' },
      ]);
      const long = jobRow(page, LONG_TITLE);
      const [card, title, pill] = await Promise.all([long.boundingBox(), long.getByRole('heading').boundingBox(), long.locator('.pill').boundingBox()]);
      assert.ok(card && title && pill);
      assert.ok(title.x + title.width <= pill.x, 'the title ends before its status');
      assert.ok(pill.x + pill.width <= card.x + card.width, 'the status is inside the card');
      assert.ok(card.x + card.width <= 420, 'the card is inside the window');
    }, { jobs: MANY_JOBS, viewport: { width: 420, height: 700 } });
  });

  test('statuses in words like the account states; only the facts the backend gave; "1 credit"', async () => {
    await withWindow(browser(), [PERSONAL], async (w) => {
      await w.pushNavigate({ page: 'jobs', identityId: PERSONAL.id });
      const main = shownPage(w.page);
      await main.locator('.job').first().waitFor();
      assert.deepEqual((await main.locator('.job .pill').allInnerTexts()).slice(0, 5), ['Running', 'Running', 'Finished', 'Failed', 'Cancelled']);
      const text = await main.innerText();
      assert.doesNotMatch(text, /not given|Costs:\s*$/m, 'no fact the backend did not give');
      assert.doesNotMatch(text, /\b1 credits\b/);
      assert.match(await jobRow(w.page, 'Weekly mosaic 45').innerText(), /Costs\s*1 credit$/m);
      assert.match(await jobRow(w.page, 'Sentinel-1 backscatter').innerText(), /Progress\s*42 %/);
      assert.doesNotMatch(await jobRow(w.page, 'Sentinel-1 backscatter').innerText(), /Costs/, 'a running job has no costs yet');
    }, { jobs: MANY_JOBS });
  });

  test('search by title or id, filter by status; nothing found says so and offers the way back', async () => {
    await withWindow(browser(), [PERSONAL], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'jobs', identityId: PERSONAL.id });
      const main = shownPage(page);
      await main.locator('.job').first().waitFor();
      const status = page.getByLabel('Status');
      assert.deepEqual(await status.locator('option').allInnerTexts(),
        ['All statuses (20)', 'Running or queued (6)', 'Finished (7)', 'Failed (3)', 'Cancelled (3)', 'Not started (1)']);
      await status.selectOption('error');
      assert.deepEqual(await main.locator('.job .pill').allInnerTexts(), ['Failed', 'Failed', 'Failed']);
      await main.getByText('3 of 20 jobs loaded; the backend has more').waitFor();
      await status.selectOption('all');
      const search = page.getByRole('searchbox', { name: 'Search' });
      await search.fill('MOSAIC 4');
      assert.deepEqual(await main.locator('.job h3').allInnerTexts(), ['Weekly mosaic 45', 'Weekly mosaic 44', 'Weekly mosaic 43', 'Weekly mosaic 42', 'Weekly mosaic 41', 'Weekly mosaic 40']);
      await search.fill('j-2511280812c');
      assert.deepEqual(await main.locator('.job-head code').allInnerTexts(), ['j-2511280812c'], 'by id');
      await search.fill('no such job');
      await main.getByRole('heading', { name: 'No job matches' }).waitFor();
      await main.getByRole('button', { name: 'Show all jobs' }).click();
      assert.equal(await main.locator('.job').count(), 20);
      assert.equal(await search.inputValue(), '');
    }, { jobs: MANY_JOBS });
  });

  test('Details turns into Hide details and back; a failure offers one Try again', async () => {
    let failures = 1;
    await withWindow(browser(), [ROBOT], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'jobs', identityId: ROBOT.id });
      const ndvi = jobRow(page, 'NDVI composite Flanders');
      const toggle = ndvi.getByRole('button', { name: 'Details' });
      await toggle.click();
      const hide = ndvi.getByRole('button', { name: 'Hide details' });
      assert.equal(await hide.getAttribute('aria-expanded'), 'true');
      const retry = ndvi.getByRole('alert').getByRole('button', { name: 'Try again' });
      await retry.click();
      await ndvi.getByText('Result written: openEO.tif (148 MB).').waitFor();
      assert.equal(await page.getByRole('button', { name: /^(Try again|Reload)$/ }).count(), 0, 'no retry left once it worked');
      await hide.click();
      assert.equal(await ndvi.getByRole('button', { name: 'Details' }).getAttribute('aria-expanded'), 'false');
      assert.equal(await ndvi.locator('.job-details-slot').isHidden(), true);
    }, {
      edit: (api) => {
        const read = api.getJob.bind(api);
        api.getJob = (id, jobId) => (failures-- > 0 ? Promise.resolve(fail('BACKEND_UNREACHABLE', 'The backend did not answer.', 'Try again in a moment.')) : read(id, jobId));
      },
    });
  });

  test('the list cannot be read: one retry action (Try again), not Refresh beside it', async () => {
    let down = true;
    await withWindow(browser(), [ROBOT], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'jobs', identityId: ROBOT.id });
      const main = shownPage(page);
      await main.getByRole('alert').getByText('Maintenance.').waitFor();
      assert.deepEqual(await main.locator('button:not(.switcher)').filter({ visible: true }).allInnerTexts(), ['Try again'], 'one retry action');
      assert.equal(await page.getByRole('button', { name: 'Refresh', exact: true }).isVisible(), false, 'no Refresh beside it');
      down = false;
      await main.getByRole('button', { name: 'Try again' }).click();
      await main.locator('.job').first().waitFor();
      assert.equal(await page.getByRole('button', { name: 'Refresh', exact: true }).isVisible(), true, 'Refresh once there is a list');
    }, {
      edit: (api) => {
        const list = api.listJobs.bind(api);
        api.listJobs = (id, page) => (down ? Promise.resolve(fail('BACKEND_ERROR', 'Maintenance.')) : list(id, page));
      },
    });
  });

  test('running jobs are asked about again while the page shows: 10 s, then slower; a change starts over; none once the page is left', async () => {
    const asked: number[] = [];
    await withWindow(browser(), [PERSONAL], async (w) => {
      const { page } = w;
      await w.pushNavigate({ page: 'jobs', identityId: PERSONAL.id });
      const running = jobRow(page, 'Sentinel-1 backscatter');
      await running.waitFor();
      const calls = () => w.calls.filter((c) => c.method === 'refreshJobs');
      const start = await inPage<number>(page, 'Date.now()');
      const tick = async (ms: number, n: number) => {
        await page.clock.runFor(ms);
        await waitFor(`refresh ${n}`, () => calls().length === n);
        asked.push(Math.round(((await inPage<number>(page, 'Date.now()')) - start) / 1000));
      };
      await tick(10_000, 1);
      assert.deepEqual(calls()[0]?.args, [PERSONAL.id, RUNNING_ON_FIRST_PAGE], 'the running and queued jobs shown, in one request');
      await waitFor('the new progress shown', async () => /Progress\s*50 %/.test(await running.innerText()));
      await tick(10_000, 2); // a change: 10 s again
      await tick(15_000, 3); // nothing changed: 15 s
      await tick(22_500, 4);
      await goTo(page, 'Accounts');
      await page.clock.runFor(300_000);
      assert.equal(calls().length, 4, 'not while the page is not shown');
      assert.deepEqual(asked, [10, 20, 35, 58]);
    }, {
      controlledClock: true, jobs: MANY_JOBS,
      edit: (api) => {
        // Sentinel-1 is at 50 % now (42 % when listed): the first answer is a change, the later ones are not.
        api.refreshJobs = async (_id, ids) => {
          const jobs = MANY_JOBS.filter((j) => ids.includes(j.id)).map((j): BatchJob => (j.id === 'j-2511291002b' ? { ...j, progress: 50 } : j));
          return { ok: true, value: { jobs } };
        };
      },
    });
  });
});

/** The running or queued jobs of the first page. */
const RUNNING_ON_FIRST_PAGE = MANY_JOBS.slice(0, 20).filter((j) => j.status === 'running' || j.status === 'queued').map((j) => j.id);
