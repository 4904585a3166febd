/**
 * The settings store for short-lived CLI commands: the same reads, guards and lock as the app's
 * store, but writes the JSON file itself (atomically, mode 0600) instead of loading conf and
 * compiling its schema (about 90 ms, more than the rest of a `token` refresh). Every value written
 * has passed the same hand-written guards that conf's schema mirrors (a test keeps them equal).
 * When the file is new or in an older format, it returns null: the caller then opens the conf
 * store, which creates or migrates it.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createSettingsStore, FILE_MODE, type SettingsStore } from './store-core.ts';
import { settingsFilePath } from './settings-file.ts';

class NeedsConf extends Error {}

/** Writes `data` to `file` through a temporary file in the same folder and a rename. */
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

/** The direct-write store, or null when the file first needs conf (creation or migration). */
export function openDirectSettingsStore(dir: string, opts: { lockTimeoutMs?: number } = {}): SettingsStore | null {
  try {
    return createSettingsStore({
      dir,
      ...(opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {}),
      writer: (d) => ({
        open(needsWrite) {
          if (needsWrite) throw new NeedsConf();
        },
        write(data) {
          writeJsonAtomically(settingsFilePath(d), data);
        },
      }),
    });
  } catch (e) {
    if (e instanceof NeedsConf || (e instanceof Error && e.cause instanceof NeedsConf)) return null;
    throw e;
  }
}
