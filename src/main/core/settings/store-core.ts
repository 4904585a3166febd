/**
 * The settings and the identity list (no secrets), in one JSON file. The writer is passed in:
 * conf / electron-store in the app (./store.ts: schema check on write, atomic write, defaults,
 * migrations), or a direct atomic write for short-lived CLI commands (./direct-store.ts).
 *
 * Two processes (the tray and the CLI) share the file, so:
 * - every read re-reads the file (conf keeps no cache either; we read it ourselves so that the
 *   same hand-written guards as the CLI's fast path give typed errors);
 * - every change is read-modify-write under a cross-process lock (`settings.lock` beside it),
 *   and conf's own writes at opening (a new file, a migration) take the same lock.
 *
 * A damaged file (bad JSON, or content the guards refuse) is never replaced silently: it is renamed
 * to `settings.json.corrupt-<time>` and the call throws SETTINGS_CORRUPT saying where it went.
 * This store object then refuses all further calls (so it cannot write an empty list over what
 * the person may want to repair); the next `openSettingsStore` (the next start) finds no file and
 * begins with defaults. A file from a newer version is left alone and refused.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { join, resolve } from 'node:path';
import { AuthTrayError, isAuthTrayError, toAuthTrayError } from '../errors.ts';
import type { Identity } from '../../../shared/model.ts';
import { withFileLock, withFileLockSync } from '../process-lock.ts';
import { checkIdentity, checkSettingsPatch } from './guards.ts';
import { defaultDocument, PROJECT_VERSION, type Settings, type SettingsDocument } from './schema.ts';
import { readSettingsFile, settingsFilePath, tooNewError, SETTINGS_FILE_NAME } from './settings-file.ts';

export type IdentityPatch = Partial<Omit<Identity, 'id'>>;

export interface SettingsStore {
  /** The settings folder and file, for messages. */
  readonly dir: string;
  readonly path: string;
  getSettings(): Settings;
  /** Changes some settings; unknown keys or invalid values throw INVALID_ARGUMENT. */
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  listIdentities(): Identity[];
  getIdentity(id: string): Identity | undefined;
  /** Adds the identity, or replaces the one with the same id. */
  upsertIdentity(identity: Identity): Promise<Identity>;
  /**
   * Changes some fields (`undefined` removes an optional one). A function receives the
   * identity as it is in the file at that moment, under the lock: use it for changes that depend
   * on the current value. Throws IDENTITY_NOT_FOUND when there is no such identity.
   */
  updateIdentity(id: string, patch: IdentityPatch | ((current: Identity) => IdentityPatch)): Promise<Identity>;
  /** Removes the identity; false when there was none. */
  removeIdentity(id: string): Promise<boolean>;
  /**
   * Logins this store set aside because their entries could not be read (the rest of the file
   * kept working), once: the caller tells the person. Empty when there were none.
   */
  takeSetAside(): SetAside[];
}

/** A login whose settings entry could not be read: moved to a file of its own. */
export interface SetAside {
  id: string | null;
  label: string | null;
  problem: string;
  /** The file that holds the entry now. */
  file: string;
}

/** How the file is written. Reading, checking and locking are the store's, never the writer's. */
export interface SettingsWriter {
  /** Prepares the file at opening; `needsWrite` (new file, older format) runs under the lock. */
  open(needsWrite: boolean): void;
  /** Replaces the whole file (atomically) with `data`. */
  write(data: Record<string, unknown>): void;
}

export interface SettingsStoreCoreOptions {
  dir: string;
  writer: (dir: string) => SettingsWriter;
  /** Longest wait for another process's change to finish. Default 10 s. */
  lockTimeoutMs?: number;
  /** Clock for naming a damaged file kept aside. */
  now?: () => number;
}

export const SETTINGS_LOCK_NAME = 'settings.lock';
const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type Current = { raw: Record<string, unknown>; doc: SettingsDocument } | null;

