/**
 * The window in real Chromium: dist/renderer served over loopback HTTP (so the CSP's 'self'
 * means what it means in the app), the real preload bridge installed in the page, and every
 * request forwarded to a Node-side `OpenEoAuthApi` through the same guards main uses.
 */
import { createServer, type Server } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { IdentityStatus, Navigation, OpenEoAuthApi } from '../../src/shared/api.ts';
import { methodForChannel, PUSH_CHANNELS, type InvokeMethod } from '../../src/shared/channels.ts';
import { guardArgs } from '../../src/shared/guards.ts';

const root = new URL('../../', import.meta.url).pathname;
export const RENDERER_DIR = join(root, 'dist/renderer');
export const SCREENSHOT_DIR = join(root, 'test-output/screenshots');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium, headless, with its background chatter off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** Serves `dir` read-only on 127.0.0.1, port 0. */
async function serveStatic(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(dir, path || 'index.html');
    if (req.method !== 'GET' || !file.startsWith(dir + sep)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, origin: `http://127.0.0.1:${address.port}` };
}

let bridgeScript: Promise<string> | undefined;
/** The page-side bridge (test/renderer/page/bridge-entry.ts), bundled once per process. */
function pageBridge(): Promise<string> {
  bridgeScript ??= build({
    entryPoints: [join(root, 'test/renderer/page/bridge-entry.ts')], bundle: true, format: 'iife', platform: 'browser',
    target: 'chrome130', write: false, logLevel: 'silent',
  }).then((out) => out.outputFiles[0]!.text);
  return bridgeScript;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface WindowOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Pins the page's Date.now (timers keep running), for stable screenshots. */
  fixedTime?: number;
  /** Installs Playwright's page clock (time flows as usual until a test moves it with `page.clock`). */
  controlledClock?: boolean;
}

export interface WindowHarness {
  page: Page;
  context: BrowserContext;
  url: string;
  /** Requests the API received, after the guards, with the answer once there is one. */
  calls: Array<{ method: InvokeMethod; args: unknown[]; answer?: unknown }>;
  /** Requests the guards refused. */
  refused: Array<{ channel: unknown; reason: string }>;
  /** Console errors and warnings, uncaught page errors (a CSP violation shows up here). */
  consoleProblems: string[];
  /** Requests to anything but loopback, blocked. */
  blockedRequests: string[];
  pushIdentities(identities: IdentityStatus[]): Promise<void>;
  pushNavigate(to: Navigation): Promise<void>;
  close(): Promise<void>;
}

/** Opens the built window in a fresh browser context, bridged to `api`. */
export async function openWindow(browser: Browser, api: OpenEoAuthApi, options: WindowOptions = {}): Promise<WindowHarness> {
  if (!existsSync(join(RENDERER_DIR, 'app.js'))) {
    throw new Error('dist/renderer/app.js is missing: run `node scripts/build.mjs` first (npm test does).');
  }
  const { server, origin } = await serveStatic(RENDERER_DIR);
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light', locale: 'en-GB', timezoneId: 'UTC',
    viewport: options.viewport ?? { width: 920, height: 680 }, reducedMotion: 'reduce',
  });
  const calls: WindowHarness['calls'] = [];
  const refused: WindowHarness['refused'] = [];
  const consoleProblems: string[] = [];
  const blockedRequests: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK.has(url.hostname)) return route.continue();
    blockedRequests.push(url.href);
    return route.abort('blockedbyclient');
  });

  async function dispatch(channel: unknown, args: unknown): Promise<unknown> {
    const method = methodForChannel(channel);
    const guarded = method ? guardArgs(method, args) : { ok: false as const, reason: 'unknown channel' };
    if (!method || !guarded.ok) {
      refused.push({ channel, reason: guarded.ok ? '' : guarded.reason });
      return { ok: false, code: 'INVALID_ARGUMENT', message: 'The app refused a malformed request from the window.' };
    }
    const call: WindowHarness['calls'][number] = { method, args: guarded.args };
    calls.push(call);
    try {
      call.answer = await (api[method] as (...a: unknown[]) => Promise<unknown>)(...guarded.args);
      return call.answer;
    } catch (e) {
      consoleProblems.push(`API ${method} threw: ${String(e)}`);
      return { ok: false, code: 'INTERNAL', message: 'Something unexpected went wrong.' };
    }
  }
  await context.exposeBinding('__openeoIpcInvoke', (_source, channel: unknown, args: unknown) => dispatch(channel, args));
  await context.addInitScript({ content: await pageBridge() });

  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') consoleProblems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
  if (options.controlledClock) await page.clock.install();
  if (options.fixedTime !== undefined) await page.clock.setFixedTime(options.fixedTime);

  const push = async (channel: string, payload: unknown): Promise<void> => {
    if (page.isClosed()) return;
    await page.evaluate(([c, p]) => (globalThis as unknown as { __openeoIpcPush(c: string, p: unknown): number }).__openeoIpcPush(c, p), [channel, payload] as [string, unknown])
      .catch(() => undefined);
  };
  const unsubscribe = [
    api.onIdentitiesChanged((identities) => void push(PUSH_CHANNELS.identitiesChanged, identities)),
    api.onNavigate((to) => void push(PUSH_CHANNELS.navigate, to)),
  ];

  const url = `${origin}/index.html`;
  await page.goto(url);
  await page.locator('#nav button').first().waitFor();
  return {
    page, context, url, calls, refused, consoleProblems, blockedRequests,
    pushIdentities: (identities) => push(PUSH_CHANNELS.identitiesChanged, identities),
    pushNavigate: (to) => push(PUSH_CHANNELS.navigate, to),
    async close() {
      for (const off of unsubscribe) off();
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Goes to a page through the navigation, as a user would. */
export async function goTo(page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: title, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).filter({ visible: true }).first().waitFor();
}

let axeSource: Promise<string> | undefined;
export interface AxeViolation { id: string; impact: string | null; help: string; targets: string[] }

/** axe-core on the current page; evaluated over the DevTools protocol, so the page's CSP stays as it is. */
export async function axeScan(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  await page.evaluate(source);
  // A string, not a function: this runs in the page, where `axe` and `document` exist.
  return page.evaluate<AxeViolation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) =>
    ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`);
}

/** Only the violations that block a release: serious and critical. */
export function seriousOnly(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Writes a screenshot of the window to test-output/screenshots/<name>.png (or `dir`). The window is made as
 * tall as its content for the picture (the content scrolls inside <main>), and a passing
 * "Copied …" toast is cleared so it does not cover the page.
 */
export async function screenshot(page: Page, name: string, dir = SCREENSHOT_DIR): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  const viewport = page.viewportSize() ?? { width: 920, height: 680 };
  await inPage(page, "document.getElementById('announcer')?.classList.remove('shown')");
  // <main> scrolls; in a narrow window the navigation bar sits above it.
  const contentHeight = await inPage<number>(page, "(() => { const m = document.querySelector('main'); return Math.ceil(m.getBoundingClientRect().top + m.scrollHeight); })()");
  await page.setViewportSize({ width: viewport.width, height: Math.min(2400, Math.max(viewport.height, contentHeight)) });
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  await page.setViewportSize(viewport);
  return path;
}

/** Evaluates a JavaScript expression in the page (a string: the test's type checker has no DOM). */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/** Waits until `check` holds, or fails with `what` after `ms` (no fixed sleeps in tests). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
