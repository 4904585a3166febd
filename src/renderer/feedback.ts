/**
 * How the window reports progress and outcomes: a busy state on the button that started a
 * network action, a "loading" line, a problem box that says what happened and what to do next,
 * and one polite live region for short confirmations ("Copied …").
 */
import type { Result } from '../shared/api.ts';
import { h, type Child } from './dom.ts';
import { copiedWords } from './words.ts';

export type Failure = Extract<Result<unknown>, { ok: false }>;

/** A small spinning ring; decorative, the words next to it say what is going on. */
export function spinner(): HTMLElement {
  return h('span', { class: 'spinner', 'aria-hidden': 'true' });
}

/** "Looking up the backend…" with a spinner, announced politely. */
export function loading(text: string): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, spinner(), text);
}

/** What went wrong, in words, with the next step and optional buttons (Try again, Back). */
export function problemBox(failure: Pick<Failure, 'message' | 'nextStep'>, ...actions: Child[]): HTMLElement {
  return h('div', { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-message' }, failure.message),
    failure.nextStep ? h('p', { class: 'problem-next' }, failure.nextStep) : null,
    actions.some(Boolean) ? h('div', { class: 'actions' }, ...actions) : null,
  );
}

/** A failure built in the window itself (input the bridge never saw). */
export function localProblem(message: string, nextStep?: string): Failure {
  return nextStep === undefined ? { ok: false, code: 'INVALID_ARGUMENT', message } : { ok: false, code: 'INVALID_ARGUMENT', message, nextStep };
}

let liveRegion: HTMLElement | undefined;
let clearTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * A short confirmation in the status bar at the bottom of the window (it takes its own room and
 * covers nothing), read out by screen readers, gone after a few seconds or on the next page.
 */
export function announce(text: string): void {
  liveRegion ??= document.getElementById('announcer') ?? document.body.appendChild(h('div', { id: 'announcer', role: 'status' }));
  liveRegion.textContent = text;
  liveRegion.classList.add('shown');
  if (clearTimer !== undefined) clearTimeout(clearTimer);
  clearTimer = setTimeout(() => {
    liveRegion?.classList.remove('shown');
    if (liveRegion) liveRegion.textContent = '';
  }, 6000);
}

/** Takes a confirmation off the status bar at once (the person moved to another page). */
export function clearAnnouncement(): void {
  if (clearTimer !== undefined) clearTimeout(clearTimer);
  clearTimer = undefined;
  if (!liveRegion) return;
  liveRegion.classList.remove('shown');
  liveRegion.textContent = '';
}

/** A failure that belongs to no particular place on the page: said in the status bar. */
export function announceFailure(failure: Failure): void {
  announce(failure.nextStep ? `${failure.message} ${failure.nextStep}` : failure.message);
}

/**
 * Runs `work` on click with the button in a busy state (spinner, `busyLabel`, aria-disabled).
 * The button keeps focus while busy, and further clicks are ignored until `work` settles.
 */
export function onAction(button: HTMLButtonElement, busyLabel: string, work: () => Promise<void>): HTMLButtonElement {
  button.addEventListener('click', (event) => {
    event.preventDefault();
    void runBusy(button, busyLabel, work);
  });
  return button;
}

/** The busy state of {@link onAction}, for callers that start work themselves (form submit). */
export async function runBusy(button: HTMLButtonElement, busyLabel: string, work: () => Promise<void>): Promise<void> {
  if (button.getAttribute('aria-disabled') === 'true') return;
  const idle = [...button.childNodes];
  button.setAttribute('aria-disabled', 'true');
  button.classList.add('is-busy');
  button.replaceChildren(spinner(), busyLabel);
  try {
    await work();
  } finally {
    button.replaceChildren(...idle);
    button.removeAttribute('aria-disabled');
    button.classList.remove('is-busy');
  }
}

/**
 * A copy button for a value shown on the page (not a secret: those go through `copy`). Without a
 * visible label it reads "Copy" and is named "Copy <what>" for screen readers.
 */
export function copyButton(what: string, value: () => string, visibleLabel?: string, primary = false): HTMLButtonElement {
  const classes = visibleLabel ? (primary ? 'btn primary' : 'btn') : 'btn small';
  const button = h('button', { type: 'button', class: classes, 'aria-label': visibleLabel ? undefined : `Copy ${what}` }, visibleLabel ?? 'Copy');
  return onAction(button, 'Copying…', async () => {
    const result = await window.openeoAuth.copyText(value());
    if (result.ok) announce(copiedWords(what, result.value.clearsInSeconds));
    else announceFailure(result);
  });
}
