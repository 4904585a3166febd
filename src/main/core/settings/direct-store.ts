/**
 * The settings store for short-lived CLI commands: the same reads, guards and lock as the app's
 * store, but writes the JSON file itself (atomically, mode 0600) instead of loading conf and
 * compiling its schema (about 90 ms, more than the rest of a `token` refresh). Every value written
 * has passed the same hand-written guards that conf's schema mirrors (a test keeps them equal).
 * When the file is new or in an older format, it returns null: the caller then opens the conf
 * store, which creates or migrates it.
 */
import { createSettingsStore, writeJsonAtomically, type SettingsStore } from './store-core.ts';
import { settingsFilePath } from './settings-file.ts';

export { writeJsonAtomically };

class NeedsConf extends Error {}

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
