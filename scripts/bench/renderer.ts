/**
 * The window's weight and first paint. Sizes of what dist/renderer ships (source maps
 * excluded); first contentful paint in Debian's Chromium (playwright-core), the page served over
 * loopback HTTP with `window.openeoAuth` stubbed to empty answers, so it renders its empty state.
 * Baseline: the first paint of a one-paragraph page from the same server, in the same browser.
 */
import { createServer } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { median } from './runs.ts';
import { root } from './setup.ts';
import { ms, type Row } from './table.ts';

const DIR = join(root, 'dist/renderer');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const BASELINE_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body><p>Hello</p></body></html>';

/** Every method answers like main with nothing to show: no identities, default settings. */
const STUB_BRIDGE = `(() => {
  const ok = (value) => Promise.resolve({ ok: true, value });
  const settings = { notificationsEnabled: true, warningThresholds: [604800, 86400, 3600], clipboardClearSeconds: 30, startAtLogin: false, pythonSync: false, theme: 'system' };
  const api = { listIdentities: () => ok([]), listJobs: () => ok([]), getSettings: () => ok(settings), onIdentitiesChanged: () => () => {}, onNavigate: () => () => {} };
  window.openeoAuth = new Proxy(api, { get: (t, k) => t[k] ?? (() => Promise.resolve({ ok: false, code: 'INTERNAL', message: 'bench stub' })) });
  // When the empty state is on screen: the frame after it entered the DOM.
  new MutationObserver((_, observer) => {
    if (!document.querySelector('.empty')) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__emptyStateDrawnAt = performance.now(); });
  }).observe(document, { childList: true, subtree: true });
})();`;

function bundleFiles(): string[] {
  return readdirSync(DIR).filter((f) => ['.js', '.css'].includes(extname(f)) || f === 'index.html').sort();
}

export function bundleRow(): Row {
  let raw = 0;
  let gz = 0;
  const parts: string[] = [];
  for (const f of bundleFiles()) {
    const body = readFileSync(join(DIR, f));
    const zipped = gzipSync(body).length;
    raw += body.length;
    gz += zipped;
    parts.push(`${f} ${(zipped / 1024).toFixed(1)}`);
  }
  return {
    measure: 'renderer bundle (dist/renderer *.js + *.css + index.html, no maps)',
    value: `${(gz / 1024).toFixed(1)} KiB gzip (${parts.join(', ')} KiB), ${(raw / 1024).toFixed(1)} KiB raw`,
    baseline: '—',
    ratioTarget: 'no target (reported)',
    verdict: 'info',
  };
}

async function serve(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    if (name === 'baseline.html') return void res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' }).end(BASELINE_PAGE);
    if (!bundleFiles().includes(name)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(readFileSync(join(DIR, name)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * First contentful paint of `url` in a fresh context, and when the empty state was drawn (app
 * page only); `ready` must appear before they are read.
 */
async function firstPaint(browser: Browser, url: string, ready: string): Promise<{ fcp: number; drawn: number | null }> {
  const context = await browser.newContext({ viewport: { width: 920, height: 680 } });
  try {
    await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
    await context.addInitScript({ content: STUB_BRIDGE });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.locator(ready).first().waitFor({ timeout: 10_000 });
    const handle = await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime, undefined, { timeout: 10_000 });
    const fcp = (await handle.jsonValue()) as number;
    const drawn = await page.evaluate(() => (globalThis as { __emptyStateDrawnAt?: number }).__emptyStateDrawnAt ?? null);
    if (problems.length) throw new Error(`the page failed: ${problems.join('; ')}`);
    return { fcp, drawn };
  } finally {
    await context.close();
  }
}

export async function firstPaintRow(runs: number): Promise<Row> {
  const server = await serve();
  // The page needs no D-Bus: keep Chromium off the bench's private session bus (it would start an
  // accessibility bus there, and say so on stderr).
  const env = { ...process.env };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, env });
  try {
    const app: number[] = [];
    const drawn: number[] = [];
    const base: number[] = [];
    await firstPaint(browser, `${server.origin}/index.html`, 'text=No accounts yet'); // warm-up
    for (let i = 0; i < runs; i++) {
      const run = await firstPaint(browser, `${server.origin}/index.html`, 'text=No accounts yet');
      app.push(run.fcp);
      if (run.drawn !== null) drawn.push(run.drawn);
      base.push((await firstPaint(browser, `${server.origin}/baseline.html`, 'p')).fcp);
    }
    const a = median(app);
    const b = median(base);
    return {
      measure: 'window first contentful paint, empty state (Chromium headless)',
      value: `${ms(a)} (min ${ms(Math.min(...app))}, max ${ms(Math.max(...app))}, n=${runs}); empty state drawn at ${drawn.length ? ms(median(drawn)) : 'n/a'}`,
      baseline: `one-paragraph page: ${ms(b)}`,
      ratioTarget: `${(a / b).toFixed(2)}× / no target (reported)`,
      verdict: 'info',
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
