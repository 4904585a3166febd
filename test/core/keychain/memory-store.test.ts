import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMemorySecretStore } from '../../helpers/memory-store.ts';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';

describe('in-memory SecretStore', () => {
  test('round trip, and a healthy "nothing stored" is null', async () => {
    const store = createMemorySecretStore({ pre: 'filled-value' });
    assert.equal(await store.get('pre'), 'filled-value');
    assert.equal(await store.get('k'), null);
    await store.set('k', 'v-123456789');
    assert.equal(await store.get('k'), 'v-123456789');
    assert.equal(await store.delete('k'), true);
    assert.equal(await store.delete('k'), false);
    assert.deepEqual(await store.health(), { ok: true });
  });

  test('locked: every call throws KEYCHAIN_LOCKED and nothing changes', async () => {
    const store = createMemorySecretStore({ k: 'original' });
    store.locked = true;
    await assert.rejects(store.get('k'), (e) => isAuthTrayError(e, 'KEYCHAIN_LOCKED'));
    await assert.rejects(store.get('absent'), (e) => isAuthTrayError(e, 'KEYCHAIN_LOCKED'));
    await assert.rejects(store.set('k', 'new'), (e) => isAuthTrayError(e, 'KEYCHAIN_LOCKED'));
    await assert.rejects(store.delete('k'), (e) => isAuthTrayError(e, 'KEYCHAIN_LOCKED'));
    const health = await store.health();
    assert.equal(health.ok, false);
    assert.equal(!health.ok && health.reason, 'locked');
    assert.deepEqual(store.snapshot(), new Map([['k', 'original']]));
    store.locked = false;
    assert.equal(await store.get('k'), 'original');
  });

  test('unavailable wins over locked and says KEYCHAIN_UNAVAILABLE', async () => {
    const store = createMemorySecretStore();
    store.locked = true;
    store.unavailable = true;
    await assert.rejects(store.get('k'), (e) => isAuthTrayError(e, 'KEYCHAIN_UNAVAILABLE'));
    const health = await store.health();
    assert.equal(!health.ok && health.reason, 'unavailable');
  });

  test('a lock that sets in while a call is queued is honoured by that call', async () => {
    const store = createMemorySecretStore({ k: 'v' });
    const first = store.get('k');
    const second = store.get('k');
    store.locked = true;
    await assert.rejects(first, (e) => isAuthTrayError(e, 'KEYCHAIN_LOCKED'));
    await assert.rejects(second, (e) => isAuthTrayError(e, 'KEYCHAIN_LOCKED'));
  });

  test('refuses empty secrets and empty keys', async () => {
    const store = createMemorySecretStore();
    await assert.rejects(store.set('k', ''), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(store.get(''), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
  });
});
