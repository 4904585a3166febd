/**
 * What the update logic needs of an updater: electron-updater in the app (src/main/app/updater.ts),
 * a scripted one in tests. Plain data in and out; nothing here knows Electron.
 */

/** A newer release found by a check, being downloaded. */
export interface FoundUpdate {
  version: string;
  /** The release's notes as plain text ('' when it has none). */
  notes: string;
  /** Settles when the download has finished (rejects when it failed). */
  downloaded: Promise<void>;
}

export interface UpdaterPort {
  /** Asks the release feed once. Rejects when the feed cannot be read. */
  check(): Promise<FoundUpdate | null>;
  /** Quits the app and starts the downloaded version. */
  quitAndInstall(): void;
}
