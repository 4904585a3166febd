/**
 * Credits & linking: the `/me` budget or a link to the billing page; for a service account the
 * steps to link its credits to the personal account — whether it has run the batch job CDSE
 * needs first, where the request goes (CDSE's help center), the client ID and both user IDs
 * copyable, and a ready-to-send message that states only facts.
 */
import type { CreditsView, Navigation } from '../../shared/api.ts';
import { breakable, h, replace, uid, type Child } from '../dom.ts';
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
    h('dd', {}, value ? h('span', { class: 'copyable' }, h('code', {}, breakable(value)), copyButton(what, () => value)) : h('span', { class: 'muted' }, missing)),
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

/** Step 1 of linking, as what the job list says: done, still to do, or not known. */
function batchJobStep(sa: NonNullable<CreditsView['serviceAccount']>, identityId: string): HTMLElement {
  const jobs = sa.batchJobs;
  const showJobs = h('button', { type: 'button', class: 'link' }, 'Jobs page');
  showJobs.addEventListener('click', () => navigate({ page: 'jobs', identityId }));
  if (jobs && jobs.started > 0) {
    return h('li', { class: 'step done' }, h('strong', {}, 'Run one batch job with the service account. '),
      `Done: its job list shows ${jobs.started === 1 ? '1 started batch job' : `${jobs.started} started batch jobs`} (${jobs.finished} finished).`);
  }
  return h('li', { class: 'step todo' }, h('strong', {}, 'Run one batch job with the service account first. '),
    jobs ? 'Its job list shows none yet. ' : 'Its job list could not be read, so this app cannot tell whether it has run one; see the ',
    jobs ? null : showJobs, jobs ? null : '. ',
    'Support can link it only after one has run, because its marketplace account is made then. Run it from a script, for example with ',
    h('code', {}, `openeo-auth-tray exec ${identityId} -- python my_job.py`), '.');
}

function linkingSection(sa: NonNullable<CreditsView['serviceAccount']>, identityId: string): HTMLElement {
  const addPersonal = h('button', { type: 'button', class: 'btn small' }, 'Add your personal account');
  addPersonal.addEventListener('click', () => navigate({ page: 'add' }));
  const messageId = uid('support-message');
  const where = sa.support;
  const helpCenter = where.url?.startsWith('https://helpcenter.') ?? false;
  const how = !where.url ? 'This app knows no address for them: use the contact their website or documentation gives.'
    : helpCenter ? '“Open the help center” opens its request form in your browser; paste the message there.'
      : '“Open their website” shows where to reach them.';
  return h('section', { class: 'panel', 'aria-labelledby': 'credits-linking' },
    h('h2', { id: 'credits-linking' }, 'Link its credits to your personal account'),
    h('p', {}, 'A service account is a separate account with its own jobs and its own credit balance. '
      + 'Support can link its balance to your personal account, so that its jobs use your personal credits.'),
    h('ol', { class: 'steps' },
      batchJobStep(sa, identityId),
      h('li', {}, h('strong', {}, `Send the message below to ${where.name}. `),
        `It has the client ID and both user IDs filled in. ${how}`),
      h('li', {}, h('strong', {}, 'Wait for their confirmation. '), 'From then on the service account’s jobs are paid from your personal credits.')),
    h('dl', { class: 'facts ids' },
      ...idRow('Client ID', sa.clientId, 'the client ID', ''),
      ...idRow('Service account user ID', sa.userId, 'the service account’s user ID',
        'Not known yet. On the Accounts page, use More → “Refresh now” on its card, then come back.'),
      ...idRow(sa.personalLabel ? `Personal user ID (${sa.personalLabel})` : 'Personal user ID', sa.personalUserId, 'your personal user ID',
        h('span', {}, 'No personal account on this backend in this app, so the message has a blank for it. ', addPersonal))),
    h('label', { for: messageId, class: 'block-label' }, 'Message to support'),
    h('textarea', { id: messageId, class: 'message', readonly: true, rows: sa.supportMessage.split('\n').length }, sa.supportMessage),
    h('div', { class: 'actions' },
      where.url ? externalButton(helpCenter ? 'Open the help center' : 'Open their website', where.url, true) : null,
      copyButton('the message to support', () => sa.supportMessage, 'Copy message')));
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
      view.serviceAccount ? linkingSection(view.serviceAccount, identityId) : personalSection(identityStore.find(identityId)?.userId ?? null));
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
