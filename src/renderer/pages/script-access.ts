/**
 * A login's scripts, in its details: what scripts did with it through the token agent, in one line,
 * and its two settings — whether scripts may use it, and whether a new script waits until the
 * person lets it in. A script's name is what it calls itself: it goes in as text (never markup),
 * is marked unverified, and wraps wherever it must.
 */
import type { IdentityStatus, ScriptAccess, ScriptsView } from '../../shared/api.ts';
import { h, uid, wrapLongWords } from '../dom.ts';
import { announce, type Failure } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { SCRIPT_SETTING_WORDS, scriptAccessChangedWords, scriptUseWords } from '../words.ts';

/** The setting the two boxes stand for. */
function accessOf(allowed: boolean, ask: boolean): ScriptAccess {
  if (!allowed) return 'deny';
  return ask ? 'ask' : 'allow';
}

/**
 * The "Scripts" entry of an account's details (its <dt> and <dd>). `onFailure` shows a failed
 * save on the row; the boxes then show what is saved again. A long name wraps at its separators.
 */
export function scriptFacts(identity: IdentityStatus, scripts: ScriptsView, onFailure: (failure: Failure) => Promise<void>): HTMLElement[] {
  const key = (what: string): string => `${identity.id}:scripts:${what}`;
  const hintId = uid('scripts-hint');
  const allowed = h('input', { type: 'checkbox', id: uid('scripts-allowed'), checked: scripts.access !== 'deny', 'data-focus-key': key('allowed') });
  const ask = h('input', {
    type: 'checkbox', id: uid('scripts-ask'), checked: scripts.access === 'ask', disabled: scripts.access === 'deny',
    'aria-describedby': hintId, 'data-focus-key': key('ask'),
  });
  const group = h('div', { class: 'script-settings', role: 'group', 'aria-label': `Scripts and ${identity.label}` },
    h('div', { class: 'choice' }, allowed, h('label', { for: allowed.id }, SCRIPT_SETTING_WORDS.allowed)),
    h('div', { class: 'choice' }, ask, h('label', { for: ask.id }, SCRIPT_SETTING_WORDS.ask),
      h('p', { class: 'hint', id: hintId }, SCRIPT_SETTING_WORDS.askHint)));

  let saving = false;
  async function save(): Promise<void> {
    const access = accessOf(allowed.checked, ask.checked);
    // A box that is switched off while saving would lose keyboard focus: ignore clicks instead.
    if (saving || access === scripts.access) return;
    saving = true;
    group.setAttribute('aria-busy', 'true');
    try {
      const result = await window.openeoAuth.setScriptAccess(identity.id, access);
      if (result.ok) {
        identityStore.update(result.value);
        announce(scriptAccessChangedWords(identity.label, access));
      } else {
        await onFailure(result);
      }
    } finally {
      saving = false;
      group.removeAttribute('aria-busy');
    }
  }
  for (const box of [allowed, ask]) {
    box.addEventListener('change', () => {
      if (box === allowed) ask.disabled = !allowed.checked;
      void save();
    });
  }

  return [
    h('dt', {}, 'Scripts'),
    h('dd', { class: 'scripts' }, h('p', { class: 'script-use' }, wrapLongWords(scriptUseWords(scripts, Date.now()))), group),
  ];
}