/** Opens (creating or migrating when needed) the settings file in `dir`, writing through `opts.writer`. */
export function createSettingsStore(opts: SettingsStoreCoreOptions): SettingsStore {
  const dir = resolve(opts.dir);
  const file = settingsFilePath(dir);
  const lockPath = join(dir, SETTINGS_LOCK_NAME);
  const lockOpts = { timeoutMs: opts.lockTimeoutMs ?? 10_000 };
  const now = opts.now ?? Date.now;
  let poisoned: AuthTrayError | undefined;
  const setAside: SetAside[] = [];

  /** The file now (null when there is none); a damaged one is kept aside and reported. */
  function current(): Current {
    if (poisoned) throw poisoned;
    const first = readSettingsFile(file);
    if (first.state !== 'damaged') return settle(first);
    // Confirm under the lock (another process may just have fixed or moved it), then move it:
    // only the damaged entries when the rest can be read, else the whole file.
    try {
      return withFileLockSync(lockPath, () => {
        const again = readSettingsFile(file);
        if (again.state !== 'damaged') return settle(again);
        if (again.salvage) {
          setAside.push(...setAsideEntries(file, again.salvage, now));
          return settle(readSettingsFile(file));
        }
        poisoned = keepAside(file, again.problem, now);
        throw poisoned;
      }, lockOpts);
    } catch (e) {
      if (isAuthTrayError(e)) throw e;
      // Not even the lock can be taken (a read-only folder?): report, and change nothing.
      throw (poisoned = damagedInPlace(file, first.problem, e));
    }
  }

  function settle(read: ReturnType<typeof readSettingsFile>): Current {
    if (read.state === 'too-new') throw tooNewError(file, read.version);
    return read.state === 'ok' ? { raw: read.raw, doc: read.doc } : null;
  }

  ensureFolder(dir);
  const opened = current();
  const writer = opts.writer(dir);
  try {
    const needsWrite = needsWriteOnOpen(opened);
    if (needsWrite) withFileLockSync(lockPath, () => writer.open(true), lockOpts);
    else writer.open(false);
  } catch (e) {
    throw storageError(e, dir);
  }

  async function change<T>(apply: (doc: SettingsDocument) => T): Promise<T> {
    if (poisoned) throw poisoned;
    try {
      ensureFolder(dir);
      return await withFileLock(
        lockPath,
        async () => {
          const latest = current();
          const doc = latest?.doc ?? defaultDocument();
          const result = apply(doc);
          const keep = Object.entries(latest?.raw ?? {}).filter(([k]) => !UNSAFE_KEYS.has(k));
          // Unknown top-level keys and conf's `__internal__` stay as they were.
          writer.write({ ...Object.fromEntries(keep), ...doc });
          return result;
        },
        lockOpts,
      );
    } catch (e) {
      throw storageError(e, dir);
    }
  }

  return {
    dir,
    path: file,
    getSettings: () => (current() ?? { doc: defaultDocument() }).doc.settings,
    async updateSettings(patch) {
      const checked = checkSettingsPatch(patch);
      if (!checked.ok) throw invalid(checked.problem);
      return change((doc) => {
        doc.settings = { ...doc.settings, ...checked.value };
        return doc.settings;
      });
    },
    listIdentities: () => (current() ?? { doc: defaultDocument() }).doc.identities,
    getIdentity: (id) => (current()?.doc.identities ?? []).find((i) => i.id === id),
    async upsertIdentity(identity) {
      const checked = checkIdentity(identity, 'identity', true);
      if (!checked.ok) throw invalid(checked.problem);
      return change((doc) => {
        const at = doc.identities.findIndex((i) => i.id === checked.value.id);
        if (at >= 0) doc.identities[at] = checked.value;
        else doc.identities.push(checked.value);
        return checked.value;
      });
    },
    async updateIdentity(id, patch) {
      return change((doc) => {
        const at = doc.identities.findIndex((i) => i.id === id);
        const found = doc.identities[at];
        if (!found) throw notFound(id);
        const changes: Record<string, unknown> = { ...(typeof patch === 'function' ? patch(structuredClone(found)) : patch) };
        if ('id' in changes && changes.id !== id) throw invalid('identity.id cannot be changed');
        const merged: Record<string, unknown> = { ...found, ...changes };
        for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
        const checked = checkIdentity(merged, 'identity', true);
        if (!checked.ok) throw invalid(checked.problem);
        doc.identities[at] = checked.value;
        return checked.value;
      });
    },
    async removeIdentity(id) {
      return change((doc) => {
        const before = doc.identities.length;
        doc.identities = doc.identities.filter((i) => i.id !== id);
        return doc.identities.length < before;
      });
    },
    takeSetAside: () => setAside.splice(0),
  };
}

