/**
 * The openEO Python client's `refresh-tokens.json`, read and written by the client's own rules
 * (`openeo/rest/auth/config.py` `RefreshTokenStore`), so that a login made here serves every
 * Python script on the machine — and so that nothing here ever breaks that file for the client.
 *
 * Layout: `{"<issuer without trailing />": {"<client_id>": {"date": "<RFC 3339 UTC>",
 * "refresh_token": "..."}}}`, mode 0600. Writes are read-modify-write under our lock, atomic
 * (temporary file in the same folder, fsync, rename), keep every other entry, and refuse a file
 * that could not be parsed. The Python client itself writes without a lock and non-atomically.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { AuthTrayError } from '../errors.ts';
import { trimTrailingSlashes } from '../../../shared/format/peer-text.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { withFileLock } from '../process-lock.ts';
import { commit, readRaw, resolveTarget, sameBytes, writeTemporary } from './atomic-file.ts';

/** One client's entry, as the Python client writes it. Unknown extra fields are kept as they are. */
export interface StoredRefreshTokenEntry {
  refresh_token: string;
  date?: string;
  [extra: string]: unknown;
}

/** The whole store: issuer (no trailing `/`) → client id → entry. */
export type StoreContents = Record<string, Record<string, StoredRefreshTokenEntry>>;

/** Options for reading/writing the store. `platform` decides whether POSIX permissions are enforced. */
export interface StoreIoOptions {
  platform?: NodeJS.Platform;
  /** How long to wait for our own lock (ms). */
  lockTimeoutMs?: number;
}

/** The issuer key the Python client uses: trailing slashes removed (`url.rstrip("/") or "/"`). */
export function issuerKey(issuer: string): string {
  return trimTrailingSlashes(issuer) || '/';
}

