import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Conf from 'conf';
import { build } from 'esbuild';
import { openSettingsStore } from '../../../src/main/core/settings/store.ts';
import { readSettingsFast, SETTINGS_FILE_NAME } from '../../../src/main/core/settings/settings-file.ts';

const readIdentitiesFast = (dir: string) => readSettingsFast(dir).identities;
import { DEFAULT_SETTINGS } from '../../../src/shared/settings.ts';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';

const CHILD = fileURLToPath(new URL('../../helpers/settings-child.ts', import.meta.url));
const SECRET = 'rt-9f8e7d6c5b4a39281706f5e4d3c2b1a0-secret';
const FIXED_NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const ASIDE = `${SETTINGS_FILE_NAME}.corrupt-2024-01-02T03-04-05-678Z`;

let root: string;
let dir: string;
let file: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'settings-store-'));
  dir = join(root, 'openeo-auth-tray');
  file = join(dir, SETTINGS_FILE_NAME);
});
afterEach(() => {
  if (existsSync(dir)) chmodSync(dir, 0o700);
  rmSync(root, { recursive: true, force: true });
});

/**
 * The child bundled into one file inside `into`, for a user (nobody) who may not be able to read
 * the checkout or its node_modules (a clone in a 0700 temp folder, say).
 */
async function bundledChild(into: string): Promise<string> {
  const outfile = join(into, 'settings-child.mjs');
  await build({
    entryPoints: [CHILD], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

function runChild(args: string[], options: { uid?: number; gid?: number; script?: string } = {}): Promise<string> {
  const { script, ...ids } = options;
  const argv = script ? [script, ...args] : ['--import', 'tsx', CHILD, ...args];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { timeout: 60_000, ...ids }, (err, stdout, stderr) => {
      if (err) reject(new Error(`settings child failed (${err.message}): ${stderr}`));
      else resolve(stdout);
    });
  });
}

