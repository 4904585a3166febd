/**
 * Where a refresh's refresh token comes from, and where the rotated one goes: the one strategy
 * the token service asks, so that its refresh reads as cache → lock → grant → persist.
 *
 * - {@link ownRefreshToken}: the keychain's token is the only one; refused means the login ended.
 * - {@link sharedRefreshToken}: the login is shared with the openEO Python client's store (sync
 *   on). A newer token the Python client saved is spent instead of ours; a refused token makes
 *   way for the other one we know of (the one policy, `decideInvalidGrantFallback`); a token from
 *   the store is used only once the new tokens prove to be this identity's person, and otherwise
 *   handed back to the store.
 */
import type { Identity, TokenSet } from '../../../shared/model.ts';
import { registerSecret } from '../../../shared/redact.ts';
import type { LogFn } from './ports.ts';

/** The openEO Python client's refresh-token store, kept in step when sync is on. */
export interface RefreshTokenSync {
  /** The refresh token to spend now: ours, or a newer one the Python client saved. */
  choose(identity: Identity, ours: string): Promise<string>;
  /** Our refresh rotated the token: write the new one back. */
  saved(identity: Identity, refreshToken: string): Promise<void>;
  /**
   * The token `refused` was refused (invalid_grant): the other known token to try once — the
   * store's, else `ours` — or null when every one was tried (`tried`) and the login has ended.
   */
  afterRefusal(identity: Identity, refusal: { refused: string; ours: string; tried: ReadonlySet<string> }): Promise<string | null>;
  /**
   * A token taken from the store was spent but is not proven to be this identity's: give the
   * store back the rotated token it was exchanged for (that login must keep working), and with
   * `otherPerson` (proven someone else's) stop syncing.
   */
  giveBack(identity: Identity, rotated: string | undefined, otherPerson: boolean): Promise<void>;
  /**
   * Signing out: removes the store's entry when it is this login's (the token we wrote there or
   * hold), and leaves it when it is a login of its own. `ours` is our refresh token, if any.
   */
  forget(identity: Identity, ours: string | null): Promise<'removed' | 'left' | 'none'>;
}

export interface RefreshTokenSource {
  /** The refresh token to spend first. */
  first(): Promise<string>;
  /** `refused` was refused (invalid_grant), or what it gave was not this person's: the next to spend, or null when the login has ended. */
  next(refused: string): Promise<string | null>;
  /**
   * Whether `tokens`, obtained by spending `spent`, may be used. Ours always; one from outside
   * only when proven to be this identity's person (else it is handed back and false is said).
   * Throws when that cannot be told now (the backend did not answer).
   */
  accept(spent: string, tokens: TokenSet): Promise<boolean>;
  /** The rotated token is in the keychain: pass it on. */
  saved(rotated: string): Promise<void>;
}

/** The keychain's refresh token alone. */
export function ownRefreshToken(ours: string): RefreshTokenSource {
  return {
    first: async () => ours,
    next: async () => null,
    accept: async () => true,
    saved: async () => undefined,
  };
}

export interface SharedSourceDeps {
  identity: Identity;
  /** The keychain's refresh token. */
  ours: string;
  sync: RefreshTokenSync;
  /** Whether tokens from outside are this identity's person (throws when it cannot be told now). */
  samePerson(tokens: TokenSet): Promise<boolean>;
  log?: LogFn;
}

/** The keychain's token and the Python client's store, kept in step. */
export function sharedRefreshToken(deps: SharedSourceDeps): RefreshTokenSource {
  const { identity, ours, sync, log } = deps;
  const tried = new Set<string>();
  /** The last token spent gave another person's tokens (not a refusal). */
  let otherPerson = false;
  const tryNext = (token: string): string => {
    tried.add(token);
    registerSecret(token);
    return token;
  };
  return {
    async first() {
      // Ours stays in the keychain until a refresh has succeeded.
      const chosen = await sync.choose(identity, ours);
      if (chosen !== ours) log?.('info', `${identity.id}: using the newer refresh token saved by the openEO Python client`);
      return tryNext(chosen);
    },
    async next(refused) {
      if (otherPerson) {
        // Another person's token was spent (not refused): ours was never theirs to spend, so it
        // is still the live one — unless it was refused already.
        otherPerson = false;
        return tried.has(ours) ? null : tryNext(ours);
      }
      const next = await sync.afterRefusal(identity, { refused, ours, tried });
      if (next === null) return null;
      log?.('info', `${identity.id}: a refresh token was refused; trying another one we know of`);
      return tryNext(next);
    },
    async accept(spent, tokens) {
      if (spent === ours) return true;
      let same: boolean;
      try {
        same = await deps.samePerson(tokens);
      } catch (e) {
        // Not proven either way: the store keeps the login it lent.
        await sync.giveBack(identity, tokens.refreshToken, false);
        throw e;
      }
      if (!same) {
        await sync.giveBack(identity, tokens.refreshToken, true);
        otherPerson = true;
      }
      return same;
    },
    async saved(rotated) {
      await sync.saved(identity, rotated).catch((e: unknown) => {
        log?.('warn', `${identity.id}: could not write the rotated refresh token to the Python client's store`, e);
      });
    },
  };
}
