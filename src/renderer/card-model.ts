/**
 * What an account card shows, decided without the DOM so tests can call it in plain Node.
 * The rules, for every state:
 * - one state per card: the pill, at most one line under the title, at most one callout;
 * - only facts that are true in that state (no token countdown on a login that has ended);
 * - only actions that can work in that state, the main one first and rare ones under "More".
 * accounts.ts renders this and nothing else.
 */
import type { IdentityStatus } from '../shared/api.ts';
import { stateLine } from '../shared/status/state-line.ts';
import { STATE_WORDS, effectiveState, formatDateTime, type Tone } from './words.ts';

type IdentityState = IdentityStatus['state'];

export type CardAction = 'sign-in-again' | 'continue-sign-in' | 'refresh' | 'copy' | 'jobs' | 'credits' | 'sign-out';

export interface CardCallout {
  tone: Tone;
  /** What happened, in the core's or the tray's words. */
  text: string;
  /** What to do about it, when the text does not say. */
  next?: string;
  /** A failure the person just caused by an action: announced as an alert. */
  alert: boolean;
}

export interface CardModel {
  state: IdentityState;
  pill: { label: string; tone: Tone };
  /** The tray's state line, where it adds to the pill (e.g. "Offline since 09:42 — retrying"). */
  line: string | null;
  callout: CardCallout | null;
  /** Access-token countdown and refresh-token expiry: only while the tokens can be used. */
  tokenFacts: boolean;
  /**
   * Scripts' use of the login and its script settings: wherever the app serves the token agent,
   * in every state (the setting holds whatever the login's state; the use is a fact of the past).
   */
  scripts: boolean;
  /** Buttons in order; the first is the main action. */
  actions: CardAction[];
  /** Rare actions, under one "More" menu. */
  more: CardAction[];
}

/** A failed action remembered for the card. */
export interface CardFailure {
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

/** The card for `identity` at `now`; `failure` is the last action that failed on it, if still current. */
export function accountCard(identity: IdentityStatus, now: number, failure?: CardFailure): CardModel {
  const state = effectiveState(identity, now);
  const pill = STATE_WORDS[state];
  const standing = identity.problem;
  const asAlert = (f: CardFailure, tone: Tone = 'bad'): CardCallout => ({ tone, text: f.message, ...(f.nextStep ? { next: f.nextStep } : {}), alert: true });
  const base = { state, pill, tokenFacts: USABLE.has(state), scripts: identity.scripts !== undefined };

  switch (state) {
    case 'expired':
    case 'signed-out': {
      const text = failure?.message ?? (state === 'signed-out' ? 'This account has no login on this computer.' : endedWords(identity, now));
      return {
        ...base, line: null,
        callout: { tone: 'bad', text, next: 'Sign in again to use it; scripts that use it fail until then.', alert: failure !== undefined },
        actions: ['sign-in-again', 'sign-out'], more: [],
      };
    }
    case 'signing-in':
      return { ...base, line: null, callout: failure ? asAlert(failure) : null, actions: ['continue-sign-in'], more: ['sign-out'] };
    case 'keychain-unavailable':
      return {
        ...base, line: stateLine(identity, now),
        callout: failure ? asAlert(failure) : standing ? { tone: 'bad', text: standing.message, alert: false } : null,
        actions: ['refresh'], more: ['sign-out'],
      };
    case 'offline':
      return {
        ...base, line: stateLine(identity, now),
        callout: failure ? asAlert(failure, 'warn') : standing ? { tone: 'warn', text: standing.message, alert: false } : null,
        actions: ['refresh', 'copy', 'jobs', 'credits'], more: ['sign-in-again', 'sign-out'],
      };
    case 'error':
      return {
        ...base, line: null,
        callout: failure ? asAlert(failure)
          : { tone: 'bad', text: standing?.message ?? 'The last refresh did not work.', next: 'Try again now; if it keeps failing, sign in again.', alert: false },
        actions: ['refresh', 'copy', 'jobs', 'credits'], more: ['sign-in-again', 'sign-out'],
      };
    case 'expiring-soon':
      // The pill says "Expires soon", the refresh-token row says when: no third line repeating it.
      return {
        ...base, line: null, callout: failure ? asAlert(failure) : null,
        actions: ['sign-in-again', 'copy', 'jobs', 'credits'], more: ['refresh', 'sign-out'],
      };
    case 'active':
      return {
        ...base, line: null, callout: failure ? asAlert(failure) : null,
        actions: ['copy', 'jobs', 'credits'], more: ['refresh', 'sign-in-again', 'sign-out'],
      };
  }
}

/** The words on each action's button or menu item. */
export function actionLabel(action: CardAction, identity: Pick<IdentityStatus, 'kind'>, state: IdentityState): string {
  switch (action) {
    case 'sign-in-again': return 'Sign in again';
    case 'continue-sign-in': return 'Show the sign-in';
    case 'refresh': return state === 'active' || state === 'expiring-soon' ? 'Refresh now' : 'Try again now';
    case 'copy': return 'Copy';
    case 'jobs': return 'Jobs';
    case 'credits': return identity.kind === 'client-credentials' ? 'Link credits…' : 'Credits';
    case 'sign-out': return 'Sign out';
  }
}
