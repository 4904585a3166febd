/**
 * Renaming an account, in its details: one field with the name, Save and Cancel. The name must be
 * unique among the logins (main says so when it is not, under the field); the CLI, the tray and
 * scripts' `identity=` know the login by its new name at once.
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { LIMITS } from '../../shared/limits.ts';
import { h, replace, uid } from '../dom.ts';
import { announce, localProblem, problemBox, runBusy } from '../feedback.ts';

/** The form; `done` closes it (with the renamed row when the name was saved). */
export function renameForm(identity: IdentityStatus, done: (renamed: IdentityStatus | null) => void): HTMLElement {
  const inputId = uid('rename');
  const hintId = uid('rename-hint');
  const problem = h('div', { class: 'field-problem', id: uid('rename-problem') });
  const input = h('input', {
    id: inputId, type: 'text', value: identity.label, maxlength: LIMITS.label, autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': `${hintId} ${problem.id}`, 'data-focus-key': `${identity.id}:rename-input`,
  });
  const save = h('button', { type: 'submit', class: 'btn primary' }, 'Save name');
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const form = h('form', { class: 'rename-form', novalidate: true, 'aria-label': `Rename ${identity.label}` },
    h('div', { class: 'field' },
      h('label', { for: inputId }, 'New name'),
      input,
      h('p', { class: 'hint', id: hintId }, 'Shown here and in the tray; the command line and scripts can use it instead of the id.'),
      problem),
    h('div', { class: 'actions' }, save, cancel));
  cancel.addEventListener('click', () => done(null));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); done(null); }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runBusy(save, 'Saving…', async () => {
      const name = input.value.trim();
      if (!name) {
        input.setAttribute('aria-invalid', 'true');
        replace(problem, problemBox(localProblem('Enter a name for this account.')));
        input.focus();
        return;
      }
      const result = await window.openeoAuth.renameIdentity(identity.id, name);
      if (!result.ok) {
        input.setAttribute('aria-invalid', 'true');
        replace(problem, problemBox(result));
        input.focus();
        return;
      }
      announce(`Renamed “${identity.label}” to “${result.value.label}”.`);
      done(result.value);
    });
  });
  queueMicrotask(() => {
    input.focus();
    input.select();
  });
  return form;
}
