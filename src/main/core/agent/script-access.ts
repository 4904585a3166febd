/**
 * Whether a script may have a login's access token. Per identity (its `scripts` setting):
 * scripts may use it (default) or not; and, if they may, whether a script not seen in the last hour
 * must be let in by the person first ("Ask before a new script uses it", off by default).
 *
 * A "script" is what the client calls itself (the application hint): nothing verifies it, so the
 * question says so. One question per identity and hint at a time (every request waiting for it
 * shares the answer), a few questions at once at most, and an unanswered one is a "no".
 */
import { AuthTrayError } from '../errors.ts';
import type { Identity } from '../../../shared/model.ts';
import { systemTimers, type Clock, type Timers } from '../ports.ts';

export type ScriptAccess = 'allow' | 'ask' | 'deny';

/** An identity's setting as one of three: `allow` (default), `ask` or `deny`. */
export function scriptAccessOf(identity: Pick<Identity, 'scripts'>): ScriptAccess {
  const s = identity.scripts;
  if (!s) return 'allow';
  if (!s.allowed) return 'deny';
  return s.ask ? 'ask' : 'allow';
}

/** The setting for `access`, as kept on the identity. */
export function scriptsSetting(access: ScriptAccess): NonNullable<Identity['scripts']> {
  return { allowed: access !== 'deny', ask: access === 'ask' };
}

export interface AccessQuestion {
  identity: Identity;
  /** The client's own name for itself (unverified; control characters already stripped). */
  hint: string;
  /** The forward the request came through, when it did ("from a remote machine"). */
  forward?: { id: string; until: number };
}

/** Asks the person; resolves to their answer. Absent: nobody can be asked, which is a "no". */
export type AskFn = (question: AccessQuestion, signal: AbortSignal) => Promise<'allow' | 'deny'>;

export interface ScriptAccessOptions {
  clock: Clock;
  timers?: Timers;
  ask?: AskFn;
  /** How long "Allow" lasts, per identity and hint (default 1 hour). */
  allowForMs?: number;
  /** How long a "Deny" (or no answer) is remembered, so a script in a loop does not ask again and again (default 1 minute). */
  denyForMs?: number;
  /** How long a question waits for an answer (default 2 minutes). */
  askTimeoutMs?: number;
  /** Questions open at once (default 3). */
  maxOpenQuestions?: number;
}

function denied(identity: Identity, why: string, next: string): AuthTrayError {
  return new AuthTrayError('SCRIPT_ACCESS_DENIED', `Scripts may not use the login "${identity.label}": ${why}.`, { nextStep: next });
}

const ALLOW_IN_WINDOW = 'Allow it in the openEO Auth Tray window (the login\'s details), or run: openeo-auth-tray script-access';

export class ScriptAccessGate {
  private readonly decided = new Map<string, { answer: 'allow' | 'deny'; until: number }>();
  private readonly open = new Map<string, Promise<'allow' | 'deny'>>();
  private readonly opts: Required<Omit<ScriptAccessOptions, 'ask'>> & Pick<ScriptAccessOptions, 'ask'>;

  constructor(opts: ScriptAccessOptions) {
    this.opts = { timers: systemTimers, allowForMs: 3_600_000, denyForMs: 60_000, askTimeoutMs: 120_000, maxOpenQuestions: 3, ...opts };
  }

  /** Resolves when the request may have a token; throws SCRIPT_ACCESS_DENIED otherwise. */
  async check(question: AccessQuestion): Promise<void> {
    const { identity } = question;
    const access = scriptAccessOf(identity);
    if (access === 'allow') return;
    if (access === 'deny') throw denied(identity, 'that is switched off for this login', `${ALLOW_IN_WINDOW} ${identity.id} allow`);
    const key = `${identity.id}\u0000${question.forward?.id ?? ''}\u0000${question.hint}`;
    const now = this.opts.clock.now();
    const known = this.decided.get(key);
    if (known && known.until > now) {
      if (known.answer === 'allow') return;
      throw denied(identity, 'you said no to this script a moment ago', 'Run it again in a minute to be asked again.');
    }
    let answer = this.open.get(key);
    if (!answer) {
      if (!this.opts.ask) {
        throw denied(identity, 'it asks you first, and there is nobody to ask here', `Run the agent in a terminal to be asked, or let scripts in without asking: openeo-auth-tray script-access ${identity.id} allow`);
      }
      if (this.open.size >= this.opts.maxOpenQuestions) throw denied(identity, 'too many scripts are waiting for an answer', 'Answer the open questions, then try again.');
      answer = this.askOnce(question);
      this.open.set(key, answer);
      void answer.finally(() => this.open.delete(key));
    }
    const result = await answer;
    this.decided.set(key, { answer: result, until: this.opts.clock.now() + (result === 'allow' ? this.opts.allowForMs : this.opts.denyForMs) });
    if (result !== 'allow') throw denied(identity, 'you did not allow this script', 'Run it again to be asked again.');
  }

  /** Forgets every answer about `identityId` (its setting changed, or it was signed out). */
  forget(identityId: string): void {
    for (const key of this.decided.keys()) if (key.startsWith(`${identityId}\u0000`)) this.decided.delete(key);
  }

  private async askOnce(question: AccessQuestion): Promise<'allow' | 'deny'> {
    const controller = new AbortController();
    const timer = this.opts.timers.setTimeout(() => controller.abort(new Error('no answer in time')), this.opts.askTimeoutMs);
    try {
      const asked = this.opts.ask!(question, controller.signal);
      const timedOut = new Promise<'deny'>((resolve) => controller.signal.addEventListener('abort', () => resolve('deny'), { once: true }));
      return await Promise.race([asked, timedOut]);
    } catch {
      return 'deny';
    } finally {
      this.opts.timers.clearTimeout(timer);
      controller.abort();
    }
  }
}
