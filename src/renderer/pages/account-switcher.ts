/**
 * The "Account" chooser at the top of the Credits and Jobs pages: a button showing the chosen
 * account whole — its name, and its kind and backend on a second line, both wrapping rather than
 * cut — that opens a menu of the accounts (placed inside the window by ../menu.ts).
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { hostOf } from '../../shared/format/display-text.ts';
import { breakable, h, replace, uid, wrapLongWords } from '../dom.ts';
import { menuButton } from '../menu.ts';
import { kindWords } from '../words.ts';

export interface AccountSwitcher {
  readonly root: HTMLElement;
  /** Lists `identities`, keeping `selected` when it is among them. Returns the selected id. */
  update(identities: readonly IdentityStatus[], selected: string | undefined): string | undefined;
}

const metaOf = (identity: IdentityStatus): string => `${kindWords(identity.kind)} · ${hostOf(identity.backend)}`;

export function accountSwitcher(onChange: (identityId: string) => void): AccountSwitcher {
  const labelId = uid('account-label');
  const slot = h('div', { class: 'switcher-slot' });
  const root = h('div', { class: 'account-switcher' }, h('span', { class: 'switcher-label', id: labelId }, 'Account'), slot);
  let shown = '';
  return {
    root,
    update(identities, selected) {
      const chosen = identities.find((i) => i.id === selected) ?? identities[0];
      root.hidden = identities.length === 0;
      if (!chosen) {
        replace(slot);
        shown = '';
        return undefined;
      }
      // A status push that changes nothing shown leaves the button (and a menu open on it) alone.
      const now = JSON.stringify([chosen.id, identities.map((i) => [i.id, i.label, i.kind, i.backend])]);
      if (now === shown) return chosen.id;
      shown = now;
      const hadFocus = slot.contains(document.activeElement);
      const items = identities.map((identity) => ({
        label: identity.label,
        hint: metaOf(identity),
        checked: identity.id === chosen.id,
        run: () => {
          if (identity.id !== chosen.id) onChange(identity.id);
        },
      }));
      const buttonId = uid('account-button');
      const button = menuButton(chosen.label, 'Accounts', items, {
        className: 'switcher', labelledBy: `${labelId} ${buttonId}`, focusKey: 'account-switcher',
        content: [h('span', { class: 'switcher-text', id: buttonId },
          h('span', { class: 'switcher-name' }, wrapLongWords(chosen.label)),
          h('span', { class: 'switcher-meta' }, `${kindWords(chosen.kind)} · `, breakable(hostOf(chosen.backend))))],
      });
      replace(slot, button);
      if (hadFocus) slot.querySelector<HTMLElement>('button')?.focus();
      return chosen.id;
    },
  };
}
