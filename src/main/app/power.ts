/**
 * After sleep or a locked screen, timers armed before may fire late and tokens may have expired
 * in between: the core re-evaluates every identity at once instead of waiting for them.
 */
import type { PowerMonitor } from 'electron';
import type { AppCore } from '../core/tray-app/app-core.ts';
import type { Logger } from '../core/log.ts';

/** The Electron parts this module uses. */
export interface PowerElectron {
  powerMonitor: Pick<PowerMonitor, 'on' | 'removeListener'>;
}

/** Calls `core.resume()` on each wake event. Returns a function that stops listening. */
export function setupPower(electron: PowerElectron, core: Pick<AppCore, 'resume'>, log: Logger): () => void {
  const onWake = (): void => {
    try {
      core.resume();
    } catch (e) {
      log('error', 'Re-checking the logins after a wake-up failed.', e);
    }
  };
  const onResume = (): void => {
    log('info', 'The computer woke up: re-checking every login now.');
    onWake();
  };
  const onUnlock = (): void => {
    log('info', 'The screen was unlocked: re-checking every login now.');
    onWake();
  };
  electron.powerMonitor.on('resume', onResume);
  electron.powerMonitor.on('unlock-screen', onUnlock);
  return () => {
    electron.powerMonitor.removeListener('resume', onResume);
    electron.powerMonitor.removeListener('unlock-screen', onUnlock);
  };
}
