/**
 * The panels shown while a login runs and when it ends: the device login (user code, QR code,
 * "Open in browser", countdown, cancel), the wait for the browser login (its sign-in page to open
 * again or copy), success and failure. Each sign-in panel says which backend it is for.
 */
import type { BrowserLoginStarted, DeviceLoginStarted, IdentityStatus } from '../../shared/api.ts';
import { hostOf } from '../../shared/format/display-text.ts';
import { breakable, h, replace, wrapLongWords, type Child } from '../dom.ts';
import { liveText } from '../live.ts';
import { announceFailure, copyButton, onAction, problemBox, spinner, type Failure } from '../feedback.ts';
import { icon } from '../icons.ts';
import { qrCode } from '../qr.ts';
import { clockCountdown, kindWords, signedInWords } from '../words.ts';

/** Panel heading that takes focus when the panel replaces the form, so the change is heard. */
function panelHeading(text: string): HTMLElement {
  return h('h2', { tabindex: '-1', class: 'panel-heading' }, text);
}

function waiting(text: string): HTMLElement {
  return h('p', { class: 'waiting', role: 'status' }, spinner(), text);
}

/** Groups "ABCD-EFGH" as two halves for the screen reader ("A B C D, E F G H"). */
function spokenCode(code: string): string {
  return code.split('-').map((part) => part.split('').join(' ')).join(', ');
}

/** What the device panel does when its code runs out. */
export interface DeviceCodeExpiry {
  /** The code ran out by the clock: stop waiting for it (the panel already shows it expired). */
  onExpired: () => void;
  /** "Get a new code": start the same login again. */
  onNewCode: () => Promise<void>;
}

const expireHooks = new WeakMap<HTMLElement, () => void>();

/** Puts a device panel into its expired state (the provider said so before the clock did). */
export function showCodeExpired(panel: HTMLElement): void {
  expireHooks.get(panel)?.();
}

/** The line under a sign-in panel's heading that names the backend (words.ts `signingInToWords`). */
function targetLine(target: string): HTMLElement {
  return h('p', { class: 'sign-in-target' }, wrapLongWords(target));
}

/** The device login in progress, for `target` (which backend). `onCancel` is called once when the user gives up. */
export function devicePanel(started: DeviceLoginStarted, target: string, onCancel: () => Promise<void>, expiry: DeviceCodeExpiry): HTMLElement {
  const pageUrl = started.verificationUriComplete ?? started.verificationUri;
  const open = onAction(h('button', { type: 'button', class: 'btn primary' }, 'Open in browser'), 'Opening…', async () => {
    const result = await window.openeoAuth.openExternal(pageUrl);
    if (!result.ok) announceFailure(result);
  });
  const cancel = onAction(h('button', { type: 'button', class: 'btn' }, 'Cancel'), 'Cancelling…', onCancel);
  const newCode = onAction(h('button', { type: 'button', class: 'btn primary', hidden: true }, 'Get a new code'), 'Getting a new code…', expiry.onNewCode);
  const copyCode = copyButton('the code', () => started.userCode, 'Copy code');
  const code = h('p', { class: 'user-code', 'aria-label': `Code: ${spokenCode(started.userCode)}` }, started.userCode);
  const heading = panelHeading('Sign in with this code');
  const wait = waiting('Waiting for you to finish signing in…');
  const qr = h('figure', { class: 'qr-box' },
    qrCode(pageUrl, 'QR code that opens the sign-in page'),
    h('figcaption', {}, 'Scan with your phone'));
  const steps = h('ol', { class: 'steps' },
    h('li', {}, 'Open the sign-in page: scan the QR code with your phone, or open it in this computer’s browser.'),
    h('li', {}, 'Check that the page shows this code, then sign in.'));
  const urlLine = h('p', { class: 'muted small sign-in-url' }, 'Sign-in page: ', h('span', { class: 'url' }, breakable(started.verificationUri)), ' ',
    copyButton('the sign-in page address', () => started.verificationUri));
  let expired = false;
  const root = h('div', { class: 'panel device-login' });
  function expire(): void {
    if (expired) return;
    expired = true;
    const hadFocus = root.contains(document.activeElement) || document.activeElement === document.body;
    heading.textContent = 'The code has expired';
    root.classList.add('is-expired');
    code.setAttribute('aria-label', `Expired code: ${spokenCode(started.userCode)}`);
    // Nothing that uses the dead code stays: no steps to follow, nothing to open or copy.
    for (const gone of [open, copyCode, steps, urlLine]) gone.hidden = true;
    qr.replaceChildren(h('div', { class: 'qr-expired' }, 'Expired'));
    replace(wait, 'This code no longer works at the sign-in page. Get a new one to sign in.');
    countdown.hidden = true;
    newCode.hidden = false;
    if (hadFocus) newCode.focus();
  }
  expireHooks.set(root, expire);
  const countdown = liveText(h('p', { class: 'countdown', role: 'timer', 'aria-live': 'off' }), (now) => {
    if (started.expiresAt > now) return `The code expires in ${clockCountdown(started.expiresAt - now)}.`;
    if (!expired) queueMicrotask(() => { if (!expired) { expire(); expiry.onExpired(); } });
    return '';
  });
  replace(root,
    heading,
    targetLine(target),
    h('div', { class: 'device-grid' },
      h('div', { class: 'device-steps' },
        steps,
        h('div', { class: 'user-code-row' }, code, copyCode),
        urlLine,
        ...(started.warning ? [h('p', { class: 'page-warning tone-warn', role: 'alert' }, started.warning)] : []),
        h('div', { class: 'actions' }, newCode, open, cancel)),
      qr),
    h('div', { class: 'panel-foot' }, wait, countdown));
  return root;
}

