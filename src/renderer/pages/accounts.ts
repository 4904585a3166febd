/**
 * Accounts: every identity as one compact row (./account-row.ts) — its name, its backend and one
 * line that says when to act — opening in place for the details and the rare actions; under them
 * the token agent's forwards. An empty state says what to do first.
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { h, rerenderKeepingFocus, replace } from '../dom.ts';
import { everySecond } from '../live.ts';
import { announce, loading, onAction, problemBox, type Failure } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { navigate, pageFrame, type PageView } from '../router.ts';
import { confirmDialog } from '../dialog.ts';
import type { AccountAction } from '../account-model.ts';
import { effectiveState } from '../words.ts';
import { accountRow, type RowActions } from './account-row.ts';
import { forwardsPanel } from './forwards.ts';
import { renameForm } from './rename-form.ts';

/**
 * The last failed action on each identity, shown on its row while the identity is as it was
 * then (same state, same access token): a later login or refresh makes it stale, and it goes.
 */
const feedback = new Map<string, { failure: Failure; stamp: string }>();
const stampOf = (identity: IdentityStatus | undefined): string => (identity ? `${identity.state}|${identity.accessTokenExpiresAt}` : '');

async function rememberFailure(identityId: string, failure: Failure): Promise<void> {
  await identityStore.reload();
  feedback.set(identityId, { failure, stamp: stampOf(identityStore.find(identityId)) });
}

/** The Accounts page. */
export function accountsPage(): PageView {
  const frame = pageFrame('Accounts');
  const list = h('ul', { class: 'accounts', 'aria-label': 'Your accounts' });
  const forwards = forwardsPanel();
  /** Rows shown open, and open rename forms: kept across re-renders. */
  const expanded = new Set<string>();
  const renaming = new Map<string, HTMLElement>();

  async function refreshNow(identity: IdentityStatus): Promise<void> {
    feedback.delete(identity.id);
    const result = await window.openeoAuth.refreshNow(identity.id);
    if (result.ok) identityStore.update(result.value);
    else await rememberFailure(identity.id, result);
    // The row shows the outcome even when the list itself is as it was.
    refresh();
    if (result.ok) announce(`Refreshed ${identity.label}.`);
  }
  async function signOut(identity: IdentityStatus): Promise<void> {
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
      expanded.delete(identity.id);
      renaming.delete(identity.id);
      await identityStore.reload();
    } else {
      await rememberFailure(identity.id, result);
    }
    refresh();
  }
  function rename(identity: IdentityStatus): void {
    expanded.add(identity.id);
    renaming.set(identity.id, renameForm(identity, (renamed) => {
      renaming.delete(identity.id);
      if (renamed) identityStore.update(renamed);
      refresh();
      list.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(`${identity.id}:details`)}"]`)?.focus();
    }));
    refresh();
  }

  const actions: RowActions = {
    run(action: AccountAction, identity: IdentityStatus) {
      switch (action) {
        case 'sign-in-again':
        case 'continue-sign-in':
          return navigate({ page: 'add', identityId: identity.id });
        case 'refresh':
          return refreshNow(identity);
        case 'copy':
          return undefined; // a menu of its own
        case 'jobs':
          return navigate({ page: 'jobs', identityId: identity.id });
        case 'credits':
          return navigate({ page: 'credits', identityId: identity.id });
        case 'rename':
          return rename(identity);
        case 'sign-out':
          return signOut(identity);
      }
    },
    busy: { refresh: 'Refreshing…', 'sign-out': 'Signing out…' },
    async onScriptFailure(identity, failure) {
      await rememberFailure(identity.id, failure);
      refresh();
    },
  };

  function row(identity: IdentityStatus): HTMLElement {
    const remembered = feedback.get(identity.id);
    const failure = remembered && remembered.stamp === stampOf(identity) ? remembered.failure : undefined;
    return accountRow(identity, failure, actions, {
      expanded: expanded.has(identity.id),
      onToggle: (open) => (open ? expanded.add(identity.id) : expanded.delete(identity.id)),
      renameForm: renaming.get(identity.id) ?? null,
    });
  }

  function render(): void {
    if (!identityStore.loaded) return replace(frame.body, loading('Loading your accounts…'));
    const failure = identityStore.failure;
    if (failure) {
      const retry = onAction(h('button', { type: 'button', class: 'btn' }, 'Try again'), 'Loading…', () => identityStore.reload());
      return replace(frame.body, problemBox(failure, retry));
    }
    const identities = identityStore.list;
    if (identities.length === 0) {
      const add = h('button', { type: 'button', class: 'btn primary' }, 'Add your first account');
      add.addEventListener('click', () => navigate({ page: 'add' }));
      return replace(frame.body, h('div', { class: 'empty' },
        h('h2', {}, 'No accounts yet'),
        h('p', {}, 'Add the openEO backend you work with, for example Copernicus Data Space, and sign in once. '
          + 'This app then keeps the login alive, warns you before it expires, and gives your scripts fresh tokens.'),
        add));
    }
    replace(list, ...identities.map(row));
    if (list.parentElement !== frame.body) replace(frame.body, list, forwards.root);
    forwards.refresh();
  }
  const refresh = (): void => rerenderKeepingFocus(frame.body, render);
  // A push that changes nothing (main says "changed" for many reasons) leaves the rows, and a menu
  // open on one, as they are.
  let heard = '';
  identityStore.subscribe(() => {
    const now = JSON.stringify([identityStore.loaded, identityStore.failure?.message ?? null, identityStore.list]);
    if (now === heard) return;
    heard = now;
    refresh();
  });
  // A row's state changes with the clock too (a login runs out): re-render when it does.
  // "N times in the last hour" is counted by main when it answers: ask again each minute while
  // a row shows such a count, so that it falls as the hour passes without scripts.
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
