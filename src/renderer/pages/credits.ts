/**
 * Credits & linking: the `/me` budget or a link to the billing page; for a service account the
 * steps to link its credits to the personal account, with the client ID and both user IDs
 * copyable and a ready-to-send message for support.
 */
import type { CreditsView, Navigation } from '../../shared/api.ts';
import { h, replace, uid, type Child } from '../dom.ts';
import { announceFailure, copyButton, loading, onAction, problemBox } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { currentPage, navigate, pageFrame, type PageView } from '../router.ts';
import { identityPicker } from './identity-picker.ts';

function externalButton(label: string, url: string, primary = false): HTMLButtonElement {
  return onAction(h('button', { type: 'button', class: primary ? 'btn primary' : 'btn' }, label), 'Opening…', async () => {
    const result = await window.openeoAuth.openExternal(url);
    if (!result.ok) announceFailure(result);
  });
}

function idRow(term: string, value: string | null, what: string, missing: Child): HTMLElement[] {
  return [
    h('dt', {}, term),
    h('dd', {}, value ? h('span', { class: 'copyable' }, h('code', {}, value), copyButton(what, () => value)) : h('span', { class: 'muted' }, missing)),
  ];
}

function balanceSection(view: CreditsView): HTMLElement {
  const billing = view.billingUrl ? externalButton(view.budget === null ? 'Open the billing page' : 'See usage on the billing page', view.billingUrl) : null;
  return h('section', { class: 'panel', 'aria-labelledby': 'credits-balance' },
    h('h2', { id: 'credits-balance' }, 'Balance'),
    view.budget !== null
      ? h('p', { class: 'balance' }, h('span', { class: 'big-number' }, new Intl.NumberFormat().format(view.budget)), h('span', { class: 'muted' }, ' credits left, as the backend reports them'))
      : h('p', {}, 'This backend does not report the balance to apps.', view.billingUrl ? ' You find it on its billing page.' : ''),
    billing ? h('div', { class: 'actions' }, billing) : null);
}

function linkingSection(sa: NonNullable<CreditsView['serviceAccount']>): HTMLElement {
  const addPersonal = h('button', { type: 'button', class: 'btn small' }, 'Add your personal account');
  addPersonal.addEventListener('click', () => navigate({ page: 'add' }));
  const messageId = uid('support-message');
  return h('section', { class: 'panel', 'aria-labelledby': 'credits-linking' },
    h('h2', { id: 'credits-linking' }, 'Link its credits to your personal account'),
    h('p', {}, 'A service account is a separate account with its own jobs and its own credit balance. '
      + 'Support can link its balance to your personal account, so that its jobs use your personal credits.'),
    h('ol', { class: 'steps' },
      h('li', {}, h('strong', {}, 'Run one batch job with the service account first. '),
        'Its marketplace account only exists after that, and support cannot link it before.'),
      h('li', {}, h('strong', {}, 'Send support the client ID and both user IDs. '), 'The message below has them filled in.'),
      h('li', {}, h('strong', {}, 'Wait for their confirmation. '), 'From then on the service account’s jobs are paid from your personal credits.')),
    h('dl', { class: 'facts ids' },
      ...idRow('Client ID', sa.clientId, 'the client ID', ''),
      ...idRow('Service account user ID', sa.userId, 'the service account’s user ID',
        'Not known yet. Use “Refresh now” on the Accounts page, then come back.'),
      ...idRow(sa.personalLabel ? `Personal user ID (${sa.personalLabel})` : 'Personal user ID', sa.personalUserId, 'your personal user ID',
        h('span', {}, 'No personal account on this backend in this app. ', addPersonal))),
    h('label', { for: messageId, class: 'block-label' }, 'Message to support'),
    h('textarea', { id: messageId, class: 'message', readonly: true, rows: Math.min(12, sa.supportMessage.split('\n').length + 1) }, sa.supportMessage),
    h('div', { class: 'actions' },
      copyButton('the message to support', () => sa.supportMessage, 'Copy message'),
      sa.supportUrl ? externalButton('Contact support', sa.supportUrl, true) : null));
}

function personalSection(userId: string | null): HTMLElement | null {
  if (!userId) return null;
  return h('section', { class: 'panel', 'aria-labelledby': 'credits-personal' },
    h('h2', { id: 'credits-personal' }, 'Using a service account too?'),
    h('p', {}, 'Support can link a service account’s credits to this personal account. They need this user ID:'),
    h('dl', { class: 'facts ids' }, ...idRow('Personal user ID', userId, 'your personal user ID', '')));
}

/** The Credits & linking page. */
export function creditsPage(): PageView {
  const frame = pageFrame('Credits & linking');
  const content = h('div', { class: 'stack' });
  let selected: string | undefined;
  let request = 0;
  const picker = identityPicker((identityId) => void load(identityId));
  replace(frame.body, picker.root, content);

  async function load(identityId: string | undefined): Promise<void> {
    selected = identityId;
    const mine = ++request;
    if (!identityId) {
      const add = h('button', { type: 'button', class: 'btn primary' }, 'Add account');
      add.addEventListener('click', () => navigate({ page: 'add' }));
      return replace(content, h('div', { class: 'empty' }, h('h2', {}, 'No accounts yet'),
        h('p', {}, 'Credits and linking are shown per account. Add an account first.'), add));
    }
    replace(content, loading('Loading credits…'));
    const result = await window.openeoAuth.getCredits(identityId);
    if (mine !== request) return;
    if (!result.ok) {
      const retry = onAction(h('button', { type: 'button', class: 'btn' }, 'Try again'), 'Loading…', () => load(identityId));
      return replace(content, problemBox(result, retry));
    }
    const view = result.value;
    replace(content, balanceSection(view),
      view.serviceAccount ? linkingSection(view.serviceAccount) : personalSection(identityStore.find(identityId)?.userId ?? null));
  }

  identityStore.subscribe(() => {
    const before = selected;
    const after = picker.update(identityStore.list, selected);
    if (after !== before && currentPage() === 'credits') void load(after);
  });
  return {
    root: frame.root,
    heading: frame.heading,
    show(to: Navigation) {
      const preferred = to.identityId ?? selected ?? identityStore.list.find((i) => i.kind === 'client-credentials')?.id;
      void load(picker.update(identityStore.list, preferred));
    },
  };
}
