/**
 * electron-updater (electron-builder's own updater) behind the core's UpdaterPort: it reads
 * app-update.yml, which electron-builder writes from electron-builder.yml's `publish` (this
 * project's GitHub Releases), downloads what it finds, and installs only when told to
 * (`autoInstallOnAppQuit` off: the core shows the notes and asks first).
 *
 * Loaded when the app starts, not imported: it is a production dependency (package.json, packed
 * into the app by electron-builder), and a build without it still runs and says it cannot update
 * itself.
 * Its type here is the part of electron-updater's `AppUpdater` this file uses, held to the
 * package's own .d.ts by test/app/updater-types.test.ts wherever the package is installed.
 */
import type { Logger } from '../core/log.ts';
import type { UpdaterPort } from '../core/updates/updater-port.ts';
import { plainNotes } from '../core/updates/update-state.ts';

/** The module's name, kept in a variable so that neither the type checker nor the bundler needs it present. */
export const ELECTRON_UPDATER_MODULE = 'electron-updater';

/** The part of electron-updater's `AppUpdater` used here. */
export interface ElectronAppUpdater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowPrerelease: boolean;
  checkForUpdates(): Promise<{
    readonly isUpdateAvailable: boolean;
    readonly updateInfo: { readonly version: string; releaseNotes?: string | Array<{ readonly version: string; readonly note: string | null }> | null };
    readonly downloadPromise?: Promise<string[]> | null;
  } | null>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

/** Loads electron-updater's `autoUpdater`; null (and a line in the log) when the package is not there. */
export async function loadElectronUpdater(log: Logger, load: (name: string) => Promise<unknown> = (name) => import(name)): Promise<ElectronAppUpdater | null> {
  let mod: unknown;
  try {
    mod = await load(ELECTRON_UPDATER_MODULE);
  } catch (e) {
    log('info', 'This build has no updater (electron-updater is not installed); updates are off.', e);
    return null;
  }
  // CommonJS from an ES module: `autoUpdater` is a named export, or a property of the default one.
  const m = mod as { autoUpdater?: ElectronAppUpdater; default?: { autoUpdater?: ElectronAppUpdater } };
  const updater = m.autoUpdater ?? m.default?.autoUpdater ?? null;
  if (!updater) log('warn', 'electron-updater has no autoUpdater; updates are off.');
  return updater;
}

/** The core's port over electron-updater: stable releases only, downloaded at once, installed only when asked. */
export function electronUpdaterPort(updater: ElectronAppUpdater): UpdaterPort {
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = false;
  updater.allowPrerelease = false;
  return {
    async check() {
      const result = await updater.checkForUpdates();
      if (!result || !result.isUpdateAvailable) return null;
      const download = result.downloadPromise;
      return {
        version: result.updateInfo.version,
        notes: plainNotes(result.updateInfo.releaseNotes),
        downloaded: download ? download.then(() => undefined) : Promise.reject(new Error('electron-updater started no download')),
      };
    },
    quitAndInstall() {
      // Not silent (Windows: the installer shows its progress), and the new version starts after.
      updater.quitAndInstall(false, true);
    },
  };
}
