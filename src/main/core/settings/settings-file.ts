/**
 * Reading the settings file, shared by the settings store and the CLI's fast path.
 *
 * The fast path (`readSettingsFast`) loads neither conf nor ajv: opening
 * the conf store costs about 100 ms (module load plus schema compilation), more than Node's own
 * start-up, and `openeo-auth-tray token` must stay within 1.5x of a bare `node -e 0`. It checks
 * the file with the same hand-written guards and never writes: a damaged file is reported and
 * left as it is (the store, when opened, keeps it aside).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AuthTrayError } from '../errors.ts';
import { checkSettingsDocument, salvageSettingsDocument, type DamagedEntry } from './guards.ts';
import { defaultDocument, LIMITS, SCHEMA_VERSION, type SettingsDocument } from './schema.ts';

export const SETTINGS_FILE_NAME = 'settings.json';

export function settingsFilePath(dir: string): string {
  return join(dir, SETTINGS_FILE_NAME);
}

export type SettingsFileRead =
  | { state: 'missing' }
  /** `raw` is the parsed file as it is (unknown keys and conf's `__internal__` included). */
  | { state: 'ok'; raw: Record<string, unknown>; doc: SettingsDocument }
  /**
   * `salvage`: the damage is only in some identity entries; the rest of the file with the readable
   * identities, and the damaged entries as they are.
   */
  | { state: 'damaged'; problem: string; salvage?: { raw: Record<string, unknown>; doc: SettingsDocument; damaged: DamagedEntry[] } }
  | { state: 'too-new'; version: number };

/** Reads and checks the file. Throws only when it exists but cannot be read (SETTINGS_CORRUPT). */
export function readSettingsFile(file: string): SettingsFileRead {
  let text: string;
  try {
    const stat = statSync(file);
    // A FIFO would block this read forever and a device (/dev/zero) never end: only regular files are read.
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: stat.isDirectory() ? 'EISDIR' : 'not a regular file' });
    if (stat.size > LIMITS.fileBytes) return { state: 'damaged', problem: `it is larger than ${LIMITS.fileBytes / 1024 / 1024} MiB` };
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw unreadableError(file, e);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Not the parser's message: recent Node versions quote the file's text in it.
    return { state: 'damaged', problem: 'it is not valid JSON' };
  }
  const version = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).schemaVersion : undefined;
  if (typeof version === 'number' && Number.isInteger(version) && version > SCHEMA_VERSION) return { state: 'too-new', version };
  const checked = checkSettingsDocument(raw);
  if (!checked.ok) {
    const salvaged = salvageSettingsDocument(raw);
    return salvaged
      ? { state: 'damaged', problem: checked.problem, salvage: { raw: raw as Record<string, unknown>, ...salvaged } }
      : { state: 'damaged', problem: checked.problem };
  }
  return { state: 'ok', raw: raw as Record<string, unknown>, doc: checked.value };
}

/** The file's content for a reader that must not write: defaults when missing, typed errors otherwise. */
export function readSettingsFast(dir: string): SettingsDocument {
  const file = settingsFilePath(dir);
  const read = readSettingsFile(file);
  switch (read.state) {
    case 'missing':
      return defaultDocument();
    case 'ok':
      return read.doc;
    case 'too-new':
      throw tooNewError(file, read.version);
    case 'damaged':
      if (read.salvage) {
        const n = read.salvage.damaged.length;
        throw new AuthTrayError('SETTINGS_CORRUPT', `The settings file ${file} has ${n === 1 ? 'a login' : `${n} logins`} that cannot be read (${read.problem}); it was left unchanged.`, {
          nextStep: 'Repair it by hand, or run `openeo-auth-tray doctor --set-aside` (or start the app): the damaged logins are moved to a file of their own, the others keep working, and their secrets stay in the keychain for `doctor --adopt`.',
        });
      }
      throw new AuthTrayError('SETTINGS_CORRUPT', `The settings file ${file} is damaged (${read.problem}); it was left unchanged.`, {
        nextStep: 'Repair it, or start the openEO Auth Tray app, which keeps the damaged file aside and starts with a fresh one (the logins\' secrets stay in the keychain: `openeo-auth-tray doctor` finds them).',
      });
  }
}

export function tooNewError(file: string, version: number): AuthTrayError {
  return new AuthTrayError(
    'SETTINGS_CORRUPT',
    `The settings file ${file} was written by a newer openEO Auth Tray (format ${version}; this version reads format ${SCHEMA_VERSION}); it was left unchanged.`,
    { nextStep: 'Update openEO Auth Tray to the newest version.' },
  );
}

export function unreadableError(file: string, e: unknown): AuthTrayError {
  const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
  return new AuthTrayError('SETTINGS_CORRUPT', `The settings file ${file} cannot be read (${code}).`, {
    cause: e,
    nextStep: 'Check the permissions of the file and its folder, then try again.',
  });
}
