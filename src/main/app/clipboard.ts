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
 *
 * A secret is written together with the formats that keep it out of clipboard managers and the
 * OS's clipboard history (core/clipboard/concealed-formats.ts), in one `clipboard.write()` of one
 * ClipboardItem (Electron commits its entries atomically), as raw OS formats
 * (`electron application/osclipboard;format="…"`).
 */
import type { Clipboard, ClipboardItem } from 'electron';
import type { ClipboardPort } from '../core/clipboard/clipboard-guard.ts';
import { concealedFormats } from '../core/clipboard/concealed-formats.ts';
import type { Logger } from '../core/log.ts';

/** The Electron parts this module uses. */
export interface ClipboardElectron {
  clipboard: Pick<Clipboard, 'readText' | 'writeText' | 'write'>;
  ClipboardItem: typeof ClipboardItem;
}

/** The MIME type under which Electron writes a raw clipboard format of the OS. */
export function osClipboardType(format: string): string {
  return `electron application/osclipboard;format="${format}"`;
}

export interface AppClipboard extends ClipboardPort {
  /** Resolves when every write and clear asked for so far has reached the OS clipboard (for quitting). */
  settled(): Promise<void>;
}

/** The core's clipboard port on Electron's clipboard. */
export function electronClipboard(electron: ClipboardElectron, log: Logger, platform: NodeJS.Platform = process.platform): AppClipboard {
  const { clipboard } = electron;
  const marks = concealedFormats(platform);
  const writeConcealed = async (text: string): Promise<void> => {
    if (marks.length === 0) return clipboard.writeText(text);
    const entries: Record<string, string | Blob> = { 'text/plain': text };
    for (const f of marks) entries[osClipboardType(f.name)] = new Blob([f.data]);
    try {
      await clipboard.write([new electron.ClipboardItem(entries)]);
    } catch (e) {
      // The copy itself matters more than the marks: the secret is still cleared later.
      log('warn', 'The clipboard did not take the marks that keep a secret out of clipboard histories; it was copied without them.', e);
      await clipboard.writeText(text);
    }
  };
  let lastWritten = '';
  // One operation at a time, in call order: a clear must not overtake the write it undoes.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (what: string, op: () => Promise<void>): void => {
    queue = queue.then(op).catch((e: unknown) => log('warn', `The clipboard could not be ${what}.`, e));
  };

  return {
    readText: () => lastWritten,
    writeText(text, options) {
      if (text === '') {
        const expected = lastWritten;
        lastWritten = '';
        enqueue('cleared', async () => {
          if ((await clipboard.readText()) === expected) await clipboard.writeText('');
        });
        return;
      }
      lastWritten = text;
      enqueue('written', () => (options?.concealed ? writeConcealed(text) : clipboard.writeText(text)));
    },
    settled: () => queue,
  };
}
