/**
 * What an account's row shows and offers, decided without the DOM so tests can call it in Node.
 * The rules, for every state:
 * - one line says where the login stands and when to act (words.ts `accountStateLine`);
 * - the row has one action: what the state asks of the person (sign in again, try again), or the
 *   daily one (Copy) when it asks nothing;
 * - the details, opened in place, hold only what is true in that state (no token facts on a
 *   login that has ended) and the rest of the actions, the rare ones under "More";
 * - a failure the person just caused is said on the row itself, as an alert.
 * pages/accounts.ts renders this and nothing else.
 */
import type { IdentityStatus } from '../shared/api.ts';
import { accountStateLine, effectiveState, formatDateTime, type Tone } from './words.ts';

type IdentityState = IdentityStatus['state'];

export type AccountAction = 'sign-in-again' | 'continue-sign-in' | 'refresh' | 'copy' | 'jobs' | 'credits' | 'rename' | 'sign-out';

export interface AccountCallout {
  tone: Tone;
  /** What happened, in the core's words. */
  text: string;
  /** What to do about it, when the text does not say. */
  next?: string;
  /** A failure the person just caused by an action: shown on the row, announced as an alert. */
  alert: boolean;
}

export interface AccountModel {
  state: IdentityState;
  line: { text: string; tone: Tone };
  /** The row's one action. */
  main: AccountAction;
  /** Whether the main action asks something of the person (then it stands out). */
  urgent: boolean;
  /** A failed action (on the row) or a standing problem (in the details). */
  callout: AccountCallout | null;
  /** The login's end and its last renewal: only while its tokens can be used. */
  loginFacts: boolean;
  /** Scripts' use and settings, wherever the app serves the token agent (in every state). */
  scripts: boolean;
  /** Buttons in the details, in order. */
  actions: AccountAction[];
  /** Rare actions, under one "More" menu in the details. */
  more: AccountAction[];
}

/** A failed action remembered for the row. */
export interface AccountFailure {
  message: string;
  nextStep?: string;
}

const USABLE: ReadonlySet<IdentityState> = new Set(['active', 'expiring-soon', 'offline', 'error']);

/** Why a login that needs a new sign-in ended, as a fact. */
function endedWords(identity: IdentityStatus, now: number): string {
  const expiry = identity.refreshTokenExpiry;
  if (expiry.kind === 'at' && expiry.at <= now) return `This login ended on ${formatDateTime(expiry.at)}.`;
  return 'This login has ended: the identity provider no longer accepts it.';
}

/** The row of `identity` at `now`; `failure` is the last action that failed on it, if still current. */
export function accountModel(identity: IdentityStatus, now: number, failure?: AccountFailure): AccountModel {
  const state = effectiveState(identity, now);
  const line = accountStateLine(identity, now);
  const standing = identity.problem;
  const failed: AccountCallout | null = failure ? { tone: 'bad', text: failure.message, ...(failure.nextStep ? { next: failure.nextStep } : {}), alert: true } : null;
  const base = { state, line, loginFacts: USABLE.has(state), scripts: identity.scripts !== undefined };
  const daily: AccountAction[] = ['jobs', 'credits'];

  switch (state) {
    case 'expired':
    case 'signed-out': {
      const text = state === 'signed-out' ? 'This account has no login on this computer.' : endedWords(identity, now);
      return {
        ...base, main: 'sign-in-again', urgent: true,
        callout: failed ?? { tone: 'bad', text, next: 'Sign in again to use it; scripts that use it fail until then.', alert: false },
        actions: [], more: ['rename', 'sign-out'],
      };
    }
    case 'signing-in':
      return { ...base, main: 'continue-sign-in', urgent: true, callout: failed, actions: [], more: ['rename', 'sign-out'] };
    case 'keychain-unavailable':
      return {
        ...base, main: 'refresh', urgent: true,
        callout: failed ?? (standing ? { tone: 'bad', text: standing.message, alert: false } : null),
        actions: [], more: ['rename', 'sign-out'],
      };
    case 'offline':
      return {
        ...base, main: 'refresh', urgent: true,
        callout: failed ?? (standing ? { tone: 'warn', text: standing.message, alert: false } : null),
        actions: ['copy', ...daily], more: ['rename', 'sign-in-again', 'sign-out'],
      };
    case 'error':
      return {
        ...base, main: 'refresh', urgent: true,
        callout: failed ?? { tone: 'bad', text: standing?.message ?? 'The last renewal did not work.', next: 'Try again now; if it keeps failing, sign in again.', alert: false },
        actions: ['copy', ...daily], more: ['rename', 'sign-in-again', 'sign-out'],
      };
    case 'expiring-soon':
      return { ...base, main: 'sign-in-again', urgent: true, callout: failed, actions: ['copy', ...daily], more: ['rename', 'refresh', 'sign-out'] };
    case 'active':
      return { ...base, main: 'copy', urgent: false, callout: failed, actions: daily, more: ['rename', 'refresh', 'sign-in-again', 'sign-out'] };
  }
}

/** The words on each action's button or menu item. */
export function actionLabel(action: AccountAction, identity: Pick<IdentityStatus, 'kind'>, state: IdentityState): string {
  switch (action) {
    case 'sign-in-again': return 'Sign in again';
    case 'continue-sign-in': return 'Show the sign-in';
    case 'refresh': return state === 'active' || state === 'expiring-soon' ? 'Refresh now' : 'Try again now';
    case 'copy': return 'Copy';
    case 'jobs': return 'Jobs';
    case 'credits': return identity.kind === 'client-credentials' ? 'Link credits…' : 'Credits';
    case 'rename': return 'Rename…';
    case 'sign-out': return 'Sign out';
  }
}
