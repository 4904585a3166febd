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

/**
 * How long after its last change a file's stat is trusted to tell a later change (ms). File
 * timestamps are coarse (a kernel tick on Linux, 1–2 s on some file systems): a file changed again
 * within the same tick, in place and to the same size, would look unchanged. So a document read
 * less than this after the file's change is not kept; the next read parses the file again.
 */
export const SETTLED_AFTER_MS = 2_000;

/** The last checked document per settings file, with the stat it was read under. */
const parsed = new Map<string, { key: string; doc: SettingsDocument }>();

/** What tells one version of the file from another (device, inode, size, mtime, ctime in ns), and when it last changed; null when it is no regular file. */
function fileVersion(file: string): { key: string; changedAt: number } | null {
  try {
    const st = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (!st?.isFile()) return null;
    const changedNs = st.ctimeNs > st.mtimeNs ? st.ctimeNs : st.mtimeNs;
    return { key: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, changedAt: Number(changedNs / 1_000_000n) };
  } catch {
    return null; // readSettingsFile says what is wrong
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The file's content for a reader that must not write: defaults when missing, typed errors otherwise.
 *
 * A long-lived reader (the headless token agent asks at every request) gets the document it read
 * before, without reading and checking the file again, while the file's stat (device, inode, size,
 * mtime and ctime, in nanoseconds) is the same and the file last changed more than
 * {@link SETTLED_AFTER_MS} before it was read. A change by any process shows at the next call: an
 * atomic replace gives a new inode, a write in place a new ctime. The document is frozen (callers
 * may share it), whether it came from the file or from memory. `now` is for tests.
 */
export function readSettingsFast(dir: string, now: () => number = Date.now): SettingsDocument {
  const file = settingsFilePath(dir);
  const version = fileVersion(file);
  const kept = parsed.get(file);
  if (kept && version && kept.key === version.key) return kept.doc;
  parsed.delete(file);
  const read = readSettingsFile(file);
  switch (read.state) {
    case 'missing':
      return defaultDocument();
    case 'ok': {
      const doc = deepFreeze(read.doc);
      // The stat was taken before the read: at worst a newer document is kept under an older
      // key, which the next call's stat no longer matches.
      if (version && now() - version.changedAt >= SETTLED_AFTER_MS) parsed.set(file, { key: version.key, doc });
      return doc;
    }
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
