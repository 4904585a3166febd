/**
 * Updates while the app runs: looks once a day by itself (while the person's "checkForUpdates"
 * setting is on) and whenever asked, lets the updater download what it finds, and restarts into
 * it only after the notes were shown and the person agreed (`confirm`). Clock and timers are
 * passed in, so a test runs days of it in milliseconds.
 */
import type { Clock, TimerHandle, Timers } from '../ports.ts';
import type { Logger } from '../log.ts';
import type { UpdaterPort } from './updater-port.ts';
import { canCheckNow, nextAutomaticCheck, notesForDialog, updatesOff, type UpdateState } from './update-state.ts';

export interface UpdateCheckerDeps {
  /** Null when this build has no updater. */
  updater: UpdaterPort | null;
  isPackaged: boolean;
  /** The person's setting, read each time. */
  automatic(): boolean;
  /** Shows the notes and asks to restart now; true to restart. */
  confirm(update: { version: string; notes: string }): Promise<boolean>;
  clock: Clock;
  timers: Timers;
  log: Logger;
  onChange(state: UpdateState): void;
}

export interface UpdateChecker {
  state(): UpdateState;
  start(): void;
  /** The setting may have changed: plan the next look anew. */
  settingsChanged(): void;
  /** After sleep: a look that fell due meanwhile happens now. */
  resume(): void;
  /** The person's "Check for updates": resolves with the state after the look. */
  checkNow(): Promise<UpdateState>;
  /** "Restart to update": notes, question, then the restart. Resolves true when it restarts. */
  installNow(): Promise<boolean>;
  stop(): void;
}

export function createUpdateChecker(deps: UpdateCheckerDeps): UpdateChecker {
  const off = updatesOff({ isPackaged: deps.isPackaged, updaterAvailable: deps.updater !== null });
  const startedAt = deps.clock.now();
  let state: UpdateState = off ? { kind: 'off', ...off } : { kind: 'idle', automatic: deps.automatic(), lastCheckedAt: null };
  let timer: TimerHandle | undefined;
  let stopped = false;

  const set = (next: UpdateState): void => {
    state = next;
    deps.onChange(state);
    plan();
  };
  const withAutomatic = (): UpdateState => (state.kind === 'off' ? state : { ...state, automatic: deps.automatic() });

  function plan(): void {
    if (timer) deps.timers.clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    const due = nextAutomaticCheck(state, startedAt);
    if (due === null) return;
    timer = deps.timers.setTimeout(() => {
      timer = undefined;
      void look();
    }, Math.max(0, due - deps.clock.now()));
  }

  async function look(): Promise<UpdateState> {
    const updater = deps.updater;
    if (!updater || !canCheckNow(state) || state.kind === 'off') return state;
    const automatic = deps.automatic();
    const before = 'lastCheckedAt' in state ? state.lastCheckedAt : null;
    set({ kind: 'checking', automatic, lastCheckedAt: before });
    const at = deps.clock.now();
    let found;
    try {
      found = await updater.check();
    } catch (e) {
      deps.log('warn', 'Looking for an update failed.', e);
      set({ kind: 'failed', automatic, lastCheckedAt: at, message: 'The release page could not be reached. The app looks again tomorrow; About has "Check for updates".' });
      return state;
    }
    if (stopped) return state;
    if (!found) {
      set({ kind: 'up-to-date', automatic, lastCheckedAt: at });
      return state;
    }
    const { version, notes } = found;
    set({ kind: 'downloading', automatic, lastCheckedAt: at, version, notes });
    found.downloaded.then(() => {
      if (!stopped) set({ kind: 'ready', automatic: deps.automatic(), lastCheckedAt: at, version, notes });
    }, (e: unknown) => {
      deps.log('warn', `Downloading openEO Auth Tray ${version} failed.`, e);
      if (!stopped) set({ kind: 'failed', automatic: deps.automatic(), lastCheckedAt: at, message: `Downloading version ${version} failed. The app tries again tomorrow.` });
    });
    return state;
  }

  return {
    state: () => state,
    start() {
      deps.log('info', state.kind === 'off' ? state.message : `Updates: ${deps.automatic() ? 'looked for daily' : 'looked for only when asked'}.`);
      plan();
    },
    settingsChanged() {
      if (state.kind === 'off') return;
      set(withAutomatic());
    },
    resume() {
      const due = nextAutomaticCheck(state, startedAt);
      if (due !== null && due <= deps.clock.now()) void look();
    },
    checkNow: () => look(),
    async installNow() {
      if (state.kind !== 'ready' || !deps.updater) return false;
      const { version, notes } = state;
      // The notes come first, always: no restart into a version the person has not been told about.
      const yes = await deps.confirm({ version, notes: notesForDialog(notes) });
      if (!yes || stopped) return false;
      deps.log('info', `Restarting into openEO Auth Tray ${version}.`);
      deps.updater.quitAndInstall();
      return true;
    },
    stop() {
      stopped = true;
      if (timer) deps.timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
