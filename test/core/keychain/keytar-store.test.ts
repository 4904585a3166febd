/**
 * The keytar adapter against a real gnome-keyring on a private D-Bus session. Locked and absent
 * keychains are played in child processes (test/helpers/keychain-child.ts), so one file can use
 * several keyrings; the sequencing test runs keytar in this process.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createKeytarSecretStore, HEALTH_ACCOUNT, type KeytarLike } from '../../../src/main/core/keychain/keytar-store.ts';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';
import { startPrivateKeyring, keyringAbsentEnv, type PrivateKeyring } from '../../helpers/keyring.ts';
import type { KeychainOp, KeychainOpResult } from '../../helpers/keychain-child.ts';

const CHILD = fileURLToPath(new URL('../../helpers/keychain-child.ts', import.meta.url));
const CHILD_TIMEOUT_MS = 20_000;

/** Runs operations in a fresh process with `env`; one result per operation. */
function inChild(env: NodeJS.ProcessEnv, service: string, ops: KeychainOp[]): Promise<KeychainOpResult[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', CHILD, service, JSON.stringify(ops)], { env, timeout: CHILD_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`keychain child failed (${err.message}): ${stderr}`));
      resolve(stdout.trim().split('\n').map((l) => JSON.parse(l) as KeychainOpResult));
    });
  });
}

const freshService = (): string => `openeo-auth-tray-test-${randomUUID()}`;

function assertFailed(r: KeychainOpResult | undefined, code: string): asserts r is Extract<KeychainOpResult, { ok: false }> {
  assert.ok(r, 'missing result');
  assert.equal(r.ok, false, `expected ${code}, got ${JSON.stringify(r)}`);
  assert.equal(r.code, code, JSON.stringify(r));
}

