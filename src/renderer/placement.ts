/**
 * Where a popup (a menu, the account chooser) goes: measured against its button and the window,
 * never a fixed side. Below the button if it fits, else above, else on the roomier side with a
 * height it can scroll in; its left edge with the button's, else its right edge, and always at
 * least `margin` from every edge of the window. Pure, so it is tested without a browser.
 */

export interface Edges { left: number; top: number; right: number; bottom: number }
export interface Size { width: number; height: number }

export interface Placement {
  left: number;
  top: number;
  /** The popup may be no wider than this (the window minus its margins). */
  maxWidth: number;
  /** The popup scrolls when taller than this. */
  maxHeight: number;
  side: 'below' | 'above';
}

/** Places a popup of `popup` size next to `anchor` in a window of `viewport` size. */
export function placePopup(anchor: Edges, popup: Size, viewport: Size, margin = 8, gap = 4): Placement {
  const maxWidth = Math.max(0, viewport.width - 2 * margin);
  const width = Math.min(popup.width, maxWidth);
  const below = viewport.height - margin - (anchor.bottom + gap);
  const above = anchor.top - gap - margin;
  const side = popup.height <= below || below >= above ? 'below' : 'above';
  const maxHeight = Math.max(0, side === 'below' ? below : above);
  const height = Math.min(popup.height, maxHeight);
  const top = side === 'below' ? anchor.bottom + gap : anchor.top - gap - height;
  // Aligned with the button's left edge, or its right edge when that runs past the window.
  const preferred = anchor.left + width <= viewport.width - margin ? anchor.left : anchor.right - width;
  const left = Math.min(Math.max(preferred, margin), viewport.width - margin - width);
  return { left: Math.max(margin, left), top: Math.max(margin, top), maxWidth, maxHeight, side };
}
