/**
 * Which page is showing. Each page is built once and then kept (hidden when another page
 * shows), so a device login in progress survives a look at the Accounts page.
 */
import type { Navigation, Page } from '../shared/api.ts';
import { h } from './dom.ts';
import { icon, type IconName } from './icons.ts';
import { clearAnnouncement } from './feedback.ts';

export interface PageView {
  readonly root: HTMLElement;
  /** The page's h1; it takes focus when the user moves to the page. */
  readonly heading: HTMLElement;
  /** Called each time the page is shown, with where to go inside it. */
  show(to: Navigation): void;
}

/** Each page's title, and the short word its tab shows in a narrow window (part of the title, so speech input finds it). */
export const PAGES: ReadonlyArray<{ page: Page; title: string; short: string; icon: IconName }> = [
  { page: 'accounts', title: 'Accounts', short: 'Accounts', icon: 'accounts' },
  { page: 'add', title: 'Add account', short: 'Add', icon: 'add' },
  { page: 'credits', title: 'Credits & linking', short: 'Credits', icon: 'credits' },
  { page: 'jobs', title: 'Jobs', short: 'Jobs', icon: 'jobs' },
  { page: 'settings', title: 'Settings', short: 'Settings', icon: 'settings' },
];

const PAGE_NAMES: ReadonlySet<string> = new Set(PAGES.map((p) => p.page));
let factories: Record<Page, () => PageView> | undefined;
const views = new Map<Page, PageView>();
let main: HTMLElement;
const navButtons = new Map<Page, HTMLButtonElement>();
let current: Page | undefined;

/** The page showing now. */
export function currentPage(): Page | undefined {
  return current;
}

/** Builds the navigation into `nav` and remembers where pages go. */
export function setUpRouter(nav: HTMLElement, content: HTMLElement, pages: Record<Page, () => PageView>): void {
  factories = pages;
  main = content;
  const list = h('ul', { class: 'nav-list' });
  for (const { page, title, short, icon: name } of PAGES) {
    const button = h('button', { type: 'button', class: 'nav-item', 'data-page': page, 'aria-label': title, on: { click: () => navigate({ page }) } },
      icon(name), h('span', { class: 'nav-title' }, title), h('span', { class: 'nav-short', 'aria-hidden': 'true' }, short));
    navButtons.set(page, button);
    list.appendChild(h('li', {}, button));
  }
  nav.appendChild(list);
}

/**
 * Shows a page. `focus` moves keyboard focus to its heading (the user asked to go there);
 * a page shown at start or by a pushed event leaves focus alone unless asked.
 */
export function navigate(to: Navigation, options: { focus?: boolean } = {}): void {
  if (!factories || typeof to !== 'object' || to === null || !PAGE_NAMES.has(to.page)) return;
  let view = views.get(to.page);
  if (!view) {
    view = factories[to.page]();
    views.set(to.page, view);
    main.appendChild(view.root);
  }
  for (const [page, other] of views) other.root.hidden = page !== to.page;
  // "Sign in again" is about an account: the navigation says Accounts, not Add account.
  const highlighted: Page = to.page === 'add' && to.identityId !== undefined ? 'accounts' : to.page;
  for (const [page, button] of navButtons) {
    if (page === highlighted) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  // A confirmation belongs to the page it was said on; it does not follow the person elsewhere.
  if (current !== to.page) clearAnnouncement();
  current = to.page;
  view.show(to);
  // The page's own heading (Add account says "Sign in again" while it renews a login).
  document.title = `${view.heading.textContent || (PAGES.find((p) => p.page === to.page)?.title ?? '')} — openEO Auth Tray`;
  if (options.focus ?? true) view.heading.focus();
}

/** The skeleton every page shares: a header with the h1 and optional actions, then the body. */
export function pageFrame(title: string, ...headerActions: HTMLElement[]): { root: HTMLElement; heading: HTMLElement; body: HTMLElement } {
  const heading = h('h1', { tabindex: '-1' }, title);
  const body = h('div', { class: 'page-body' });
  const root = h('section', { class: 'page', hidden: true },
    h('header', { class: 'page-header' }, heading, headerActions.length ? h('div', { class: 'actions' }, ...headerActions) : null),
    body);
  return { root, heading, body };
}
