/**
 * One tray per user: a second launch (from the app menu, or `npm start` again) hands over to the
 * running instance, which brings its window forward, and then quits.
 */
import type { App } from 'electron';

/** The Electron parts this module uses. */
export interface SingleInstanceElectron {
  app: Pick<App, 'requestSingleInstanceLock' | 'on'>;
}

/**
 * Takes the single-instance lock. Returns false when another instance holds it (the caller must
 * then quit without starting anything); otherwise `onSecondLaunch` runs for each later launch.
 */
export function claimSingleInstance(electron: SingleInstanceElectron, onSecondLaunch: (argv: string[]) => void): boolean {
  if (!electron.app.requestSingleInstanceLock()) return false;
  electron.app.on('second-instance', (_event, argv) => onSecondLaunch(argv));
  return true;
}
