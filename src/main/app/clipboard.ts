/**
 * Electron's clipboard as the core's clipboard port. Copying, and clearing a copied secret again
 * only if the clipboard still holds it, is the core's clipboard guard; this is the plug.
 *
 * The plug has one wrinkle. Electron's clipboard (electron.d.ts, v45) is asynchronous —
 * `readText(): Promise<string>`, `writeText(): Promise<void>` — while the core's `ClipboardPort`
 * is synchronous. The guard only ever reads to decide "is it still ours? then write ''", so the
 * plug keeps that promise where it can be kept: `readText()` answers what we last wrote, and a
 * `writeText('')` (the guard's clear) becomes an asynchronous compare-and-clear that empties the
 * clipboard only if the OS clipboard still holds that text. Whatever the person copied since is
 * never wiped. Once the core's port accepts promises, this shrinks to passing Electron's through.
 */
import type { Clipboard } from 'electron';
import type { ClipboardPort } from '../core/clipboard/clipboard-guard.ts';
import type { Logger } from '../core/log.ts';

/** The Electron parts this module uses. */
export interface ClipboardElectron {
  clipboard: Pick<Clipboard, 'readText' | 'writeText'>;
}

export interface AppClipboard extends ClipboardPort {
  /** Resolves when every write and clear asked for so far has reached the OS clipboard (for quitting). */
  settled(): Promise<void>;
}

/** The core's clipboard port on Electron's clipboard. */
export function electronClipboard(electron: ClipboardElectron, log: Logger): AppClipboard {
  const { clipboard } = electron;
  let lastWritten = '';
  // One operation at a time, in call order: a clear must not overtake the write it undoes.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (what: string, op: () => Promise<void>): void => {
    queue = queue.then(op).catch((e: unknown) => log('warn', `The clipboard could not be ${what}.`, e));
  };

  return {
    readText: () => lastWritten,
    writeText(text) {
      if (text === '') {
        const expected = lastWritten;
        lastWritten = '';
        enqueue('cleared', async () => {
          if ((await clipboard.readText()) === expected) await clipboard.writeText('');
        });
        return;
      }
      lastWritten = text;
      enqueue('written', () => clipboard.writeText(text));
    },
    settled: () => queue,
  };
}
