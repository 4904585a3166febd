/**
 * "Remote machines", under the accounts: the token agent's forwards — which logins, until when,
 * the ssh command that connects a remote machine (with Copy), and Stop — and a small form to start
 * one: pick logins and a duration. Hidden where the app serves no agent; says why when the agent
 * could not start.
 */
import type { ForwardList, ForwardView, Result } from '../../shared/api.ts';
import { hostOf } from '../../shared/format/display-text.ts';
import { breakable, h, replace, rerenderKeepingFocus, uid } from '../dom.ts';
import { announce, announceFailure, copyButton, localProblem, onAction, problemBox, runBusy } from '../feedback.ts';
import { liveText } from '../live.ts';
import { identityStore } from '../store.ts';
import { FORWARD_DURATIONS, forwardWords } from '../words.ts';

/** The panel and a way to read the forwards again (after any change the app reports). */
export function forwardsPanel(): { root: HTMLElement; refresh(): void } {
  const headingId = uid('forwards');
  const body = h('div', { class: 'forwards-body' });
  const start = h('button', { type: 'button', class: 'btn', 'aria-expanded': 'false', 'data-focus-key': 'forward:start' }, 'Forward to a remote machine…');
  const formSlot = h('div', { class: 'status-slot' });
  const root = h('section', { class: 'panel forwards', 'aria-labelledby': headingId, hidden: true },
    h('h2', { id: headingId }, 'Remote machines'),
    h('p', { class: 'hint' }, 'A forward lets scripts on another computer get access tokens of the logins you choose, through an SSH connection you open, until it ends.'),
    body, h('div', { class: 'actions' }, start), formSlot);

  let asked = 0;
  async function refresh(): Promise<void> {
    const mine = ++asked;
    const result = await window.openeoAuth.listForwards();
    // An older answer that arrives late must not overwrite a newer one.
    if (mine === asked) rerenderKeepingFocus(root, () => render(result));
  }

  function render(result: Result<ForwardList>): void {
    if (!result.ok) {
      root.hidden = false;
      start.hidden = true;
      return replace(body, problemBox(result));
    }
    const { running, problem, forwards } = result.value;
    root.hidden = !running && !problem;
    start.hidden = !running;
    if (!running) closeForm(false);
    if (problem) return replace(body, problemBox({ message: problem.message, nextStep: 'Quit openEO Auth Tray and start it again once that is fixed.' }));
    replace(body, forwards.length
      ? h('ul', { class: 'forwards-list', 'aria-label': 'Forwards' }, ...forwards.map(item))
      : h('p', { class: 'muted' }, 'No forwards: nothing on another computer can get your tokens.'));
  }

  function item(f: ForwardView): HTMLElement {
    const line = (now: number): string => forwardWords(f, identityStore.list, now);
    const stop = h('button', { type: 'button', class: 'btn small', 'data-focus-key': `forward:${f.id}:stop`, 'aria-label': `Stop ${line(Date.now()).replace(/^Forwarded/, 'forwarding')}` }, 'Stop');
    onAction(stop, 'Stopping…', async () => {
      const result = await window.openeoAuth.stopForward(f.id);
      if (result.ok) announce('Stopped the forward. Scripts on the remote machine get no more tokens through it.');
      else announceFailure(result);
      await refresh();
    });
    const copy = copyButton(`the ssh command of forward ${f.id}`, () => f.ssh);
    copy.dataset.focusKey = `forward:${f.id}:copy`;
    return h('li', { class: 'forward' },
      h('div', { class: 'forward-head' }, liveText(h('p', { class: 'forward-line' }), line), stop),
      h('div', { class: 'copyable' }, h('code', {}, breakable(f.ssh)), copy));
  }

  function closeForm(returnFocus: boolean): void {
    if (start.getAttribute('aria-expanded') !== 'true') return;
    replace(formSlot);
    start.setAttribute('aria-expanded', 'false');
    if (returnFocus) start.focus();
  }

  function openForm(): void {
    if (start.getAttribute('aria-expanded') === 'true') return closeForm(true);
    const legendId = uid('forward-logins');
    const boxes = identityStore.list.map((identity) => {
      const input = h('input', { type: 'checkbox', id: uid('forward-login'), value: identity.id });
      return { identity, input, root: h('div', { class: 'choice' }, input, h('label', { for: input.id }, identity.label, h('span', { class: 'muted' }, ` · ${hostOf(identity.backend)}`))) };
    });
    const durationId = uid('forward-for');
    const duration = h('select', { id: durationId },
      ...FORWARD_DURATIONS.map((d) => h('option', { value: String(d.seconds), selected: d.seconds === 8 * 3600 }, d.words)));
    const problem = h('div', { class: 'status-slot', id: uid('forward-problem') });
    const go = h('button', { type: 'button', class: 'btn primary' }, 'Start forwarding');
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    cancel.addEventListener('click', () => closeForm(true));
    go.addEventListener('click', () => void runBusy(go, 'Starting…', async () => {
      const ids = boxes.filter((b) => b.input.checked).map((b) => b.identity.id);
      if (ids.length === 0) {
        replace(problem, problemBox(localProblem('Choose at least one login to forward.')));
        boxes[0]?.input.focus();
        return;
      }
      const result = await window.openeoAuth.createForward(ids, Number(duration.value));
      if (!result.ok) return replace(problem, problemBox(result));
      closeForm(false);
      announce(`${forwardWords(result.value, identityStore.list, Date.now())}. Connect the remote machine with the ssh command shown, HOST replaced by its name.`);
      await refresh();
      root.querySelector<HTMLElement>(`[data-focus-key="forward:${result.value.id}:copy"]`)?.focus();
    }));
    replace(formSlot, h('div', { class: 'forward-form' },
      h('fieldset', { class: 'choices', 'aria-describedby': problem.id }, h('legend', { id: legendId }, 'Logins to forward'), ...boxes.map((b) => b.root)),
      h('div', { class: 'field' }, h('label', { for: durationId }, 'For how long'), duration),
      problem,
      h('div', { class: 'actions' }, go, cancel)));
    start.setAttribute('aria-expanded', 'true');
    boxes[0]?.input.focus();
  }
  start.addEventListener('click', openForm);

  return { root, refresh: () => void refresh() };
}
