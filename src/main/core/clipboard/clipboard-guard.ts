/**
 * Every copy of a secret goes through here: the text is written (marked concealed, so clipboard
 * histories skip it where the OS allows), and after a delay the clipboard is cleared
 * again — but only if it still holds exactly what we put there, so whatever the user copied
 * since is never wiped.
 */
import type { TimerHandle, Timers } from '../ports.ts';

/** The two clipboard calls the guard needs (Electron's `clipboard` has both). */
export interface ClipboardPort {
  readText(): string;
  /**
   * `concealed`: the text is a secret; where the OS has formats for it, the port writes them
   * with the text so clipboard managers and the clipboard history leave it alone
   * (see concealed-formats.ts).
   */
  writeText(text: string, options?: { concealed?: boolean }): void;
}

export interface ClipboardGuardDeps {
  clipboard: ClipboardPort;
  timers: Timers;
  /** Read at each copy, so a changed setting applies to the next copy. 0 or less: never clear. */
  clearAfterMs: () => number;
}

export interface ClipboardGuard {
  /** Writes `text` and schedules the clear; replaces any clear still pending. */
  copy(text: string): { clearsInMs: number };
  /** On quit: cancels the timer and clears the clipboard now if it still holds our text. */
  dispose(): void;
}

/** Creates the one clipboard guard of the process. */
export function createClipboardGuard(deps: ClipboardGuardDeps): ClipboardGuard {
  let pending: { text: string; timer: TimerHandle | null } | null = null;
  let disposed = false;

  const clearIfOurs = (): void => {
    if (pending === null) return;
    const ours = pending.text;
    pending = null; // drop our copy of the secret whatever happens next
    let current: string;
    try {
      current = deps.clipboard.readText();
    } catch {
      return; // cannot tell whether it is still ours: leave the user's clipboard alone
    }
    if (current === ours) deps.clipboard.writeText('');
  };

  const cancelTimer = (): void => {
    if (pending?.timer) deps.timers.clearTimeout(pending.timer);
  };

  return {
    copy(text) {
      if (disposed) throw new Error('The clipboard guard was disposed; nothing is copied after quitting.');
      cancelTimer();
      pending = null;
      deps.clipboard.writeText(text, { concealed: true });
      const ms = deps.clearAfterMs();
      if (!Number.isFinite(ms) || ms <= 0) return { clearsInMs: 0 };
      pending = { text, timer: null };
      pending.timer = deps.timers.setTimeout(clearIfOurs, ms);
      return { clearsInMs: ms };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      cancelTimer();
      clearIfOurs();
    },
  };
}
