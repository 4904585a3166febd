/**
 * Confirmation before a step that cannot be undone (sign out, copy a refresh token). A native
 * modal <dialog>: it traps focus, closes on Escape, and gives focus back to the opener.
 */
import { h, uid } from './dom.ts';

export interface ConfirmOptions {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  /** An optional checkbox, e.g. "Also revoke the tokens at the provider". */
  option?: { label: string; checked: boolean };
}

export interface ConfirmAnswer {
  confirmed: boolean;
  optionChecked: boolean;
}

/** Asks, and resolves with the answer once the dialog closes. */
export function confirmDialog(options: ConfirmOptions): Promise<ConfirmAnswer> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid('dialog-title');
  const bodyId = uid('dialog-body');
  const checkbox = options.option ? h('input', { type: 'checkbox', id: uid('dialog-option'), checked: options.option.checked }) : null;
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const confirm = h('button', { type: 'button', class: options.danger ? 'btn danger' : 'btn primary' }, options.confirmLabel);
  const dialog = h('dialog', { 'aria-labelledby': titleId, 'aria-describedby': bodyId },
    h('div', { class: 'dialog-body' },
      h('h2', { id: titleId }, options.title),
      h('p', { id: bodyId }, options.body),
      checkbox && options.option ? h('p', { class: 'check' }, checkbox, h('label', { for: checkbox.id }, options.option.label)) : null,
      h('div', { class: 'actions end' }, cancel, confirm),
    ),
  );
  // Plain buttons rather than a method="dialog" form: the CSP allows no form submission at all.
  cancel.addEventListener('click', () => dialog.close('cancel'));
  confirm.addEventListener('click', () => dialog.close('confirm'));
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve({ confirmed: dialog.returnValue === 'confirm', optionChecked: checkbox?.checked ?? false });
      dialog.remove();
      if (opener?.isConnected) opener.focus();
    }, { once: true });
    dialog.showModal();
    cancel.focus();
  });
}
