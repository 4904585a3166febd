/**
 * readSettingsFast keeps the checked document of a settled file (the headless agent reads the
 * settings at every request) and still sees every change another process makes, at the next read:
 * an atomic replace, a write in place to the same size, a removal, damage. A file changed less
 * than SETTLED_AFTER_MS ago is read again each time, since file timestamps are coarse.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';
import { readSettingsFast, settingsFilePath, SETTLED_AFTER_MS } from '../../../src/main/core/settings/settings-file.ts';
import { defaultSettings, SCHEMA_VERSION, type SettingsDocument } from '../../../src/main/core/settings/schema.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openeo-settings-cache-'));
  file = settingsFilePath(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The file as the stores write it (tab-indented JSON), with one identity labelled `label`. */
function text(label: string): string {
  const doc: SettingsDocument = { schemaVersion: SCHEMA_VERSION, settings: defaultSettings(), identities: [sampleIdentity({ label })] };
  return JSON.stringify(doc, null, '\t');
}

/** A clock far enough ahead that the file counts as settled (its timestamps tell any later change). */
const later = (): number => Date.now() + 10 * SETTLED_AFTER_MS;

/** Past the file system's timestamp tick (a kernel tick on Linux), so a write now gets a new ctime. */
const nextTick = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

test('a settled file: the same (frozen) document again while the file is unchanged', () => {
  writeFileSync(file, text('alice'));
  const first = readSettingsFast(dir, later);
  assert.equal(first.identities[0]!.label, 'alice');
  assert.equal(readSettingsFast(dir, later), first, 'kept, not read and checked again');
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.identities) && Object.isFrozen(first.identities[0]), 'callers share it, so nobody may change it');
  assert.throws(() => {
    (first.identities as unknown[]).push(sampleIdentity());
  }, TypeError);
});

test('another process replaces the file atomically (a new inode): seen at the next read', async () => {
  writeFileSync(file, text('alice'));
  readSettingsFast(dir, later);
  await nextTick();
  writeFileSync(`${file}.tmp`, text('bobby'));
  renameSync(`${file}.tmp`, file);
  assert.equal(readSettingsFast(dir, later).identities[0]!.label, 'bobby');
});

test('another process rewrites the file in place to the same size: seen at the next read', async () => {
  writeFileSync(file, text('alice'));
  const ino = statSync(file).ino;
  readSettingsFast(dir, later);
  await nextTick();
  writeFileSync(file, text('alicf'));
  assert.equal(statSync(file).ino, ino, 'the same inode');
  assert.equal(text('alicf').length, text('alice').length, 'the same size');
  assert.equal(readSettingsFast(dir, later).identities[0]!.label, 'alicf');
});

test('the file removed, or damaged, after it was kept: defaults, or SETTINGS_CORRUPT — never the kept document', async () => {
  writeFileSync(file, text('alice'));
  readSettingsFast(dir, later);
  rmSync(file);
  assert.deepEqual(readSettingsFast(dir, later).identities, []);

  writeFileSync(file, text('alice'));
  readSettingsFast(dir, later);
  await nextTick();
  writeFileSync(file, text('alice').slice(0, -1)); // cut short: not JSON
  assert.throws(() => readSettingsFast(dir, later), (e) => isAuthTrayError(e, 'SETTINGS_CORRUPT'));
});

test('a file changed less than SETTLED_AFTER_MS ago is read again at every call (a change within the same timestamp tick)', () => {
  writeFileSync(file, text('alice'));
  const first = readSettingsFast(dir);
  // Right away, in place, to the same size: its timestamps may well be those of the first write.
  writeFileSync(file, text('alicf'));
  const second = readSettingsFast(dir);
  assert.notEqual(second, first);
  assert.equal(second.identities[0]!.label, 'alicf');
});