/**
 * Moves damaged identity entries to `settings.json.damaged-<time>` (0600, as they were, with what
 * is wrong) and writes the file without them. The logins' secrets stay in the keychain.
 */
function setAsideEntries(file: string, salvage: NonNullable<Extract<ReturnType<typeof readSettingsFile>, { state: 'damaged' }>['salvage']>, now: () => number): SetAside[] {
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  let aside = `${file}.damaged-${stamp}`;
  for (let n = 1; existsSync(aside); n++) aside = `${file}.damaged-${stamp}-${n}`;
  writeJsonAtomically(aside, {
    note: 'Logins openEO Auth Tray could not read from settings.json. Their secrets stay in the keychain; repair an entry and run `openeo-auth-tray doctor --adopt <id>` to take it back.',
    damaged: salvage.damaged.map((d) => ({ where: d.where, problem: d.problem, entry: d.entry })),
  });
  const keep = Object.entries(salvage.raw).filter(([k]) => !UNSAFE_KEYS.has(k) && k !== 'identities');
  writeJsonAtomically(file, { ...Object.fromEntries(keep), identities: salvage.doc.identities });
  return salvage.damaged.map((d) => ({ id: d.id, label: d.label, problem: d.problem, file: aside }));
}

/** Writes `data` to `file` (0600) through a temporary file in the same folder and a rename. */
export function writeJsonAtomically(file: string, data: unknown): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'wx', FILE_MODE);
  try {
    // conf writes the same layout (tab-indented JSON).
    writeSync(fd, `${JSON.stringify(data, undefined, '\t')}`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** A write is needed at opening when the file is new, lacks a section, or has an older format. */
export function needsWriteOnOpen(opened: Current): boolean {
  if (!opened) return true;
  const { raw } = opened;
  const internal = raw.__internal__ as { migrations?: { version?: unknown } } | undefined;
  return internal?.migrations?.version !== PROJECT_VERSION || !('schemaVersion' in raw && 'settings' in raw && 'identities' in raw);
}

function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  } catch (e) {
    throw storageError(e, dir);
  }
}

/** Renames the damaged file out of the way and says where it went. */
function keepAside(file: string, problem: string, now: () => number): AuthTrayError {
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  let aside = `${file}.corrupt-${stamp}`;
  for (let n = 1; existsSync(aside); n++) aside = `${file}.corrupt-${stamp}-${n}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    return damagedInPlace(file, problem, e);
  }
  return new AuthTrayError('SETTINGS_CORRUPT', `The settings file ${file} is damaged (${problem}). It was kept as ${aside} and not used.`, {
    nextStep: `Repair the kept file and move it back to ${file}, or start openEO Auth Tray again to begin with a fresh settings file; the logins' secrets stay in the keychain, and \`openeo-auth-tray doctor\` takes back each login it can rebuild from the kept file.`,
  });
}

function damagedInPlace(file: string, problem: string, e: unknown): AuthTrayError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'error';
  return new AuthTrayError('SETTINGS_CORRUPT', `The settings file ${file} is damaged (${problem}) and could not be moved aside (${code}); it was left unchanged.`, {
    cause: e,
    nextStep: `Repair or remove ${SETTINGS_FILE_NAME}, then start openEO Auth Tray again.`,
  });
}

/** File-system failures become SETTINGS_WRITE_FAILED; our own errors pass unchanged. */
export function storageError(e: unknown, dir: string): AuthTrayError {
  if (isAuthTrayError(e)) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    return new AuthTrayError('SETTINGS_WRITE_FAILED', `Could not save the settings in ${dir} (${code}); the previous settings are unchanged.`, {
      cause: e,
      nextStep: `Check that the folder ${dir} is writable and the disk is not full, then try again.`,
    });
  }
  return toAuthTrayError(e);
}

function invalid(problem: string): AuthTrayError {
  return new AuthTrayError('INVALID_ARGUMENT', `Not saved: ${problem}.`);
}

function notFound(id: string): AuthTrayError {
  return new AuthTrayError('IDENTITY_NOT_FOUND', `There is no identity "${id}".`, {
    nextStep: 'Run `openeo-auth-tray status` to see the identities there are.',
  });
}
