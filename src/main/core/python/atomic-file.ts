/**
 * Replacing a private file atomically: a temporary file in the same folder (created 0600,
 * fsynced), renamed over the target, then the folder fsynced. Readers see the old or the new
 * contents, never a half-written file.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** The file a path leads to (symlinks followed), or the path itself when it does not exist yet. */
export async function resolveTarget(storePath: string): Promise<string> {
  // Write through a symlinked store like the Python client does, instead of replacing the link.
  try {
    return await fs.realpath(storePath);
  } catch {
    return storePath;
  }
}

/** Writes `text` to a new private temporary file beside `target`, flushed to disk. */
export async function writeTemporary(target: string, text: string): Promise<string> {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.chmod(0o600); // in case the umask was unusual
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return tmp;
}

/** Renames the temporary file over `target` and makes the rename durable. */
export async function commit(tmp: string, target: string): Promise<void> {
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  // Make the rename itself durable; directories cannot be fsynced on Windows.
  const dirHandle = await fs.open(path.dirname(target), fsConstants.O_RDONLY).catch(() => null);
  await dirHandle?.sync().catch(() => undefined);
  await dirHandle?.close();
}

/** The file's bytes, or null when it does not exist. */
export async function readRaw(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Both absent, or the same bytes. */
export function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
