/**
 * One account as a compact row — its name, its backend, one line that says when to act, and one
 * action — that opens in place for the details (who signed in, the login's end, its last renewal,
 * scripts' use and settings) and the rest of the actions, the rare ones under "More". What the row
 * shows and offers in each state is decided in ../account-model.ts; this file only renders it.
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { hostOf } from '../../shared/format/display-text.ts';
import { breakable, h, wrapLongWords } from '../dom.ts';
import { copyButton, onAction, problemBox, type Failure } from '../feedback.ts';
import { icon, type IconName } from '../icons.ts';
import { menuButton } from '../menu.ts';
import { accountModel, actionLabel, type AccountAction, type AccountFailure, type AccountModel } from '../account-model.ts';
import { kindWords, lastRenewedWords, loginEndWords, type Tone } from '../words.ts';
import { copyMenu } from './copy-menu.ts';
import { scriptFacts } from './script-access.ts';

const MARK: Record<Tone, IconName> = { ok: 'ok', warn: 'warn', bad: 'bad', info: 'info', neutral: 'neutral' };

/** What the row does when an action is chosen; the page owns the actions. */
export interface RowActions {
  run(action: AccountAction, identity: IdentityStatus): void | Promise<void>;
  /** Words on the button while the action runs (e.g. "Refreshing…"); without, the button is not busy. */
  busy: Partial<Record<AccountAction, string>>;
  /** A script setting that could not be saved: shown on the row. */
  onScriptFailure(identity: IdentityStatus, failure: Failure): Promise<void>;
}

export interface RowState {
  expanded: boolean;
  onToggle(expanded: boolean): void;
  /** The rename form, when it is open on this row. */
  renameForm: HTMLElement | null;
}

function actionButton(action: AccountAction, identity: IdentityStatus, model: AccountModel, actions: RowActions, primary: boolean): HTMLElement {
  const key = `${identity.id}:${action}`;
  if (action === 'copy') return copyMenu(identity, key, primary);
  const classes = primary ? 'btn primary' : 'btn';
  const button = h('button', { type: 'button', class: classes, 'data-focus-key': key }, actionLabel(action, identity, model.state));
  const busy = actions.busy[action];
  if (busy) return onAction(button, busy, async () => { await actions.run(action, identity); });
  button.addEventListener('click', () => void actions.run(action, identity));
  return button;
}

function callout(model: AccountModel): HTMLElement | null {
  const c = model.callout;
  if (!c) return null;
  if (c.alert) return problemBox({ message: c.text, ...(c.next ? { nextStep: c.next } : {}) });
  return h('div', { class: `callout tone-${c.tone}` }, h('p', {}, wrapLongWords(c.text)), c.next ? h('p', { class: 'callout-next' }, c.next) : null);
}

function fact(term: string, ...value: Array<Node | string | null>): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, ...value)];
}

function details(identity: IdentityStatus, model: AccountModel, actions: RowActions, state: RowState, id: string): HTMLElement {
  const now = Date.now();
  const userId = identity.userId
    ? h('span', { class: 'copyable' }, h('code', {}, breakable(identity.userId)), copyButton(`the user ID of ${identity.label}`, () => identity.userId ?? ''))
    : h('span', { class: 'muted' }, 'Not known yet');
  const facts = h('dl', { class: 'facts account-facts' },
    ...fact(identity.kind === 'client-credentials' ? 'Service account user ID' : 'User ID', userId),
    ...fact('Backend', h('span', { class: 'url' }, breakable(identity.backend))),
    ...fact('Provider', identity.provider, h('span', { class: 'muted' }, ' · ', breakable(hostOf(identity.issuer)))),
    ...(model.loginFacts
      ? [...fact('Login', loginEndWords(identity, now)), ...fact('Last renewed', lastRenewedWords(identity.lastRenewedAt ?? identity.accessTokenObtainedAt, now))]
      : []),
    ...(model.scripts && identity.scripts ? scriptFacts(identity, identity.scripts, (f) => actions.onScriptFailure(identity, f)) : []));
  const more = model.more.length
    ? menuButton('More', `More actions for ${identity.label}`, model.more.map((action) => ({
      label: actionLabel(action, identity, model.state),
      run: () => void actions.run(action, identity),
    })), { focusKey: `${identity.id}:more` })
    : null;
  const buttons = model.actions.filter((a) => a !== model.main).map((a) => actionButton(a, identity, model, actions, false));
  return h('div', { class: 'account-details', id, hidden: !state.expanded },
    model.callout && !model.callout.alert ? callout(model) : null,
    facts,
    state.renameForm,
    h('div', { class: 'actions account-more' }, ...buttons, more));
}

/** The row of one account. */
export function accountRow(identity: IdentityStatus, failure: AccountFailure | undefined, actions: RowActions, state: RowState): HTMLElement {
  const model = accountModel(identity, Date.now(), failure);
  const titleId = `account-${identity.id}`;
  const detailsId = `account-details-${identity.id}`;
  const toggle = h('button', {
    type: 'button', class: 'btn disclosure', 'aria-expanded': String(state.expanded), 'aria-controls': detailsId,
    'aria-label': `${state.expanded ? 'Hide the details' : 'Details'} of ${identity.label}`, 'data-focus-key': `${identity.id}:details`,
  }, state.expanded ? 'Hide' : 'Details', h('span', { class: 'caret', 'aria-hidden': 'true' }));
  const body = details(identity, model, actions, state, detailsId);
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.setAttribute('aria-label', `${open ? 'Hide the details' : 'Details'} of ${identity.label}`);
    toggle.firstChild!.textContent = open ? 'Hide' : 'Details';
    body.hidden = !open;
    state.onToggle(open);
  });
  const meta = identity.kind === 'client-credentials' ? [breakable(hostOf(identity.backend)), ` · ${kindWords(identity.kind).toLowerCase()}`] : [breakable(hostOf(identity.backend))];
  return h('li', { class: `account tone-${model.line.tone}`, 'aria-labelledby': titleId, 'data-state': model.state },
    h('div', { class: 'account-row' },
      h('span', { class: 'state-mark' }, icon(MARK[model.line.tone])),
      h('div', { class: 'account-text' },
        h('div', { class: 'account-title' },
          h('h2', { id: titleId, class: 'account-name' }, wrapLongWords(identity.label)),
          h('p', { class: 'account-backend' }, ...meta)),
        h('p', { class: 'account-state' }, model.line.text)),
      h('div', { class: 'actions account-actions' }, actionButton(model.main, identity, model, actions, model.urgent), toggle)),
    model.callout?.alert ? callout(model) : null,
    body);
}
