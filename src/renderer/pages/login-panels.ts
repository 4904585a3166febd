/**
 * The panels shown while a login runs and when it ends: the device login (user code, QR code,
 * "Open in browser", countdown, cancel), the wait for the browser login, success and failure.
 */
import type { DeviceLoginStarted, IdentityStatus } from '../../shared/api.ts';
import { h, type Child } from '../dom.ts';
import { liveText } from '../live.ts';
import { announceFailure, copyButton, onAction, problemBox, spinner, type Failure } from '../feedback.ts';
import { icon } from '../icons.ts';
import { qrCode } from '../qr.ts';
import { clockCountdown, kindWords, refreshTokenWords } from '../words.ts';

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

/** The device login in progress. `onCancel` is called once when the user gives up. */
export function devicePanel(started: DeviceLoginStarted, onCancel: () => Promise<void>): HTMLElement {
  const pageUrl = started.verificationUriComplete ?? started.verificationUri;
  const open = onAction(h('button', { type: 'button', class: 'btn primary' }, 'Open in browser'), 'Opening…', async () => {
    const result = await window.openeoAuth.openExternal(pageUrl);
    if (!result.ok) announceFailure(result);
  });
  const cancel = onAction(h('button', { type: 'button', class: 'btn' }, 'Cancel'), 'Cancelling…', onCancel);
  const expiry = liveText(h('p', { class: 'countdown', role: 'timer', 'aria-live': 'off' }), (now) =>
    started.expiresAt > now ? `The code expires in ${clockCountdown(started.expiresAt - now)}.` : 'The code has expired. Cancel and start again for a new one.');
  return h('div', { class: 'panel device-login' },
    panelHeading('Sign in with this code'),
    h('div', { class: 'device-grid' },
      h('div', { class: 'device-steps' },
        h('ol', { class: 'steps' },
          h('li', {}, 'Open the sign-in page: scan the QR code with your phone, or open it in this computer’s browser.'),
          h('li', {}, 'Check that the page shows this code, then sign in.')),
        h('div', { class: 'user-code-row' },
          h('p', { class: 'user-code', 'aria-label': `Code: ${spokenCode(started.userCode)}` }, started.userCode),
          copyButton('the code', () => started.userCode, 'Copy code')),
        h('p', { class: 'muted small' }, 'Sign-in page: ', h('span', { class: 'url' }, started.verificationUri)),
        ...(started.warning ? [h('p', { class: 'page-warning tone-warn', role: 'alert' }, started.warning)] : []),
        h('div', { class: 'actions' }, open, cancel)),
      h('figure', { class: 'qr-box' },
        qrCode(pageUrl, 'QR code that opens the sign-in page'),
        h('figcaption', {}, 'Scan with your phone'))),
    h('div', { class: 'panel-foot' }, waiting('Waiting for you to finish signing in…'), expiry));
}

/** The browser login in progress. */
export function browserPanel(providerTitle: string, onCancel: () => Promise<void>): HTMLElement {
  const cancel = onAction(h('button', { type: 'button', class: 'btn' }, 'Cancel'), 'Cancelling…', onCancel);
  return h('div', { class: 'panel' },
    panelHeading('Finish signing in in your browser'),
    h('p', {}, `Your browser has opened the sign-in page of ${providerTitle}. Sign in there; this window notices by itself when you are done.`),
    h('p', { class: 'muted' }, 'No browser window? Cancel and choose “With a code” instead.'),
    h('div', { class: 'panel-foot' }, waiting('Waiting for the browser…'), h('div', { class: 'actions' }, cancel)));
}

/** The login worked: what the identity is now, and where to go next. */
export function successPanel(identity: IdentityStatus | undefined, fallbackLabel: string, actions: Child[]): HTMLElement {
  const label = identity?.label ?? fallbackLabel;
  const details = identity
    ? `${kindWords(identity.kind)} on ${identity.backend}. Refresh token ${refreshTokenWords(identity, Date.now())}.`
    : 'The login is stored in your keychain.';
  return h('div', { class: 'panel success' },
    h('div', { class: 'success-head' }, h('span', { class: 'success-icon' }, icon('check')), panelHeading(`${label} is signed in`)),
    h('p', {}, details),
    h('p', { class: 'muted' }, 'The login now renews by itself, and you are warned before it expires.'),
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
