/**
 * The app's updates as one state, and the rules that decide when to look for one: once a day and
 * when the person asks (the window's About), never in a development run (`npm start`), not
 * automatically when the person turned it off, and never a restart before the release notes were
 * shown and the person agreed. Plain data; update-checker.ts applies it.
 */

import type { UpdateView } from '../../../shared/api.ts';

/** The state is what the window sees (src/shared/api.ts `UpdateView`). */
export type UpdateState = UpdateView;
/**
 * Why nothing is looked for: `development` — `npm start` or any run that is not an installed app,
 * with nothing to update; `unavailable` — this build has no updater (electron-updater missing).
 */
export type UpdatesOff = Extract<UpdateState, { kind: 'off' }>['reason'];

/** How often the app looks by itself. */
export const CHECK_EVERY_MS = 24 * 3_600_000;
/** The first automatic look after the app starts: not during its start, and after the network is up. */
export const FIRST_CHECK_AFTER_MS = 5 * 60_000;

/** Why updates are off for this run, or null when they can be looked for. */
export function updatesOff(run: { isPackaged: boolean; updaterAvailable: boolean }): { reason: UpdatesOff; message: string } | null {
  if (!run.isPackaged) return { reason: 'development', message: 'Updates are off in a development run (npm start): there is no installed app to update.' };
  if (!run.updaterAvailable) return { reason: 'unavailable', message: 'This build of openEO Auth Tray cannot update itself: install new releases by hand.' };
  return null;
}

/**
 * When the next automatic look is due, or null for none: the setting is off, or a look or a
 * download is under way, or an update waits for its restart.
 */
export function nextAutomaticCheck(state: UpdateState, startedAt: number): number | null {
  if (state.kind === 'off' || !state.automatic) return null;
  if (state.kind === 'checking' || state.kind === 'downloading' || state.kind === 'ready') return null;
  return state.lastCheckedAt === null ? startedAt + FIRST_CHECK_AFTER_MS : state.lastCheckedAt + CHECK_EVERY_MS;
}

/** Whether the person's "Check for updates" can run now (it may while automatic looks are off). */
export function canCheckNow(state: UpdateState): boolean {
  return state.kind !== 'off' && state.kind !== 'checking' && state.kind !== 'downloading';
}

/** Release notes as the confirmation shows them: plain text, bounded. */
export function notesForDialog(notes: string, max = 2_000): string {
  const text = notes.trim() || 'This release has no notes.';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** GitHub's release notes come as HTML: the text of it, one paragraph per block. */
export function plainNotes(notes: unknown): string {
  const one = (html: string): string => html
    .replace(/<\s*(br|\/p|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  if (typeof notes === 'string') return one(notes);
  if (Array.isArray(notes)) {
    return notes.map((n: unknown) => (n && typeof n === 'object' && typeof (n as { note?: unknown }).note === 'string' ? one((n as { note: string }).note) : ''))
      .filter(Boolean).join('\n\n');
  }
  return '';
}
