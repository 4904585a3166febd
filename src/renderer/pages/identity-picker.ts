/** The "Account" chooser at the top of the Credits and Jobs pages. */
import type { IdentityStatus } from '../../shared/api.ts';
import { hostOf } from '../../shared/format/display-text.ts';
import { h, uid } from '../dom.ts';
import { kindWords } from '../words.ts';

export interface IdentityPicker {
  readonly root: HTMLElement;
  /** Fills the options from `identities`, keeping `selected` when it is among them. Returns the selected id. */
  update(identities: readonly IdentityStatus[], selected: string | undefined): string | undefined;
}

export function identityPicker(onChange: (identityId: string) => void): IdentityPicker {
  const id = uid('account');
  const select = h('select', { id });
  select.addEventListener('change', () => onChange(select.value));
  const root = h('div', { class: 'field inline' }, h('label', { for: id }, 'Account'), select);
  return {
    root,
    update(identities, selected) {
      select.replaceChildren(...identities.map((identity) =>
        h('option', { value: identity.id }, `${identity.label} · ${kindWords(identity.kind).toLowerCase()} · ${hostOf(identity.backend)}`)));
      const chosen = identities.find((i) => i.id === selected) ?? identities[0];
      if (chosen) select.value = chosen.id;
      root.hidden = identities.length === 0;
      return chosen?.id;
    },
  };
}
