/**
 * The one adapter that touches the OS keychain, through keytar.
 *
 * keytar cannot be taken at its word: with the keyring locked, `getPassword` answers null and
 * `deletePassword` answers false exactly as if nothing were stored (only `setPassword` throws).
 * So every "nothing there" answer is checked against a sentinel entry that this adapter writes
 * once the keychain is known to work: if the sentinel cannot be read back nor written, the
 * keychain is locked or unreachable, and the caller gets that error instead of a false "no secret".
 * keytar's `findCredentials` is never called: on a locked keyring it crashes the process.
 * Secrets never fall back to a file.
 */
import { AuthTrayError } from '../errors.ts';
import type { KeychainHealth, SecretStore } from '../ports.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { healthFromError, keychainError, osWords, toKeychainError } from './keychain-errors.ts';
import { KeySequencer } from './sequencer.ts';

/** The part of keytar this adapter uses (deliberately without `findCredentials`). */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarSecretStoreOptions {
  /** Keychain service name shared by the tray and the CLI. Default `openeo-auth-tray`. */
  service?: string;
  /** Loads keytar; tests may wrap the real module. Default: a dynamic `import('keytar')`. */
  loadKeytar?: () => Promise<KeytarLike>;
}

export const DEFAULT_KEYCHAIN_SERVICE = 'openeo-auth-tray';
/** Account name of the sentinel entry; not usable as a key. */
export const HEALTH_ACCOUNT = '__health__';
const HEALTH_VALUE = 'written by openEO Auth Tray to check that the keychain answers; not a secret';
const MAX_KEY_LENGTH = 256;

/** keytar is native and only needed once a secret is touched: load it on first use. */
async function importKeytar(): Promise<KeytarLike> {
  const mod = await import('keytar');
  return mod.default;
}

/**
 * A SecretStore on the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
 * Manager on Windows). Calls on one key run one at a time, in call order.
 */
export function createKeytarSecretStore(opts: KeytarSecretStoreOptions = {}): SecretStore {
  const service = opts.service ?? DEFAULT_KEYCHAIN_SERVICE;
  const load = opts.loadKeytar ?? importKeytar;
  const sequencer = new KeySequencer();
  let loading: Promise<KeytarLike> | undefined;
  let sentinelConfirmed = false;

  function keytar(): Promise<KeytarLike> {
    loading ??= load().catch((e: unknown) => {
      loading = undefined; // let a later call try again (e.g. after installing libsecret)
      throw keychainError('unavailable', osWords(e), e);
    });
    return loading;
  }

  /** One keychain call; whatever it throws becomes KEYCHAIN_LOCKED or KEYCHAIN_UNAVAILABLE. */
  async function call<T>(op: (k: KeytarLike) => Promise<T>): Promise<T> {
    const k = await keytar();
    try {
      return await op(k);
    } catch (e) {
      throw toKeychainError(e);
    }
  }

  /**
   * Proves the keychain answers truthfully right now, or throws why not: the sentinel reads
   * back, or (first use, or someone removed it) can be written.
   */
  function verify(): Promise<void> {
    return sequencer.run(HEALTH_ACCOUNT, async () => {
      const seen = await call((k) => k.getPassword(service, HEALTH_ACCOUNT));
      if (seen === null) await call((k) => k.setPassword(service, HEALTH_ACCOUNT, HEALTH_VALUE));
      sentinelConfirmed = true;
    });
  }

  return {
    get(key) {
      checkKey(key);
      return sequencer.run(key, async () => {
        const value = await call((k) => k.getPassword(service, key));
        if (value !== null) return remember(value);
        await verify();
        // The keychain may have been unlocked between the two reads: ask once more.
        const again = await call((k) => k.getPassword(service, key));
        return again === null ? null : remember(again);
      });
    },

    set(key, value) {
      checkKey(key);
      if (typeof value !== 'string' || value.length === 0) {
        return Promise.reject(new AuthTrayError('INVALID_ARGUMENT', `Refusing to store an empty secret under "${key}".`));
      }
      registerSecret(value);
      return sequencer.run(key, async () => {
        await call((k) => k.setPassword(service, key, value));
        if (!sentinelConfirmed) {
          // The keychain just worked: leave the sentinel so later "not found" answers can be trusted.
          await verify().catch(() => undefined);
        }
      });
    },

    delete(key) {
      checkKey(key);
      return sequencer.run(key, async () => {
        if (await call((k) => k.deletePassword(service, key))) return true;
        await verify();
        return call((k) => k.deletePassword(service, key));
      });
    },

    async health(): Promise<KeychainHealth> {
      try {
        await verify();
        return { ok: true };
      } catch (e) {
        return healthFromError(e);
      }
    },
  };
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || key === HEALTH_ACCOUNT) {
    throw new AuthTrayError('INVALID_ARGUMENT', 'A keychain key must be a non-empty name of at most 256 characters.');
  }
}

function remember(secret: string): string {
  registerSecret(secret);
  return secret;
}
