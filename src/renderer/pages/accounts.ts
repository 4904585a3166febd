/**
 * Accounts: every identity as a card — backend, provider, kind, user id and state; while its
 * tokens can be used, the access token's countdown and the refresh token's expiry (words, date,
 * "time left" bar). What a card shows and offers in each state is decided in ../card-model.ts;
 * this file only renders it. An empty state says what to do first.
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { hostOf } from '../../shared/format/display-text.ts';
import { breakable, h, rerenderKeepingFocus, replace } from '../dom.ts';
import { everySecond, liveText } from '../live.ts';
import { announce, copyButton, loading, onAction, problemBox, type Failure } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { navigate, pageFrame, type PageView } from '../router.ts';
import { copyMenu } from './copy-menu.ts';
import { forwardsPanel } from './forwards.ts';
import { scriptFacts } from './script-access.ts';
import { confirmDialog } from '../dialog.ts';
import { menuButton } from '../menu.ts';
import { accountCard, actionLabel, type CardAction, type CardModel } from '../card-model.ts';
import {
  STATE_WORDS, accessTokenWords, effectiveState, formatDateTime, kindWords, refreshTokenWords, timeLeftFraction, timeLeftTone,
} from '../words.ts';

/**
 * The last failed action on each identity, shown in its card while the identity is as it was
 * then (same state, same access token): a later login or refresh makes it stale, and it goes.
 */
const feedback = new Map<string, { failure: Failure; stamp: string }>();
const stampOf = (identity: IdentityStatus | undefined): string => (identity ? `${identity.state}|${identity.accessTokenExpiresAt}` : '');

async function rememberFailure(identityId: string, failure: Failure): Promise<void> {
  await identityStore.reload();
  feedback.set(identityId, { failure, stamp: stampOf(identityStore.find(identityId)) });
}

function statePill(identity: IdentityStatus): HTMLElement {
  return everySecond(h('span', { class: 'pill' }), (pill, now) => {
    const { label, tone } = STATE_WORDS[effectiveState(identity, now)];
    if (pill.textContent !== label) pill.textContent = label;
    pill.className = `pill tone-${tone}`;
  });
}

function timeLeftBar(identity: IdentityStatus, wordsId: string): HTMLElement | null {
  if (identity.refreshTokenExpiry.kind !== 'at' || identity.refreshTokenExpiry.at <= Date.now() || timeLeftFraction(identity.refreshTokenExpiry, identity.refreshTokenObtainedAt, Date.now()) === null) return null;
  const expiry = identity.refreshTokenExpiry;
  return everySecond(h('meter', { class: 'time-left', min: '0', max: '1', 'aria-labelledby': wordsId }), (meter, now) => {
    meter.value = timeLeftFraction(expiry, identity.refreshTokenObtainedAt, now) ?? 0;
    meter.className = `time-left tone-${timeLeftTone(expiry, now, identity.warnWithinMs)}`;
  });
}

/** The refresh token's expiry: one place, so its words can change without touching the card. */
function refreshTokenFacts(identity: IdentityStatus): HTMLElement {
  const wordsId = `rt-words-${identity.id}`;
  const expiry = identity.refreshTokenExpiry;
  return h('dd', {},
    h('div', { class: 'expiry' },
      liveText(h('span', { id: wordsId, class: expiry.kind === 'at' ? 'expiry-words strong' : 'expiry-words' }), (now) => refreshTokenWords(identity, now)),
      expiry.kind === 'at' ? h('span', { class: 'muted' }, `on ${formatDateTime(expiry.at)}`) : null),
    timeLeftBar(identity, wordsId));
}

function identityFacts(identity: IdentityStatus, model: CardModel, onFailure: (failure: Failure) => Promise<void>): HTMLElement {
  return h('dl', { class: 'facts' },
    h('dt', {}, 'Backend'), h('dd', {}, breakable(hostOf(identity.backend))),
    h('dt', {}, 'Provider'), h('dd', {}, identity.provider, h('span', { class: 'muted' }, ' · ', breakable(hostOf(identity.issuer)))),
    h('dt', {}, 'User ID'),
    h('dd', {}, identity.userId
      ? h('span', { class: 'copyable' }, h('code', {}, breakable(identity.userId)), copyButton(`the user ID of ${identity.label}`, () => identity.userId ?? ''))
      : h('span', { class: 'muted' }, 'not known yet')),
    ...(model.tokenFacts
      ? [h('dt', {}, 'Access token'), h('dd', {}, liveText(h('span', {}), (t) => accessTokenWords(identity, t))),
        h('dt', {}, 'Refresh token'), refreshTokenFacts(identity)]
      : []),
    ...(model.scripts && identity.scripts ? scriptFacts(identity, identity.scripts, onFailure) : []));
}

