/**
 * The clipboard formats that tell clipboard managers and the OS's clipboard history to leave a
 * copied secret alone, written in the same clipboard write as the text itself:
 * - Linux (KDE Klipper, CopyQ, …): `x-kde-passwordManagerHint` = "secret";
 * - macOS (the nspasteboard.org convention: Maccy, Alfred, Raycast, …): `org.nspasteboard.ConcealedType`;
 * - Windows 10 1809+: `ExcludeClipboardContentFromMonitorProcessing` (keeps monitors, Win+V history
 *   and the cloud clipboard away), plus `CanIncludeInClipboardHistory` and `CanUploadToCloudClipboard`
 *   as DWORD 0 for tools that only read those.
 * Elsewhere there is no such convention: the text is written as it is (and cleared later).
 */

/** One extra clipboard format: the platform's own format name and its raw bytes. */
export interface ClipboardFormat {
  name: string;
  data: Uint8Array;
}

/** A little-endian DWORD, as Windows' clipboard formats take them. */
function dword(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

/** The formats that mark a copy as secret on `platform` (none where there is no convention). */
export function concealedFormats(platform: NodeJS.Platform): ClipboardFormat[] {
  switch (platform) {
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return [{ name: 'x-kde-passwordManagerHint', data: new TextEncoder().encode('secret') }];
    case 'darwin':
      return [{ name: 'org.nspasteboard.ConcealedType', data: new Uint8Array(0) }];
    case 'win32':
      return [
        { name: 'ExcludeClipboardContentFromMonitorProcessing', data: dword(1) },
        { name: 'CanIncludeInClipboardHistory', data: dword(0) },
        { name: 'CanUploadToCloudClipboard', data: dword(0) },
      ];
    default:
      return [];
  }
}
