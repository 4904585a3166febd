/**
 * The tray menu as a pure function of the identities' states. Per identity: a header, a state
 * line, copy actions, sign-in/refresh/sign-out, credit linking for service accounts and a Jobs
 * submenu; then the token agent's forwards (or why it is not running); then the app's own entries.
 */
import type { BatchJob, IdentityState, IdentityStatus } from '../../../shared/model.ts';
import type { CopyWhat } from '../../../shared/api.ts';
import { displayText, hostOf } from '../../../shared/format/display-text.ts';
import { effectiveState } from '../../../shared/status/look.ts';
import { jobsSubmenu } from './jobs-menu.ts';
import { stateLine, type StateLineOptions } from '../../../shared/status/state-line.ts';
import { separator, type TrayConfirmation, type TrayMenuItem } from './menu-item.ts';
import { forwardLine } from '../../../shared/format/script-words.ts';

/** One forward of the token agent, as the menu shows it. */
export interface TrayForward {
  id: string;
  identities: ReadonlyArray<{ id: string; label: string }>;
  /** Epoch ms. */
  until: number;
}

export interface TrayMenuOptions extends StateLineOptions {
  /** Known batch jobs per identity id. */
  jobs?: Record<string, BatchJob[]>;
  /** Said in the refresh-token confirmation; omitted when unknown. */
  clipboardClearSeconds?: number;
  /** The token agent, when the app serves one: its forwards, and why it is not running (null while it is). */
  agent?: { forwards: readonly TrayForward[]; problem: { message: string } | null };
  /** "Install command line tool…", where the app offers it (macOS, the AppImage). */
  commandLine?: { label: string; confirm: TrayConfirmation };
  /** An update downloaded and ready: "Restart to update to 0.2.0…". */
  update?: { label: string };
}

/** States in which the keychain gives us no token to copy. */
const NO_TOKEN: ReadonlySet<IdentityState> = new Set(['expired', 'signed-out', 'keychain-unavailable', 'signing-in']);
/** States in which "Refresh now" cannot succeed (a new sign-in is needed, or one is running). */
const NO_REFRESH: ReadonlySet<IdentityState> = new Set(['expired', 'signed-out', 'signing-in']);

const COPY_LABELS: ReadonlyArray<[CopyWhat, string]> = [
  ['access-token', 'Copy access token'],
  ['bearer', 'Copy openEO bearer'],
  ['authorization-header', 'Copy as Authorization: header'],
  ['python-snippet', 'Copy Python snippet'],
  ['refresh-token', 'Copy refresh token…'],
];

/** "CDSE — openeo.dataspace.copernicus.eu · personal". */
export function identityHeader(identity: IdentityStatus): string {
  const kind = identity.kind === 'client-credentials' ? 'service account' : 'personal';
  return `${displayText(identity.label, 40)} — ${displayText(hostOf(identity.backend), 50)} · ${kind}`;
}

function copyItems(identity: IdentityStatus, state: IdentityState, opts: TrayMenuOptions): TrayMenuItem[] {
  const tokenAvailable = !NO_TOKEN.has(state);
  const items: TrayMenuItem[] = [];
  for (const [what, label] of COPY_LABELS) {
    // Service accounts (and some IdPs) have no refresh token to copy.
    if (what === 'refresh-token' && identity.refreshTokenExpiry.kind === 'none') continue;
    const item: TrayMenuItem = {
      id: `${identity.id}:copy:${what}`,
      type: 'normal',
      label,
      // The snippet holds no secret, so it can be copied in any state.
      enabled: what === 'python-snippet' || tokenAvailable,
      action: { type: 'copy', identityId: identity.id, what },
    };
    if (what === 'refresh-token') {
      const clears = opts.clipboardClearSeconds === undefined
        ? 'It is cleared from the clipboard again after a short while.'
        : `It is cleared from the clipboard again after ${opts.clipboardClearSeconds} seconds.`;
      item.confirm = {
        message: `Copy the refresh token of ${displayText(identity.label, 40)}?`,
        detail: 'Whoever has the refresh token can get new access tokens as you until it expires, '
          + `and using it elsewhere may end this app's login on a server that rotates tokens. ${clears}`,
        confirmLabel: 'Copy refresh token',
      };
    }
    items.push(item);
  }
  return items;
}