function card(identity: IdentityStatus, refreshList: () => void): HTMLElement {
  const key = (action: string): string => `${identity.id}:${action}`;
  const remembered = feedback.get(identity.id);
  const failure = remembered && remembered.stamp === stampOf(identity) ? remembered.failure : undefined;
  const model = accountCard(identity, Date.now(), failure);
  const label = (action: CardAction): string => actionLabel(action, identity, model.state);

  async function refresh(): Promise<void> {
    feedback.delete(identity.id);
    const result = await window.openeoAuth.refreshNow(identity.id);
    if (result.ok) {
      identityStore.update(result.value);
      announce(`Refreshed ${identity.label}.`);
    } else {
      await rememberFailure(identity.id, result);
      refreshList();
    }
  }
  async function signOut(): Promise<void> {
    const answer = await confirmDialog({
      title: `Sign out of ${identity.label}?`,
      body: 'Its tokens are deleted from this computer’s keychain. Scripts that use this login stop working until you add it again.',
      confirmLabel: 'Sign out', danger: true,
      option: { label: 'Also revoke the tokens at the provider', checked: true },
    });
    if (!answer.confirmed) return;
    const result = await window.openeoAuth.signOut(identity.id, answer.optionChecked);
    if (result.ok) {
      announce(`Signed out of ${identity.label}.`);
      await identityStore.reload();
    } else {
      await rememberFailure(identity.id, result);
    }
    refreshList();
  }
  const run: Record<CardAction, () => void | Promise<void>> = {
    'sign-in-again': () => navigate({ page: 'add', identityId: identity.id }),
    'continue-sign-in': () => navigate({ page: 'add', identityId: identity.id }),
    refresh,
    copy: () => undefined,
    jobs: () => navigate({ page: 'jobs', identityId: identity.id }),
    credits: () => navigate({ page: 'credits', identityId: identity.id }),
    'sign-out': signOut,
  };
  const busyWords: Partial<Record<CardAction, string>> = { refresh: 'Refreshing…', 'sign-out': 'Signing out…' };

  // The main action stands out only when the state asks something of the person.
  const emphasise = (i: number): boolean => i === 0 && model.state !== 'active';
  const buttons = model.actions.map((action, i) => {
    if (action === 'copy') return copyMenu(identity, key('copy'), emphasise(i));
    const classes = emphasise(i) ? 'btn primary' : action === 'sign-out' ? 'btn quiet' : 'btn';
    const button = h('button', { type: 'button', class: classes, 'data-focus-key': key(action) }, label(action));
    const busy = busyWords[action];
    if (busy) return onAction(button, busy, async () => { await run[action](); });
    button.addEventListener('click', () => void run[action]());
    return button;
  });
  const more = model.more.length
    ? menuButton('More', `More actions for ${identity.label}`, model.more.map((action) => ({
      label: label(action),
      run: () => {
        if (action === 'refresh') announce(`Refreshing ${identity.label}…`);
        void run[action]();
      },
    })), key('more'))
    : null;

  const titleId = `title-${identity.id}`;
  const callout = model.callout;
  return h('li', { class: 'card', 'aria-labelledby': titleId },
    h('div', { class: 'card-head' },
      h('div', { class: 'card-title' },
        h('h2', { id: titleId }, identity.label),
        h('span', { class: 'badge' }, kindWords(identity.kind))),
      statePill(identity)),
    model.line ? h('p', { class: 'state-line' }, model.line) : null,
    callout?.alert ? problemBox({ message: callout.text, ...(callout.next ? { nextStep: callout.next } : {}) }) : null,
    callout && !callout.alert
      ? h('div', { class: `callout tone-${callout.tone}` }, h('p', {}, callout.text), callout.next ? h('p', { class: 'callout-next' }, callout.next) : null)
      : null,
    identityFacts(identity, model, async (f) => {
      await rememberFailure(identity.id, f);
      refreshList();
    }),
    h('div', { class: 'actions card-actions' }, ...buttons, more));
}

/** The Accounts page. */
export function accountsPage(): PageView {
  const addButton = h('button', { type: 'button', class: 'btn primary' }, '+ Add account');
  addButton.addEventListener('click', () => navigate({ page: 'add' }));
  const frame = pageFrame('Accounts', addButton);
  const list = h('ul', { class: 'cards', 'aria-label': 'Your accounts' });
  const forwards = forwardsPanel();

  function render(): void {
    if (!identityStore.loaded) return replace(frame.body, loading('Loading your accounts…'));
    const failure = identityStore.failure;
    if (failure) {
      const retry = onAction(h('button', { type: 'button', class: 'btn' }, 'Try again'), 'Loading…', () => identityStore.reload());
      return replace(frame.body, problemBox(failure, retry));
    }
    const identities = identityStore.list;
    addButton.hidden = identities.length === 0;
    if (identities.length === 0) {
      const add = h('button', { type: 'button', class: 'btn primary' }, 'Add your first account');
      add.addEventListener('click', () => navigate({ page: 'add' }));
      return replace(frame.body, h('div', { class: 'empty' },
        h('h2', {}, 'No accounts yet'),
        h('p', {}, 'Add the openEO backend you work with, for example Copernicus Data Space, and sign in once. '
          + 'This app then keeps the login alive, warns you before it expires, and gives your scripts fresh tokens.'),
        add));
    }
    replace(list, ...identities.map((identity) => card(identity, refresh)));
    if (list.parentElement !== frame.body) replace(frame.body, list, forwards.root);
    forwards.refresh();
  }
  const refresh = (): void => rerenderKeepingFocus(frame.body, render);
  identityStore.subscribe(refresh);
  // The state of a card changes with the clock too (a login runs out): re-render when it does.
  // "N times in the last hour" is counted by main when it answers: ask again each minute while
  // a card shows such a count, so that it falls as the hour passes without scripts.
  let shown = '';
  let minute = 0;
  everySecond(frame.root, (_el, now) => {
    const states = identityStore.list.map((i) => effectiveState(i, now)).join();
    if (shown && states !== shown) refresh();
    shown = states;
    const m = Math.floor(now / 60_000);
    if (minute && m !== minute && identityStore.list.some((i) => (i.scripts?.lastHour ?? 0) > 0)) void identityStore.reload();
    minute = m;
  });
  render();
  return { root: frame.root, heading: frame.heading, show: () => refresh() };
}
