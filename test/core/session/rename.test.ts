/** Renaming a login, on the real settings file: the file's rules, one name per login, no name that is another's id. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renameIdentity } from '../../../src/main/core/session/rename.ts';
import { openSettingsStore } from '../../../src/main/core/settings/store.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';
import { AuthTrayError } from '../../../src/main/core/errors.ts';

async function withLogins(run: (store: ReturnType<typeof openSettingsStore>, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oat-rename-'));
  try {
    const store = openSettingsStore({ dir });
    await store.upsertIdentity(sampleIdentity({ id: 'cdse-1', label: 'Work' }));
    await store.upsertIdentity(sampleIdentity({ id: 'robot-2', label: 'Batch robot', kind: 'client-credentials', flow: 'client-credentials' }));
    await run(store, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof AuthTrayError && e.code === 'INVALID_ARGUMENT' && message.test(e.message) && Boolean(e.nextStep));
}

test('a new name is trimmed and written to the settings file; the same name again writes nothing', async () => {
  await withLogins(async (store, dir) => {
    const renamed = await renameIdentity(store, 'cdse-1', '  Copernicus (personal)  ');
    assert.equal(renamed.label, 'Copernicus (personal)');
    const file = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { identities: Array<{ id: string; label: string }> };
    assert.deepEqual(file.identities.map((i) => [i.id, i.label]), [['cdse-1', 'Copernicus (personal)'], ['robot-2', 'Batch robot']]);
    let writes = 0;
    const counting = { listIdentities: () => store.listIdentities(), updateIdentity: (...a: Parameters<typeof store.updateIdentity>) => { writes++; return store.updateIdentity(...a); } };
    assert.equal((await renameIdentity(counting, 'cdse-1', 'Copernicus (personal)')).label, 'Copernicus (personal)');
    assert.equal(writes, 0);
    // Only the case changes: still its own name, so allowed.
    assert.equal((await renameIdentity(store, 'cdse-1', 'copernicus (personal)')).label, 'copernicus (personal)');
  });
});

test('refused: another login\'s name (in any case), another login\'s id, empty, too long, control characters; nothing changes', async () => {
  await withLogins(async (store) => {
    await refused(renameIdentity(store, 'cdse-1', 'Batch robot'), /^Another login is already called “Batch robot”\.$/);
    await refused(renameIdentity(store, 'cdse-1', 'BATCH ROBOT'), /already called “Batch robot”/);
    await refused(renameIdentity(store, 'cdse-1', 'robot-2'), /is the id of another login/);
    await refused(renameIdentity(store, 'cdse-1', '   '), /needs a name/);
    await refused(renameIdentity(store, 'cdse-1', 'n'.repeat(101)), /at most 100 characters/);
    await refused(renameIdentity(store, 'cdse-1', 'two\nlines'), /control characters/);
    await refused(renameIdentity(store, 'cdse-1', 'bell\u0007'), /control characters/);
    assert.deepEqual(store.listIdentities().map((i) => i.label), ['Work', 'Batch robot']);
    // 100 characters (a surrogate pair counts once) is the limit, as the settings file counts them.
    const long = '🛰'.repeat(100);
    assert.equal((await renameIdentity(store, 'cdse-1', long)).label, long);
  });
});

test('a login that is gone is IDENTITY_NOT_FOUND', async () => {
  await withLogins(async (store) => {
    await assert.rejects(renameIdentity(store, 'gone-1', 'Anything'), { code: 'IDENTITY_NOT_FOUND' });
  });
});
