/** Logins the window has started and not yet collected: each can be awaited once and cancelled. */
import { randomBytes } from 'node:crypto';
import { AuthTrayError } from '../errors.ts';
import type { Identity } from '../../../shared/model.ts';

interface RunningLogin {
  abort: AbortController;
  done: Promise<Identity>;
  identityId?: string;
}

export class LoginRegistry {
  private readonly running = new Map<string, RunningLogin>();

  /** Registers a login started with `abort`'s signal; returns the login id. */
  add(abort: AbortController, done: Promise<Identity>, identityId?: string): string {
    const loginId = `login-${randomBytes(6).toString('hex')}`;
    done.catch(() => undefined); // observed through wait(); never an unhandled rejection
    this.running.set(loginId, { abort, done, ...(identityId ? { identityId } : {}) });
    return loginId;
  }

  /** Resolves with the identity, or rejects with the login's AuthTrayError; forgets the login after. */
  async wait(loginId: string): Promise<Identity> {
    const login = this.running.get(loginId);
    if (!login) throw new AuthTrayError('INVALID_ARGUMENT', 'That sign-in is no longer running.', { nextStep: 'Start the sign-in again.' });
    try {
      return await login.done;
    } finally {
      this.running.delete(loginId);
    }
  }

  cancel(loginId: string): void {
    this.running.get(loginId)?.abort.abort(new Error('Cancelled in the window'));
  }

  /** Identities with a sign-in under way (state `signing-in`). */
  signingIn(): Set<string> {
    return new Set([...this.running.values()].flatMap((l) => (l.identityId ? [l.identityId] : [])));
  }

  cancelAll(): void {
    for (const login of this.running.values()) login.abort.abort(new Error('The app is quitting'));
  }
}
