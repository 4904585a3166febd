/**
 * What any web page in this app may do besides showing itself: nothing. The window never
 * navigates away from its own page, never opens another window, never embeds a <webview>, and is
 * granted no permission. A link to an `https:` page (or a loopback `http:` one) is handed to the
 * system browser instead. Every webContents the app ever creates gets these guards
 * (`app.on('web-contents-created')`), our window included.
 */
import type { Event, HandlerDetails, Session, WebContents, WindowOpenHandlerResponse } from 'electron';
import { isOpenableUrl } from '../core/external-url.ts';

/**
 * Whether `url` may be opened in the system browser: a parsed `https:` URL, or `http:` on a
 * loopback host, without user info — the core's rule (`isOpenableUrl`), so links, the window's
 * requests and the core's own `openExternal` agree.
 */
export function isSafeExternalUrl(url: unknown): url is string {
  return typeof url === 'string' && isOpenableUrl(url);
}

/**
 * Whether `url` is our own page (`pageUrl`, on the app's own scheme, see app-protocol.ts),
 * ignoring only the fragment: same scheme, host and path, no query string, no user info. Used
 * for both the IPC sender check and navigation.
 */
export function isOurPage(url: unknown, pageUrl: string): boolean {
  if (typeof url !== 'string') return false;
  let seen: URL;
  let ours: URL;
  try {
    seen = new URL(url);
    ours = new URL(pageUrl);
  } catch {
    return false;
  }
  if (seen.protocol !== ours.protocol || seen.host !== ours.host || seen.search !== '' || seen.username || seen.password) return false;
  // Compare decoded paths so different escapings of the same path cannot slip through either way.
  try {
    return decodeURIComponent(seen.pathname) === decodeURIComponent(ours.pathname);
  } catch {
    return false;
  }
}

/** Whether a webContents may navigate to `url`: only (re)loading our own page. */
export function isAllowedNavigation(url: unknown, pageUrl: string): boolean {
  return isOurPage(url, pageUrl);
}

/** The part of a webContents the guards use. */
export type GuardedContents = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

export interface WebGuardOptions {
  /** Our page's URL (app-protocol.ts PAGE_URL). */
  pageUrl: string;
  /** Opens a URL that passed {@link isSafeExternalUrl} in the system browser. */
  openExternal(url: string): void;
  log(message: string): void;
}

/** What the window-open handler answers: always deny; safe links go to the system browser. */
export function windowOpenResponse(details: Pick<HandlerDetails, 'url'>, opts: WebGuardOptions): WindowOpenHandlerResponse {
  if (isSafeExternalUrl(details.url)) opts.openExternal(details.url);
  else opts.log('Blocked a request to open a window on an address that is not https.');
  return { action: 'deny' };
}

/** Installs the guards on one webContents. */
export function guardWebContents(contents: GuardedContents, opts: WebGuardOptions): void {
  contents.setWindowOpenHandler((details) => windowOpenResponse(details, opts));

  // A click on a link in our page ends up here: the page stays, the browser opens the link.
  contents.on('will-navigate', (event) => {
    if (isAllowedNavigation(event.url, opts.pageUrl)) return;
    event.preventDefault();
    if (isSafeExternalUrl(event.url)) opts.openExternal(event.url);
    else opts.log('Blocked a navigation away from the app page.');
  });
  // Sub-frames (there should be none: the CSP allows no frames) never navigate anywhere else.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame || isAllowedNavigation(event.url, opts.pageUrl)) return;
    event.preventDefault();
    opts.log('Blocked a frame navigation.');
  });
  contents.on('will-redirect', (event) => {
    if (isAllowedNavigation(event.url, opts.pageUrl)) return;
    event.preventDefault();
    opts.log('Blocked a redirect away from the app page.');
  });
  contents.on('will-attach-webview', (event: Event) => {
    event.preventDefault();
    opts.log('Blocked a <webview>.');
  });
}

/** The part of a session the permission guards use. */
export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** No web permission is ever granted (camera, notifications, clipboard reads, …): the window needs none. */
export function denyAllPermissions(session: PermissionSession, log: (message: string) => void): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`Denied the web permission "${permission}".`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}