function identityItems(identity: IdentityStatus, now: number, opts: TrayMenuOptions): TrayMenuItem[] {
  const state = effectiveState(identity, now, opts);
  const id = identity.id;
  const items: TrayMenuItem[] = [
    { id: `${id}:header`, type: 'header', label: identityHeader(identity), enabled: false },
    { id: `${id}:state`, type: 'normal', label: stateLine(identity, now, opts), enabled: false },
    ...copyItems(identity, state, opts),
    separator(`${id}:sep-copy`),
    {
      id: `${id}:sign-in-again`, type: 'normal', label: state === 'signing-in' ? 'Signing in…' : 'Sign in again…',
      enabled: state !== 'signing-in', action: { type: 'sign-in-again', identityId: id },
    },
    {
      id: `${id}:refresh`, type: 'normal', label: 'Refresh now',
      enabled: !NO_REFRESH.has(state), action: { type: 'refresh', identityId: id },
    },
    {
      id: `${id}:sign-out`, type: 'normal', label: 'Sign out…', enabled: state !== 'signed-out',
      action: { type: 'sign-out', identityId: id },
      confirm: {
        message: `Sign out of ${displayText(identity.label, 40)}?`,
        detail: 'Its tokens are removed from the keychain. Scripts that use this login stop working until you sign in again.',
        confirmLabel: 'Sign out',
      },
    },
  ];
  if (identity.kind === 'client-credentials') {
    items.push({
      id: `${id}:credits`, type: 'normal', label: 'Link credits to your personal account…', enabled: true,
      action: { type: 'open-window', page: 'credits', identityId: id },
    });
  }
  items.push(jobsSubmenu(id, opts.jobs?.[id]));
  return items;
}

/**
 * The agent's part: each forward ("Forwarded: CDSE (alice) until 18:00") with Stop in its
 * submenu, or one disabled line when the agent could not start. Empty when there is nothing to say.
 */
function agentItems(identities: readonly IdentityStatus[], now: number, opts: TrayMenuOptions): TrayMenuItem[] {
  const agent = opts.agent;
  if (!agent) return [];
  const items: TrayMenuItem[] = agent.forwards.map((f) => {
    const logins = f.identities.map((i) => {
      const row = identities.find((r) => r.id === i.id);
      return { label: row?.label ?? i.label, ...(row ? { provider: row.provider } : {}) };
    });
    return {
      id: `forward:${f.id}`, type: 'submenu', label: displayText(forwardLine(logins, f.until, now, opts), 100), enabled: true,
      submenu: [{ id: `forward:${f.id}:stop`, type: 'normal', label: 'Stop', enabled: true, action: { type: 'stop-forward', forwardId: f.id } }],
    };
  });
  if (agent.problem) {
    items.push({ id: 'agent-problem', type: 'normal', label: `Token agent not running: ${displayText(agent.problem.message, 90)}`, enabled: false });
  }
  return items.length ? [...items, separator('sep-agent')] : [];
}

/**
 * The whole tray menu. With no identities it says so and offers to add one. Disabled items
 * explain nothing themselves: the state line above them says why.
 */
export function buildTrayMenu(identities: readonly IdentityStatus[], now: number, opts: TrayMenuOptions = {}): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  if (identities.length === 0) {
    items.push(
      { id: 'no-accounts', type: 'normal', label: 'No accounts yet', enabled: false },
      { id: 'no-accounts-hint', type: 'normal', label: 'Add an openEO backend to keep its login alive.', enabled: false },
      separator('sep-accounts'),
    );
  }
  for (const identity of identities) {
    items.push(...identityItems(identity, now, opts), separator(`${identity.id}:sep-end`));
  }
  items.push(...agentItems(identities, now, opts));
  items.push(
    { id: 'add-account', type: 'normal', label: 'Add account…', enabled: true, action: { type: 'add-account' } },
    { id: 'open-window', type: 'normal', label: 'Open window', enabled: true, action: { type: 'open-window', page: 'accounts' } },
    { id: 'settings', type: 'normal', label: 'Settings…', enabled: true, action: { type: 'settings' } },
  );
  if (opts.commandLine) {
    items.push({ id: 'install-command-line', type: 'normal', label: opts.commandLine.label, enabled: true, action: { type: 'install-command-line' }, confirm: opts.commandLine.confirm });
  }
  if (opts.update) items.push({ id: 'install-update', type: 'normal', label: opts.update.label, enabled: true, action: { type: 'install-update' } });
  items.push(
    separator('sep-quit'),
    { id: 'quit', type: 'normal', label: 'Quit openEO Auth Tray', enabled: true, action: { type: 'quit' } },
  );
  return items;
}
