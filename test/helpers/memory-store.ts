/**
 * An in-memory SecretStore with the keychain adapter's semantics, for unit tests of the modules
 * that use secrets. It can be switched to `locked` or `unavailable` to play those failures:
 * then every call throws (`get` never answers a false null), as the real adapter does.
 */
import { AuthTrayError } from '../../src/main/core/errors.ts';
import type { KeychainHealth, SecretStore } from '../../src/main/core/ports.ts';
import { healthFromError, keychainError } from '../../src/main/core/keychain/keychain-errors.ts';
import { KeySequencer } from '../../src/main/core/keychain/sequencer.ts';

export interface MemorySecretStore extends SecretStore {
  /** When true, every call fails with KEYCHAIN_LOCKED. */
  locked: boolean;
  /** When true, every call fails with KEYCHAIN_UNAVAILABLE (wins over `locked`). */
  unavailable: boolean;
  /** A copy of what is stored, whatever the switches say (for assertions). */
  snapshot(): Map<string, string>;
}

/** Creates an empty (or pre-filled) in-memory SecretStore. */
export function createMemorySecretStore(initial: Record<string, string> = {}): MemorySecretStore {
  const entries = new Map(Object.entries(initial));
  const sequencer = new KeySequencer();

  const store: MemorySecretStore = {
    locked: false,
    unavailable: false,

    get(key) {
      return run(key, () => entries.get(key) ?? null);
    },
    set(key, value) {
      if (typeof value !== 'string' || value.length === 0) {
        return Promise.reject(new AuthTrayError('INVALID_ARGUMENT', `Refusing to store an empty secret under "${key}".`));
      }
      return run(key, () => {
        entries.set(key, value);
      });
    },
    delete(key) {
      return run(key, () => entries.delete(key));
    },
    async health(): Promise<KeychainHealth> {
      try {
        usable();
        return { ok: true };
      } catch (e) {
        return healthFromError(e);
      }
    },
    snapshot() {
      return new Map(entries);
    },
  };

  function usable(): void {
    if (store.unavailable) throw keychainError('unavailable', 'in-memory keychain switched to unavailable');
    if (store.locked) throw keychainError('locked', 'in-memory keychain switched to locked');
  }

  function run<T>(key: string, op: () => T): Promise<T> {
    if (typeof key !== 'string' || key.length === 0) {
      return Promise.reject(new AuthTrayError('INVALID_ARGUMENT', 'A keychain key must be a non-empty name.'));
    }
    return sequencer.run(key, async () => {
      await Promise.resolve(); // answer asynchronously, like a real keychain
      usable();
      return op();
    });
  }

  return store;
}
