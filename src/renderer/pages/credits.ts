/**
 * Credits & linking: the `/me` budget or a link to the billing page; for a service account the
 * steps to link its credits to the personal account, in the order they are done — copy the
 * message, open where it goes, paste. On CDSE the documented process: the batch job it needs
 * first (done or not, in words and not only in colour), then its help center. Elsewhere only what
 * is known: ask the backend's operators. The client ID and both user IDs are copyable, and the
 * message states only facts.
 */
import type { CreditsView, Navigation } from '../../shared/api.ts';
import { breakable, h, replace, uid, wrapLongWords, type Child } from '../dom.ts';
import { announceFailure, copyButton, loading, onAction, problemBox } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { currentPage, navigate, pageFrame, type PageView } from '../router.ts';
import { icon } from '../icons.ts';
import { balanceWords, startedJobsWords } from '../words.ts';
import { accountSwitcher } from './account-switcher.ts';

function externalButton(label: string, url: string, primary = false): HTMLButtonElement {
  return onAction(h('button', { type: 'button', class: primary ? 'btn primary' : 'btn' }, label), 'Opening…', async () => {
    const result = await window.openeoAuth.openExternal(url);
    if (!result.ok) announceFailure(result);
  });
}

function idRow(term: string, value: string | null, what: string, missing: Child, note: string | null = null): HTMLElement[] {
  return [
    h('dt', {}, term),
    h('dd', {}, value ? h('span', { class: 'copyable' }, h('code', {}, breakable(value)), copyButton(what, () => value)) : h('span', { class: 'muted' }, missing),
      value && note ? h('span', { class: 'id-note muted small' }, wrapLongWords(note)) : null),
  ];
}

function balanceSection(view: CreditsView): HTMLElement {
  const billing = view.billingUrl ? externalButton(view.budget === null ? 'Open the billing page' : 'See usage on the billing page', view.billingUrl) : null;
  return h('section', { class: 'panel', 'aria-labelledby': 'credits-balance' },
    h('h2', { id: 'credits-balance' }, 'Balance'),
    view.budget !== null
      ? h('p', { class: 'balance' }, h('span', { class: 'big-number' }, balanceWords(view.budget)), h('span', { class: 'muted' }, ' left, as the backend reports them'))
      : h('p', {}, 'This backend does not report the balance to apps.', view.billingUrl ? ' You find it on its billing page.' : ''),
    billing ? h('div', { class: 'actions' }, billing) : null);
}

/** A step's state in words and a mark, not only in colour. */
function stepMark(done: boolean): HTMLElement {
  return h('span', { class: `step-mark ${done ? 'tone-ok' : 'tone-warn'}` }, icon(done ? 'ok' : 'warn'), done ? 'Done' : 'To do');
}

/** CDSE's first step: one batch job run by the service account — done, still to do, or not known. */
function batchJobStep(sa: NonNullable<CreditsView['serviceAccount']>, identityId: string): HTMLElement {
  const jobs = sa.batchJobs;
  const showJobs = h('button', { type: 'button', class: 'link' }, 'Jobs page');
  showJobs.addEventListener('click', () => navigate({ page: 'jobs', identityId }));
  if (jobs && jobs.started > 0) {
    return h('li', { class: 'step done' }, stepMark(true), h('strong', {}, ' Run one batch job with the service account. '),
      `Done: ${startedJobsWords(jobs)}.`);
  }
  return h('li', { class: 'step todo' }, stepMark(false), h('strong', {}, ' Run one batch job with the service account first. '),
    jobs ? 'Its job list shows none yet. ' : 'Its job list could not be read, so this app cannot tell whether it has run one; see the ',
    jobs ? null : showJobs, jobs ? null : '. ',
    'Support can link it only after one has run, because its marketplace account is made then. Run it from a script, for example with ',
    h('code', {}, breakable(`openeo-auth-tray exec ${identityId} -- python my_job.py`)), '.');
}

function linkingSection(sa: NonNullable<CreditsView['serviceAccount']>, identityId: string): HTMLElement {
  const addPersonal = h('button', { type: 'button', class: 'btn small' }, 'Add your personal account');
  addPersonal.addEventListener('click', () => navigate({ page: 'add' }));
  const messageId = uid('support-message');
  const where = sa.support;
  const cdse = sa.process === 'cdse';
  const helpCenter = cdse && where.url !== null;
  const open = where.url ? externalButton(helpCenter ? 'Open the help center' : 'Open their website', where.url) : null;
  const how = !where.url ? 'This app knows no address for them: use the contact their website or documentation gives, and paste the message there.'
    : helpCenter ? 'Copy the message, open the help center’s request form with “Open the help center”, and paste it there.'
      : 'Copy the message, then “Open their website” shows where to reach them; paste it there.';
  return h('section', { class: 'panel', 'aria-labelledby': 'credits-linking' },
    h('h2', { id: 'credits-linking' }, 'Link its credits to your personal account'),
    h('p', {}, 'A service account is a separate account with its own jobs and its own credit balance. ', cdse
      ? 'Support can link its balance to your personal account, so that its jobs use your personal credits.'
      : 'Whether its balance can be linked to your personal account is up to the backend’s operators; the message below asks them, with the IDs they need.'),
    h('ol', { class: 'steps' },
      cdse ? batchJobStep(sa, identityId) : null,
      h('li', {}, h('strong', {}, wrapLongWords(`Send the message below to ${where.name}. `)), `It has the client ID and both user IDs filled in. ${how}`),
      h('li', {}, h('strong', {}, 'Wait for their confirmation. '), cdse
        ? 'From then on the service account’s jobs are paid from your personal credits.'
        : 'They say whether and how its jobs are then paid.')),
    h('dl', { class: 'facts ids' },
      ...idRow('Client ID', sa.clientId, 'the client ID', ''),
      ...idRow('Service account user ID', sa.userId, 'the service account’s user ID',
        'Not known yet. On the Accounts page, open its details and use More → “Refresh now”, then come back.'),
      ...idRow('Your personal user ID', sa.personalUserId, 'your personal user ID',
        h('span', {}, 'No personal account on this backend in this app, so the message has a blank for it. ', addPersonal),
        sa.personalLabel ? `From your account “${sa.personalLabel}”.` : null)),
    h('label', { for: messageId, class: 'block-label' }, 'Message to support'),
    h('textarea', { id: messageId, class: 'message', readonly: true, rows: sa.supportMessage.split('\n').length }, sa.supportMessage),
    h('div', { class: 'actions' }, copyButton('the message to support', () => sa.supportMessage, 'Copy message', true), open));
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
  const picker = accountSwitcher((identityId) => void load(identityId));
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