/** `date` as the Python client writes it: RFC 3339, UTC, whole seconds, `Z`. */
export function pythonStoreDate(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

function invalid(storePath: string, what: string, nextStep?: string): AuthTrayError {
  return new AuthTrayError('PYTHON_STORE_INVALID', `The openEO Python client's token store ${storePath} ${what}`, {
    nextStep: nextStep ?? 'Fix or delete that file (it was left unchanged); the Python client creates a new one at its next login.',
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the layout; the message names where it breaks (keys only, never a value). */
function validate(storePath: string, parsed: unknown): StoreContents {
  const shape = 'does not have the layout the openEO Python client writes (issuer → client id → {date, refresh_token})';
  if (!isPlainObject(parsed)) throw invalid(storePath, `${shape}: its top level is not an object.`);
  for (const [issuer, clients] of Object.entries(parsed)) {
    if (!isPlainObject(clients)) throw invalid(storePath, `${shape}: the entry for "${issuer}" is not an object.`);
    for (const [clientId, entry] of Object.entries(clients)) {
      const where = `"${issuer}" → "${clientId}"`;
      if (!isPlainObject(entry)) throw invalid(storePath, `${shape}: ${where} is not an object.`);
      if (typeof entry['refresh_token'] !== 'string') throw invalid(storePath, `${shape}: ${where} has no refresh_token text.`);
      if (entry['date'] !== undefined && typeof entry['date'] !== 'string') {
        throw invalid(storePath, `${shape}: ${where} has a date that is not text.`);
      }
    }
  }
  return parsed as StoreContents;
}

interface LoadedStore {
  contents: StoreContents | null;
  /** The exact bytes read, to notice a concurrent writer. */
  raw: Buffer | null;
}

async function loadStore(storePath: string, platform: NodeJS.Platform): Promise<LoadedStore> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO put in the store's place must not wait forever for a writer.
    handle = await fs.open(storePath, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { contents: null, raw: null };
    throw invalid(storePath, 'could not be opened.', 'Check that you may read that file.');
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw invalid(storePath, 'is not a regular file.');
    // The Python client raises PermissionError on any group/other bit (it only logs on Windows).
    if (platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8);
      throw invalid(
        storePath,
        `can be read or changed by other users (mode ${mode}), so the Python client refuses it; make it private with: chmod 600 ${storePath}`,
        `Run "chmod 600 ${storePath}", then try again; the file was left unchanged.`,
      );
    }
    const raw = await handle.readFile();
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      // No cause attached: a JSON.parse message may quote a piece of the file, i.e. a token.
      throw invalid(storePath, 'is not valid JSON.');
    }
    const contents = validate(storePath, parsed);
    for (const clients of Object.values(contents)) {
      for (const entry of Object.values(clients)) registerSecret(entry.refresh_token);
    }
    return { contents, raw };
  } finally {
    await handle.close();
  }
}

/**
 * Reads the store. `null` when the file does not exist. Throws `PYTHON_STORE_INVALID` for bad
 * JSON, an unexpected layout, or (POSIX) group/other permission bits. Never modifies the file.
 */
export async function readRefreshTokenStore(
  storePath: string,
  opts: StoreIoOptions = {},
): Promise<StoreContents | null> {
  return (await loadStore(storePath, opts.platform ?? process.platform)).contents;
}

/** The store's entry for one issuer + client (issuer matched without trailing `/`), or null. */
export function getStoredRefreshToken(
  contents: StoreContents | null,
  issuer: string,
  clientId: string,
): { refreshToken: string; date: string } | null {
  const key = issuerKey(issuer);
  // Own properties only: a client id such as "toString" must not find Object.prototype.
  const clients = contents && Object.hasOwn(contents, key) ? contents[key] : undefined;
  const entry = clients && Object.hasOwn(clients, clientId) ? clients[clientId] : undefined;
  if (!entry) return null;
  return { refreshToken: entry.refresh_token, date: entry.date ?? '' };
}

/** Like Python's `json.dump(data, f, indent=2)` (ensure_ascii: non-ASCII as \uXXXX). */
function serialize(contents: StoreContents): string {
  return JSON.stringify(contents, null, 2).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Defence in depth: the new contents hold every entry the old one had, except `removed`. */
function assertKeepsEverything(
  storePath: string,
  before: StoreContents | null,
  after: StoreContents,
  removed?: { issuer: string; clientId: string },
): void {
  for (const [issuer, clients] of Object.entries(before ?? {})) {
    for (const clientId of Object.keys(clients)) {
      if (removed && removed.issuer === issuer && removed.clientId === clientId) continue;
      if (!Object.hasOwn(after, issuer) || !Object.hasOwn(after[issuer] ?? {}, clientId)) {
        throw new AuthTrayError('INTERNAL', `Refusing to write ${storePath}: it would lose the entry for "${issuer}" → "${clientId}".`);
      }
    }
  }
}

const MAX_MERGE_ATTEMPTS = 4;

/**
 * Read-modify-write under our lock. `mutate` returns false when nothing needs writing.
 * The Python client writes without any lock, so if the file changed between our read and our
 * rename, the merge is redone on the new contents instead of overwriting them.
 */
async function updateStore(
  storePath: string,
  opts: StoreIoOptions,
  mutate: (contents: StoreContents) => boolean,
  removed?: { issuer: string; clientId: string },
): Promise<boolean> {
  const platform = opts.platform ?? process.platform;
  const lockOpts = opts.lockTimeoutMs === undefined ? {} : { timeoutMs: opts.lockTimeoutMs };
  return withFileLock(`${storePath}.lock`, async () => {
    const target = await resolveTarget(storePath);
    for (let attempt = 1; attempt <= MAX_MERGE_ATTEMPTS; attempt++) {
      const before = await loadStore(target, platform);
      const next = structuredClone(before.contents ?? {});
      if (!mutate(next)) return false;
      assertKeepsEverything(storePath, before.contents, next, removed);
      const tmp = await writeTemporary(target, serialize(next));
      if (!sameBytes(before.raw, await readRaw(target).catch(() => null))) {
        await fs.rm(tmp, { force: true });
        continue;
      }
      await commit(tmp, target);
      return true;
    }
    throw new AuthTrayError('LOCK_TIMEOUT', `The openEO Python client's token store ${storePath} kept changing while it was being updated.`, {
      nextStep: 'Wait until your Python scripts have finished logging in, then try again.',
    });
  }, lockOpts);
}

/** `o[key] = value` as an own property even for `__proto__` (a client id a backend may list). */
function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Stores `refreshToken` for issuer + client the way the Python client does, keeping every other
 * issuer and client. Creates the folder (0700) and file (0600) when missing. Refuses to touch a
 * file it cannot parse or whose permissions are wrong (`PYTHON_STORE_INVALID`).
 */
export async function writeRefreshToken(
  storePath: string,
  issuer: string,
  clientId: string,
  refreshToken: string,
  now: number,
  opts: StoreIoOptions = {},
): Promise<void> {
  registerSecret(refreshToken);
  const key = issuerKey(issuer);
  await fs.mkdir(path.dirname(storePath), { recursive: true, mode: 0o700 });
  await updateStore(storePath, opts, (contents) => {
    const clients = Object.hasOwn(contents, key) ? (contents[key] as Record<string, StoredRefreshTokenEntry>) : {};
    setOwn(clients, clientId, { date: pythonStoreDate(now), refresh_token: refreshToken });
    setOwn(contents, key, clients);
    return true;
  });
}

/**
 * Removes the entry for issuer + client (logout with sync). Other entries stay; an issuer left
 * without clients is dropped. Returns false when there was nothing to remove (no write then).
 */
export async function removeRefreshToken(
  storePath: string,
  issuer: string,
  clientId: string,
  opts: StoreIoOptions = {},
): Promise<boolean> {
  const key = issuerKey(issuer);
  if ((await readRaw(storePath).catch(() => Buffer.alloc(0))) === null) return false;
  return updateStore(
    storePath,
    opts,
    (contents) => {
      const clients = Object.hasOwn(contents, key) ? contents[key] : undefined;
      if (!clients || !Object.hasOwn(clients, clientId)) return false;
      delete clients[clientId];
      if (Object.keys(clients).length === 0) delete contents[key];
      return true;
    },
    { issuer: key, clientId },
  );
}
