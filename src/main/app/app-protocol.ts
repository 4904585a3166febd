/**
 * The window's page comes from our own `app://openeo-auth-tray/` scheme, not from `file://`
 * (Electron's security checklist, "avoid usage of the file protocol"): a page on `file://` may
 * read any file the user can, and the `grantFileProtocolExtraPrivileges` fuse (switched off in
 * electron-builder.yml) gives it more. This scheme serves the built renderer folder and nothing
 * else, read-only, with the page's security headers — the Content-Security-Policy included as a
 * header, so that `frame-ancestors 'none'` (ignored in a `<meta>` policy) holds.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import type { Logger } from '../core/log.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'openeo-auth-tray';
/** The window's page. */
export const PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Registered before the app is ready: a standard scheme (relative URLs and an origin of its
 * own, like https) and a secure context. No fetch, CORS, service workers or CSP bypass.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = { scheme: APP_SCHEME, privileges: { standard: true, secure: true } };

/** The page's policy; index.html repeats it (less frame-ancestors) in a <meta> for any other host. */
export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'none'",
  "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** What the renderer folder holds and the page loads; anything else is not served. */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

const HEADERS = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

function refused(status: 404 | 405): Response {
  return new Response(status === 404 ? 'Not found' : 'Method not allowed', { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...HEADERS } });
}

/**
 * The answer to one request on the scheme: a file of `rendererDir` with a known type, or 404.
 * Paths are decoded and resolved first; a path that leaves the folder (`..`, encoded slashes or
 * dots, a NUL) is not found.
 */
export async function appFileResponse(request: Pick<Request, 'url' | 'method'>, rendererDir: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refused(405);
  let url: URL;
  let path: string;
  try {
    url = new URL(request.url);
    path = decodeURIComponent(url.pathname);
  } catch {
    return refused(404);
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) return refused(404);
  if (path.includes('\0') || path.includes('\\')) return refused(404);
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
  const type = TYPES[extname(file).toLowerCase()];
  if (!file.startsWith(root + sep) || type === undefined) return refused(404);
  try {
    if (!(await stat(file)).isFile()) return refused(404);
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, { status: 200, headers: { 'content-type': type, ...HEADERS } });
  } catch {
    return refused(404);
  }
}

/** Before `ready`: the scheme's privileges (Electron allows this only once, before the app is ready). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

/** After `ready`: serves `rendererDir` on the scheme (the default session, which the window uses). */
export function serveAppFiles(protocol: Pick<Protocol, 'handle'>, rendererDir: string, log: Logger): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const response = await appFileResponse(request, rendererDir);
    if (response.status !== 200) log('warn', `The window asked for ${request.method} ${request.url.slice(0, 200)}, which is not served (${response.status}).`);
    return response;
  });
}
