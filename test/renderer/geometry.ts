/**
 * The geometry check for the window's pages (test/renderer/page/layout-probe.ts, bundled once and
 * run in the page): nothing outside the viewport, no sideways scroll, no text cut or split
 * mid-word, nothing overlapping, popups inside the window. An empty list means the page is sound.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';

const probeFile = fileURLToPath(new URL('./page/layout-probe.ts', import.meta.url));
let probe: Promise<string> | undefined;

function probeSource(): Promise<string> {
  probe ??= build({
    entryPoints: [join(probeFile)], bundle: true, format: 'iife', platform: 'browser', target: 'chrome130', write: false, logLevel: 'silent',
  }).then((out) => out.outputFiles[0]!.text);
  return probe;
}

/** Every layout problem of the page as it is now (after fonts have loaded and layout settled). */
export async function layoutProblems(page: Page): Promise<string[]> {
  await page.evaluate(await probeSource());
  await page.evaluate('document.fonts.ready');
  // Two frames: whatever a resize or an open menu placed is laid out before it is measured.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  return page.evaluate<string[]>('window.__layoutProblems()');
}