describe('keytar SecretStore on a real Secret Service', () => {
  let keyring: PrivateKeyring;
  before(async () => {
    keyring = await startPrivateKeyring();
  });
  after(async () => {
    await keyring?.stop();
  });

  test('stores, reads back and deletes a secret; a healthy "nothing stored" is null', async () => {
    const results = await inChild(keyring.env, freshService(), [
      { op: 'get', key: 'id-1/refresh_token' },
      { op: 'set', key: 'id-1/refresh_token', value: 'rt-value-0123456789' },
      { op: 'get', key: 'id-1/refresh_token' },
      { op: 'health' },
      { op: 'delete', key: 'id-1/refresh_token' },
      { op: 'get', key: 'id-1/refresh_token' },
      { op: 'delete', key: 'id-1/refresh_token' },
    ]);
    assert.deepEqual(
      results.map((r) => (r.ok ? r.value : r.code)),
      [null, null, 'rt-value-0123456789', { ok: true }, true, null, false],
    );
  });

  test('a new process reads what an earlier one stored', async () => {
    const service = freshService();
    await inChild(keyring.env, service, [{ op: 'set', key: 'k', value: 'kept-across-processes' }]);
    const [read] = await inChild(keyring.env, service, [{ op: 'get', key: 'k' }]);
    assert.deepEqual(read && read.ok && read.value, 'kept-across-processes');
  });

  test('a locked keyring is reported as locked, never as "no secret", and nothing is overwritten', async () => {
    const service = freshService();
    await inChild(keyring.env, service, [{ op: 'set', key: 'id-1/refresh_token', value: 'original-secret-value' }]);
    await keyring.lock();
    let results: KeychainOpResult[];
    try {
      results = await inChild(keyring.env, service, [
        { op: 'get', key: 'id-1/refresh_token' },
        { op: 'get', key: 'never-stored' },
        { op: 'set', key: 'id-1/refresh_token', value: 'replacement-secret-value' },
        { op: 'delete', key: 'id-1/refresh_token' },
        { op: 'health' },
      ]);
    } finally {
      await keyring.unlock();
    }
    const [get, getMissing, set, del, health] = results;
    assertFailed(get, 'KEYCHAIN_LOCKED');
    assertFailed(getMissing, 'KEYCHAIN_LOCKED');
    assertFailed(set, 'KEYCHAIN_LOCKED');
    assertFailed(del, 'KEYCHAIN_LOCKED');
    assert.match(get.message, /locked collection/, 'the OS words are quoted');
    assert.match(get.nextStep ?? '', /Unlock your keyring/);
    assert.ok(!set.message.includes('replacement-secret-value') && !(set.nextStep ?? '').includes('replacement-secret-value'));
    assert.ok(health?.ok);
    assert.deepEqual(health.value, { ok: false, reason: 'locked', message: `${get.message} ${get.nextStep}` });

    const [after] = await inChild(keyring.env, service, [{ op: 'get', key: 'id-1/refresh_token' }]);
    assert.deepEqual(after, { ...after, ok: true, value: 'original-secret-value' }, 'value intact after unlocking');
  });

  test('a keyring locked before this service ever wrote to it is still reported as locked', async () => {
    const service = freshService(); // no sentinel yet
    await keyring.lock();
    let results: KeychainOpResult[];
    try {
      results = await inChild(keyring.env, service, [{ op: 'get', key: 'k' }, { op: 'delete', key: 'k' }]);
    } finally {
      await keyring.unlock();
    }
    assertFailed(results[0], 'KEYCHAIN_LOCKED');
    assertFailed(results[1], 'KEYCHAIN_LOCKED');
    const [healthy] = await inChild(keyring.env, service, [{ op: 'get', key: 'k' }]);
    assert.deepEqual(healthy && healthy.ok && healthy.value, null);
  });

  test('no Secret Service at all: KEYCHAIN_UNAVAILABLE in the OS words, without waiting', async () => {
    // "Without waiting": the child's bounded timeout fails this test if a call hangs.
    const results = await inChild(keyringAbsentEnv(), freshService(), [
      { op: 'get', key: 'k' },
      { op: 'set', key: 'k', value: 'some-secret-value' },
      { op: 'delete', key: 'k' },
      { op: 'health' },
    ]);
    const [get, set, del, health] = results;
    assertFailed(get, 'KEYCHAIN_UNAVAILABLE');
    assertFailed(set, 'KEYCHAIN_UNAVAILABLE');
    assertFailed(del, 'KEYCHAIN_UNAVAILABLE');
    assert.match(get.message, /Could not connect/);
    assert.match(get.nextStep ?? '', /gnome-keyring or KWallet/);
    assert.ok(health?.ok && typeof health.value === 'object' && health.value !== null);
    assert.equal((health.value as { reason?: string }).reason, 'unavailable');
  });

  test('refuses the sentinel account, empty keys and empty secrets', async () => {
    const store = createKeytarSecretStore({ service: freshService(), loadKeytar: () => Promise.reject(new Error('not to be loaded')) });
    assert.throws(() => store.get(HEALTH_ACCOUNT), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => store.get(''), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(store.set('k', ''), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
  });

  test('a keytar that cannot be loaded (e.g. libsecret missing) means KEYCHAIN_UNAVAILABLE', async () => {
    const store = createKeytarSecretStore({
      service: freshService(),
      loadKeytar: () => Promise.reject(new Error('libsecret-1.so.0: cannot open shared object file')),
    });
    await assert.rejects(store.get('k'), (e) => isAuthTrayError(e, 'KEYCHAIN_UNAVAILABLE') && /libsecret-1\.so\.0/.test(e.message));
    assert.deepEqual((await store.health()).ok, false);
  });

  describe('in this process', () => {
    before(() => {
      // libsecret reads the bus address at keytar's first call, which happens below.
      for (const k of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME'] as const) process.env[k] = keyring.env[k];
      delete process.env.DISPLAY;
    });

    test('calls on one key run one at a time and in call order; other keys are not held up', async () => {
      const inFlight = new Map<string, number>();
      const maxInFlight = new Map<string, number>();
      let maxOverall = 0;
      const watch = <T>(account: string, call: () => Promise<T>): Promise<T> => {
        const n = (inFlight.get(account) ?? 0) + 1;
        inFlight.set(account, n);
        maxInFlight.set(account, Math.max(maxInFlight.get(account) ?? 0, n));
        maxOverall = Math.max(maxOverall, [...inFlight.values()].reduce((a, b) => a + b, 0));
        return call().finally(() => inFlight.set(account, (inFlight.get(account) ?? 1) - 1));
      };
      const loadKeytar = async (): Promise<KeytarLike> => {
        const real = (await import('keytar')).default;
        return {
          getPassword: (s, a) => watch(a, () => real.getPassword(s, a)),
          setPassword: (s, a, p) => watch(a, () => real.setPassword(s, a, p)),
          deletePassword: (s, a) => watch(a, () => real.deletePassword(s, a)),
        };
      };
      const store = createKeytarSecretStore({ service: freshService(), loadKeytar });
      await store.set('warm-up', 'loads keytar and writes the sentinel');

      const ops: Array<Promise<unknown>> = [];
      for (let i = 0; i < 10; i++) {
        ops.push(store.set('one', `value-${i}-abcdefgh`));
        ops.push(store.get('one'));
        ops.push(store.set(`other-${i}`, `other-${i}-abcdefgh`));
      }
      const results = await Promise.all(ops);
      for (let i = 0; i < 10; i++) assert.equal(results[3 * i + 1], `value-${i}-abcdefgh`, `get #${i} sees the set issued just before it`);
      assert.equal(maxInFlight.get('one'), 1, 'never two calls at once on one key');
      assert.ok(maxOverall > 1, 'calls on different keys overlap');
      assert.equal(await store.get('one'), 'value-9-abcdefgh');
    });
  });
});
