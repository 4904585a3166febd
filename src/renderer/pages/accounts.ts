/**
 * Accounts: every identity with its backend, provider, kind, user id and state, the access
 * token's countdown, the refresh token's expiry as a date, words and a "time left" bar, and the
 * same actions as the tray. An empty state says what to do first.
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { stateLine } from '../../main/core/tray/state-line.ts';
import { hostOf } from '../../main/core/format/display-text.ts';
import { h, rerenderKeepingFocus, replace } from '../dom.ts';
import { everySecond, liveText } from '../live.ts';
import { announce, copyButton, loading, onAction, problemBox, type Failure } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { navigate, pageFrame, type PageView } from '../router.ts';
import { copyMenu } from './copy-menu.ts';
import { confirmDialog } from '../dialog.ts';
import {
  STATE_WORDS, accessTokenWords, effectiveState, formatDateTime, kindWords, needsLogin, refreshTokenWords,
  timeLeftFraction, timeLeftTone,
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
    meter.className = `time-left tone-${timeLeftTone(expiry, now)}`;
  });
}

function refreshTokenFacts(identity: IdentityStatus): HTMLElement {
  const wordsId = `rt-words-${identity.id}`;
  const expiry = identity.refreshTokenExpiry;
  return h('dd', {},
    h('div', { class: 'expiry' },
      liveText(h('span', { id: wordsId, class: expiry.kind === 'at' ? 'expiry-words strong' : 'expiry-words' }), (now) => refreshTokenWords(identity, now)),
      expiry.kind === 'at' ? h('span', { class: 'muted' }, `on ${formatDateTime(expiry.at)}`) : null),
    timeLeftBar(identity, wordsId));
}

function card(identity: IdentityStatus, refreshList: () => void): HTMLElement {
  const key = (action: string): string => `${identity.id}:${action}`;
  const now = Date.now();
  const state = effectiveState(identity, now);
  const signInAgain = h('button', { type: 'button', class: needsLogin(state) ? 'btn primary' : 'btn', 'data-focus-key': key('login') }, 'Sign in again');
  signInAgain.addEventListener('click', () => navigate({ page: 'add', identityId: identity.id }));

  const refresh = onAction(h('button', { type: 'button', class: 'btn', 'data-focus-key': key('refresh') }, 'Refresh now'), 'Refreshing…', async () => {
    feedback.delete(identity.id);
    const result = await window.openeoAuth.refreshNow(identity.id);
    if (result.ok) {
      identityStore.update(result.value);
      announce(`Refreshed ${identity.label}.`);
    } else {
      await rememberFailure(identity.id, result);
      refreshList();
    }
  });

  const signOut = onAction(h('button', { type: 'button', class: 'btn quiet', 'data-focus-key': key('signout') }, 'Sign out'), 'Signing out…', async () => {
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
  });

  const credits = h('button', { type: 'button', class: 'btn', 'data-focus-key': key('credits') },
    identity.kind === 'client-credentials' ? 'Link credits…' : 'Credits');
  credits.addEventListener('click', () => navigate({ page: 'credits', identityId: identity.id }));

  // An action that just failed is an alert; a standing problem (offline, keychain) is part of the state.
  const remembered = feedback.get(identity.id);
  const failure = remembered && remembered.stamp === stampOf(identity) ? remembered.failure : undefined;
  const standing = !failure && identity.problem && !needsLogin(state) ? identity.problem : null;
  const titleId = `title-${identity.id}`;
  return h('li', { class: 'card', 'aria-labelledby': titleId },
    h('div', { class: 'card-head' },
      h('div', { class: 'card-title' },
        h('h2', { id: titleId }, identity.label),
        h('span', { class: 'badge' }, kindWords(identity.kind))),
      statePill(identity)),
    state === 'active' || needsLogin(state) ? null : liveText(h('p', { class: 'state-line' }), (t) => stateLine(identity, t)),
    needsLogin(state)
      ? h('p', { class: 'callout tone-bad' }, 'This login no longer works. Sign in again to keep using it; scripts that use it fail until then.')
      : null,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Backend'), h('dd', {}, hostOf(identity.backend)),
      h('dt', {}, 'Provider'), h('dd', {}, identity.provider, h('span', { class: 'muted' }, ` · ${hostOf(identity.issuer)}`)),
      h('dt', {}, 'User ID'),
      h('dd', {}, identity.userId
        ? h('span', { class: 'copyable' }, h('code', {}, identity.userId), copyButton(`the user ID of ${identity.label}`, () => identity.userId ?? ''))
        : h('span', { class: 'muted' }, 'not known yet')),
      h('dt', {}, 'Access token'),
      h('dd', {}, liveText(h('span', {}), (t) => accessTokenWords(identity, t))),
      h('dt', {}, 'Refresh token'),
      refreshTokenFacts(identity)),
    failure ? problemBox(failure) : null,
    standing ? h('p', { class: `callout tone-${STATE_WORDS[state].tone}` }, standing.message) : null,
    h('div', { class: 'actions' },
      needsLogin(state) ? signInAgain : null,
      refresh,
      copyMenu(identity, key('copy')),
      credits,
      needsLogin(state) ? null : signInAgain,
      signOut));
}

/** The Accounts page. */
export function accountsPage(): PageView {
  const addButton = h('button', { type: 'button', class: 'btn primary' }, '+ Add account');
  addButton.addEventListener('click', () => navigate({ page: 'add' }));
  const frame = pageFrame('Accounts', addButton);
  const list = h('ul', { class: 'cards', 'aria-label': 'Your accounts' });

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
    if (list.parentElement !== frame.body) replace(frame.body, list);
  }
  const refresh = (): void => rerenderKeepingFocus(frame.body, render);
  identityStore.subscribe(refresh);
  render();
  return { root: frame.root, heading: frame.heading, show: () => refresh() };
}
