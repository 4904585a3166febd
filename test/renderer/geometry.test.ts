/**
 * The geometry check itself (geometry.ts), in real Chromium on small pages made to be broken in
 * one way each: a check that passes on a broken layout proves nothing. The first case is the
 * Jobs page as it was before issue 21 (a snake_case title in an h3 with `overflow-wrap:
 * break-word` beside its status pill, in a <main> that hides its sideways overflow).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './harness.ts';
import { layoutProblems } from './geometry.ts';

let browser: Browser;
let page: Page;
before(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 420, height: 700 } });
});
after(async () => { await browser?.close(); });

const TITLE = 'sentinel2_l2a_ndvi_composite_flanders_2024_growing_season_cloud_masked_tiles_31UFS_31UES_31UET_mosaic_v3_reprocessed_v12';
const BASE = '<style>body{margin:0;font:14px/1.45 sans-serif} main{overflow-x:hidden;overflow-y:auto;height:100vh;padding:8px;box-sizing:border-box}</style>';

async function problemsOf(html: string): Promise<string[]> {
  await page.setContent(`${BASE}${html}`);
  return layoutProblems(page);
}

const kinds = (problems: string[]): string[] => [...new Set(problems.map((p) => p.split(':')[0]!))].sort();

describe('the geometry check finds what is broken', () => {
  test('the old Jobs card: a long title pushes the card and its pill past the window', async () => {
    const problems = await problemsOf(`<main><ul style="list-style:none;padding:0;display:grid;gap:10px">
      <li style="border:1px solid;padding:12px"><div style="display:flex;justify-content:space-between;gap:10px">
        <div><h3 style="overflow-wrap:break-word;margin:0">${TITLE}</h3></div><span style="white-space:nowrap">finished</span></div>
        <dl style="display:flex;gap:18px"><div style="display:flex"><dt>Costs:</dt><dd>not given</dd></div></dl></li></ul></main>`);
    assert.deepEqual(kinds(problems), ['clipped', 'outside'], problems.join('\n'));
    assert.ok(problems.some((p) => /text “finished” .* is beyond the window's width 420/.test(p)), 'the pill is off screen');
    assert.ok(problems.some((p) => /clipped: main .* hides \d+ px of its content sideways/.test(p)));
  });

  test('the same card laid out soundly: nothing to report', async () => {
    const words = TITLE.split(/(?<=_)/).join('<wbr>');
    const problems = await problemsOf(`<main><ul style="list-style:none;padding:0;display:grid;gap:10px">
      <li style="border:1px solid;padding:12px"><div style="display:grid;grid-template-columns:minmax(0,1fr) auto;gap:10px;align-items:start">
        <h3 style="overflow-wrap:anywhere;margin:0">${words}</h3><span style="white-space:nowrap">Finished</span></div></li></ul></main>`);
    assert.deepEqual(problems, []);
  });

  test('a word broken across two lines', async () => {
    const problems = await problemsOf(`<main><p style="overflow-wrap:anywhere;width:200px">${TITLE}</p></main>`);
    assert.deepEqual(kinds(problems), ['cut-word'], problems.join('\n'));
  });

  test('text over text', async () => {
    const problems = await problemsOf(`<main><div style="position:relative;height:60px"><span>Sign in again</span>
      <span style="position:absolute;left:30px;top:4px">Expires soon</span></div></main>`);
    assert.deepEqual(kinds(problems), ['overlap'], problems.join('\n'));
  });

  test('text over text further down the page, not scrolled into view yet', async () => {
    const problems = await problemsOf(`<main><div style="height:1500px"></div><div style="position:relative;height:60px"><span>Sign in again</span>
      <span style="position:absolute;left:30px;top:4px">Expires soon</span></div></main>`);
    assert.deepEqual(kinds(problems), ['overlap'], problems.join('\n'));
  });

  test('a menu past the right edge and below the bottom', async () => {
    const problems = await problemsOf(`<main><div role="menu" style="position:fixed;left:300px;top:660px;width:220px">
      <button role="menuitem">Refresh now</button><button role="menuitem">Sign out</button></div></main>`);
    assert.ok(problems.some((p) => /^outside: the open div .* is not inside the window 420×700/.test(p)), problems.join('\n'));
  });

  test('a choice wider than its <select>, a placeholder wider than its field, and an ellipsis', async () => {
    const problems = await problemsOf(`<main><select style="width:150px"><option>Copernicus (personal) · personal account · openeo.dataspace.copernicus.eu</option></select>
      <input style="width:150px" placeholder="Copernicus Data Space Ecosystem service account">
      <p style="width:60px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">Settings and more</p></main>`);
    assert.ok(problems.some((p) => /^clipped: the choice “Copernicus \(personal\)/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^clipped: p .* ends in an ellipsis/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^clipped: the placeholder “Copernicus Data Space Ecosystem service account”/.test(p)), problems.join('\n'));
  });

  test('a page that scrolls sideways', async () => {
    const problems = await problemsOf('<div style="width:600px;height:20px;background:gray"></div>');
    assert.ok(problems.some((p) => /^scroll: the window scrolls sideways \(600 > 420\)/.test(p)), problems.join('\n'));
  });

  test('a dialog against the window\'s edges, over a backdrop that barely dims', async () => {
    await page.setContent(`${BASE}<style>dialog{width:100%;max-width:440px;margin:0;box-sizing:border-box} dialog::backdrop{background:rgb(0 0 0 / 0.2)}</style>
      <dialog><h2>Sign out?</h2><button>Cancel</button></dialog>`);
    await page.evaluate('document.querySelector("dialog").showModal()');
    const problems = await layoutProblems(page);
    assert.ok(problems.some((p) => /^popup: dialog .* is 0 px from the window's side/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /^popup: the backdrop of dialog .* barely dims the page/.test(p)), problems.join('\n'));
  });
});