/**
 * The browser login in progress, for `target`: its sign-in page can be opened again (a closed
 * tab) or copied into another browser; when the system opened no browser, the panel says so.
 */
export function browserPanel(started: BrowserLoginStarted, target: string, providerTitle: string, onCancel: () => Promise<void>): HTMLElement {
  const cancel = onAction(h('button', { type: 'button', class: 'btn' }, 'Cancel'), 'Cancelling…', onCancel);
  const again = onAction(h('button', { type: 'button', class: started.browserOpened ? 'btn' : 'btn primary' }, started.browserOpened ? 'Open it again' : 'Open the sign-in page'),
    'Opening…', async () => {
      const result = await window.openeoAuth.openExternal(started.signInUrl);
      if (!result.ok) announceFailure(result);
    });
  const copy = copyButton('the sign-in page address', () => started.signInUrl, 'Copy link');
  return h('div', { class: 'panel' },
    panelHeading('Continue in your browser'),
    targetLine(target),
    h('p', {}, started.browserOpened
      ? `Your browser shows the sign-in page of ${providerTitle}. Sign in there; this window notices by itself when you are done.`
      : `The browser did not open by itself. Open the sign-in page of ${providerTitle} with the button below, or copy its address into a browser on this computer.`),
    h('p', { class: 'muted small sign-in-url' }, 'Sign-in page at ', h('span', { class: 'url' }, breakable(hostOf(started.signInUrl)))),
    h('div', { class: 'actions' }, again, copy),
    h('p', { class: 'muted' }, 'No browser window, or it shows nothing? Cancel and choose “With a code” instead.'),
    h('div', { class: 'panel-foot' }, waiting('Waiting for the browser…'), h('div', { class: 'actions' }, cancel)));
}

/** The login worked: what the identity is now, what it does from now on, and where to go next. */
export function successPanel(identity: IdentityStatus | undefined, fallbackLabel: string, actions: Child[]): HTMLElement {
  const label = identity?.label ?? fallbackLabel;
  const details = identity ? `${kindWords(identity.kind)} on ${hostOf(identity.backend)}.` : 'The login is stored in your keychain.';
  return h('div', { class: 'panel success' },
    h('div', { class: 'success-head' }, h('span', { class: 'success-icon' }, icon('check')), panelHeading(`${label} is signed in`)),
    h('p', {}, wrapLongWords(details)),
    identity ? h('p', { class: 'muted' }, signedInWords(identity, Date.now())) : null,
    h('div', { class: 'actions' }, ...actions));
}

/** The login failed or could not start: the message, the next step, and ways on. */
export function failurePanel(failure: Failure, actions: Child[]): HTMLElement {
  return h('div', { class: 'panel' }, panelHeading('Sign-in did not work'), problemBox(failure, ...actions));
}

/** Moves focus to the heading of a panel that just appeared. */
export function focusPanel(panel: HTMLElement): void {
  panel.querySelector<HTMLElement>('.panel-heading')?.focus();
}
