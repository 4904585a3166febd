/**
 * The QR code of the device login's verification URL, built as SVG elements from the symbol's
 * module matrix (no markup strings). Dark modules on a white square with the standard quiet
 * zone, whatever the window's theme, so phone cameras read it.
 */
import { create } from 'qrcode/lib/core/qrcode.js';
import { s } from './dom.ts';

const QUIET_ZONE = 4;

/** One path for all dark modules: a run of dark modules in a row becomes one rectangle. */
function modulesPath(size: number, dark: (row: number, col: number) => boolean): string {
  const parts: string[] = [];
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!dark(row, col)) { col++; continue; }
      const start = col;
      while (col < size && dark(row, col)) col++;
      parts.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h${start - col}z`);
    }
  }
  return parts.join('');
}

/** An accessible SVG image of `text` as a QR code (error correction M). */
export function qrCode(text: string, label: string): SVGSVGElement {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const full = size + 2 * QUIET_ZONE;
  return s('svg', {
    class: 'qr', viewBox: `0 0 ${full} ${full}`, role: 'img', 'aria-label': label, 'shape-rendering': 'crispEdges',
  },
  s('rect', { width: full, height: full, fill: '#fff' }),
  s('path', { d: modulesPath(size, (r, c) => modules.get(r, c) === 1), fill: '#000' }));
}