const fileJson = (): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('settings store', () => {
  test('a new folder gets a settings file with the defaults: file 0600, folder 0700', { skip: process.platform === 'win32' && 'POSIX modes' }, () => {
    const store = openSettingsStore({ dir });
    assert.deepEqual(store.getSettings(), DEFAULT_SETTINGS);
    assert.deepEqual(store.listIdentities(), []);
    assert.equal(store.path, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(fileJson().__internal__, { migrations: { version: '1.0.0' } });
  });

  test('identities: add, read, change, remove; every read sees the file as it is now', async () => {
    const a = openSettingsStore({ dir });
    const b = openSettingsStore({ dir });
    await a.upsertIdentity(sampleIdentity({ id: 'one' }));
    assert.deepEqual(b.listIdentities(), [sampleIdentity({ id: 'one' })]);
    await b.updateIdentity('one', { label: 'Renamed', userId: 'user-1' });
    assert.equal(a.getIdentity('one')?.label, 'Renamed');
    await a.upsertIdentity(sampleIdentity({ id: 'one', label: 'Replaced' }));
    assert.deepEqual(b.getIdentity('one'), sampleIdentity({ id: 'one', label: 'Replaced' }));
    assert.equal(await b.removeIdentity('one'), true);
    assert.equal(await b.removeIdentity('one'), false);
    assert.equal(a.getIdentity('one'), undefined);
    await assert.rejects(a.updateIdentity('one', { label: 'x' }), (e) => isAuthTrayError(e, 'IDENTITY_NOT_FOUND'));
  });

  test('updateIdentity: a function sees the identity as stored; undefined removes an optional field', async () => {
    const store = openSettingsStore({ dir });
    await store.upsertIdentity(sampleIdentity({ id: 'one', warningsSent: [1], expiredAt: 9 }));
    const updated = await store.updateIdentity('one', (current) => ({ warningsSent: [...current.warningsSent, 2], expiredAt: undefined }));
    assert.deepEqual(updated.warningsSent, [1, 2]);
    assert.equal('expiredAt' in updated, false);
    assert.equal('expiredAt' in (store.getIdentity('one') ?? {}), false);
  });

  test('invalid input is refused with INVALID_ARGUMENT and nothing is written; no secret reaches the file', async () => {
    const store = openSettingsStore({ dir });
    await store.upsertIdentity(sampleIdentity({ id: 'one' }));
    const before = readFileSync(file, 'utf8');
    const strayed = { ...sampleIdentity({ id: 'two' }), refreshToken: SECRET };
    await assert.rejects(store.upsertIdentity(strayed), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT') && !e.message.includes(SECRET));
    await assert.rejects(store.upsertIdentity(sampleIdentity({ id: 'two', issuer: 'nope' })), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(store.updateIdentity('one', { accessToken: SECRET } as never), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(store.updateIdentity('one', { id: 'other' } as never), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(store.updateSettings({ theme: 'purple' } as never), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(store.updateSettings({ apiKey: SECRET } as never), (e) => isAuthTrayError(e, 'INVALID_ARGUMENT'));
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.ok(!before.includes(SECRET));
  });

  test('settings are changed key by key and read back', async () => {
    const store = openSettingsStore({ dir });
    const next = await store.updateSettings({ theme: 'dark', warningThresholds: [3600, 86_400] });
    assert.deepEqual(next, { ...DEFAULT_SETTINGS, theme: 'dark', warningThresholds: [86_400, 3600] });
    assert.deepEqual(openSettingsStore({ dir }).getSettings(), next);
  });

  test('a file that is not JSON is kept aside byte for byte, reported, and the next start begins afresh', async () => {
    openSettingsStore({ dir });
    const damaged = '{"identities": [ {"id": "one", "label": "trunc';
    writeFileSync(file, damaged);
    assert.throws(
      () => openSettingsStore({ dir, now: () => FIXED_NOW }),
      (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT') && e.message.includes(join(dir, ASIDE)) && /not valid JSON/.test(e.message) && /fresh settings file/.test(e.nextStep ?? ''),
    );
    assert.equal(readFileSync(join(dir, ASIDE), 'utf8'), damaged);
    assert.equal(existsSync(file), false, 'not replaced by an empty file');
    const fresh = openSettingsStore({ dir });
    assert.deepEqual(fresh.listIdentities(), []);
    assert.equal(readFileSync(join(dir, ASIDE), 'utf8'), damaged, 'the kept file is left alone');
  });

  test('a file the guards refuse is kept aside the same way, and the message says what is wrong where', () => {
    openSettingsStore({ dir });
    const damaged = JSON.stringify({ schemaVersion: 1, settings: { theme: 'neon' }, identities: [sampleIdentity()] });
    writeFileSync(file, damaged);
    assert.throws(() => openSettingsStore({ dir, now: () => FIXED_NOW }), (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT') && e.message.includes('settings.theme'));
    assert.equal(readFileSync(join(dir, ASIDE), 'utf8'), damaged);
  });

  test('damage only in a login\'s entry: that entry alone is set aside, the rest of the file works on', () => {
    openSettingsStore({ dir });
    const good = sampleIdentity({ id: 'good' });
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, settings: { theme: 'dark' }, identities: [good, { ...sampleIdentity({ id: 'bad' }), kind: 'admin' }] }));
    const store = openSettingsStore({ dir, now: () => FIXED_NOW });
    assert.deepEqual(store.listIdentities().map((i) => i.id), ['good']);
    assert.equal(store.getSettings().theme, 'dark');
    const aside = store.takeSetAside();
    assert.deepEqual(aside.map((a) => [a.id, a.problem]), [['bad', 'identities[1].kind must be one of personal, client-credentials']]);
    assert.deepEqual(store.takeSetAside(), [], 'told once');
    const kept = JSON.parse(readFileSync(aside[0]!.file, 'utf8')) as { damaged: Array<{ entry: { id: string; kind: string } }> };
    assert.deepEqual([kept.damaged[0]!.entry.id, kept.damaged[0]!.entry.kind], ['bad', 'admin']);
    assert.deepEqual(readIdentitiesFast(dir).map((i) => i.id), ['good'], 'the file itself is readable again');
  });

  test('damage found while the store is open: that store refuses further changes rather than start an empty file', async () => {
    const store = openSettingsStore({ dir, now: () => FIXED_NOW });
    await store.upsertIdentity(sampleIdentity({ id: 'one' }));
    writeFileSync(file, 'garbage');
    assert.throws(() => store.listIdentities(), (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT'));
    await assert.rejects(store.upsertIdentity(sampleIdentity({ id: 'two' })), (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT'));
    assert.equal(existsSync(file), false);
    assert.equal(readFileSync(join(dir, ASIDE), 'utf8'), 'garbage');
  });

  test('a file from a newer version is refused and left untouched', () => {
    openSettingsStore({ dir });
    const newer = JSON.stringify({ schemaVersion: 2, settings: {}, identities: [], __internal__: { migrations: { version: '2.0.0' } } });
    writeFileSync(file, newer);
    assert.throws(() => openSettingsStore({ dir }), (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT') && /newer/.test(e.message));
    assert.throws(() => readIdentitiesFast(dir), (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT') && /newer/.test(e.message));
    assert.equal(readFileSync(file, 'utf8'), newer);
    assert.deepEqual(readdirSync(dir), [SETTINGS_FILE_NAME]);
  });

  test('a file from before formats were numbered is migrated by conf; its content and unknown keys survive', async () => {
    openSettingsStore({ dir });
    writeFileSync(file, JSON.stringify({ settings: { theme: 'dark' }, identities: [sampleIdentity()], futureKey: { kept: true } }));
    const store = openSettingsStore({ dir });
    assert.equal(fileJson().schemaVersion, 1);
    assert.deepEqual(fileJson().__internal__, { migrations: { version: '1.0.0' } });
    assert.equal(store.getSettings().theme, 'dark');
    assert.equal(store.getSettings().clipboardClearSeconds, 30, 'a missing setting reads as its default');
    await store.updateSettings({ pythonSync: true });
    assert.deepEqual(fileJson().futureKey, { kept: true });
    assert.deepEqual(store.listIdentities(), [sampleIdentity()]);
  });

  test("electron-store's class can stand in for conf (it names the file by `name`)", async () => {
    let constructed = 0;
    class ElectronStoreLike<T extends Record<string, unknown>> extends Conf<T> {
      constructor(options: ConstructorParameters<typeof Conf<T>>[0] & { name?: string }) {
        const { name = 'config', ...rest } = options ?? {};
        super({ ...rest, configName: name });
        constructed++;
      }
    }
    const store = openSettingsStore({ dir, Store: ElectronStoreLike });
    await store.upsertIdentity(sampleIdentity());
    assert.equal(constructed, 1);
    assert.deepEqual(readdirSync(dir), [SETTINGS_FILE_NAME]);
  });

  test('readSettingsFast: no logins without a file, the list with one, and a damaged file is reported but left as it is', async () => {
    assert.deepEqual(readIdentitiesFast(dir), []);
    await openSettingsStore({ dir }).upsertIdentity(sampleIdentity());
    assert.deepEqual(readIdentitiesFast(dir), [sampleIdentity()]);
    writeFileSync(file, '{');
    assert.throws(() => readIdentitiesFast(dir), (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT') && /left unchanged/.test(e.message));
    assert.equal(readFileSync(file, 'utf8'), '{');
  });

  test('a folder that cannot be written: SETTINGS_WRITE_FAILED, and the previous file is intact', { skip: process.platform === 'win32' && 'POSIX permissions' }, async () => {
    await openSettingsStore({ dir }).upsertIdentity(sampleIdentity({ id: 'one' }));
    const before = readFileSync(file);
    // root ignores permissions, so then the write is tried by an unprivileged user (nobody).
    const asRoot = process.getuid?.() === 0;
    const script = asRoot ? await bundledChild(root) : undefined;
    if (asRoot) {
      for (const p of [root, dir, file, script!]) chownSync(p, 65_534, 65_534);
    }
    chmodSync(dir, 0o500);
    const out = JSON.parse(await runChild([dir, 'try-write'], asRoot ? { uid: 65_534, gid: 65_534, script: script! } : {})) as { code: string | null; message?: string };
    assert.equal(out.code, 'SETTINGS_WRITE_FAILED', out.message);
    assert.match(out.message ?? '', /previous settings are unchanged/);
    chmodSync(dir, 0o700);
    assert.deepEqual(readFileSync(file), before);
    assert.deepEqual(readdirSync(dir), [SETTINGS_FILE_NAME]);
  });

  test('two processes changing the file at the same time lose nothing', async () => {
    const store = openSettingsStore({ dir });
    await store.upsertIdentity(sampleIdentity({ id: 'shared' }));
    await Promise.all([runChild([dir, 'upsert', 'a', '15']), runChild([dir, 'upsert', 'b', '15'])]);
    const ids = store.listIdentities().map((i) => i.id).sort();
    const expected = ['shared', ...Array.from({ length: 15 }, (_, i) => [`a-${i}`, `b-${i}`]).flat()].sort();
    assert.deepEqual(ids, expected);
    assert.deepEqual(store.getIdentity('shared')?.warningsSent, Array.from({ length: 30 }, (_, i) => i), 'every read-modify-write saw the one before');
    assert.deepEqual(readdirSync(dir), [SETTINGS_FILE_NAME], 'no lock or temporary file left behind');
  });
});
