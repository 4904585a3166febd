/** Where a popup goes (src/renderer/placement.ts): measured against its button and the window, inside it always. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { placePopup } from '../../src/renderer/placement.ts';

const button = (left: number, top: number, width = 80, height = 32) => ({ left, top, right: left + width, bottom: top + height });

test('below and left-aligned where it fits', () => {
  assert.deepEqual(placePopup(button(100, 100), { width: 230, height: 140 }, { width: 900, height: 700 }),
    { left: 100, top: 136, maxWidth: 884, maxHeight: 556, side: 'below' });
});

test('a button near the right edge: the menu ends where the button ends (at 900 px it used to end at 1003)', () => {
  const at = placePopup(button(773, 450), { width: 230, height: 140 }, { width: 900, height: 700 });
  assert.equal(at.left + 230, 853);
  assert.equal(at.side, 'below');
});

test('a button near the bottom: above it; no room either way: the roomier side, scrolling', () => {
  assert.equal(placePopup(button(100, 640), { width: 230, height: 140 }, { width: 900, height: 700 }).side, 'above');
  const tall = placePopup(button(100, 300), { width: 230, height: 900 }, { width: 360, height: 700 });
  assert.equal(tall.side, 'below');
  assert.equal(tall.maxHeight, 700 - 8 - (332 + 4));
});

test('a menu wider than a 360 px window is as wide as the window minus its margins', () => {
  const at = placePopup(button(270, 100), { width: 400, height: 100 }, { width: 360, height: 700 });
  assert.deepEqual([at.left, at.maxWidth], [8, 344]);
});

test('whatever the button and the menu, the menu (at most maxWidth × maxHeight) stays inside the window', () => {
  fc.assert(fc.property(
    fc.integer({ min: 320, max: 2000 }), fc.integer({ min: 300, max: 1400 }),
    fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
    fc.integer({ min: 20, max: 300 }), fc.integer({ min: 40, max: 900 }), fc.integer({ min: 20, max: 1200 }),
    (vw, vh, x, y, bw, mw, mh) => {
      const b = button(x * (vw - bw), y * (vh - 32), bw);
      const at = placePopup(b, { width: mw, height: mh }, { width: vw, height: vh });
      const width = Math.min(mw, at.maxWidth);
      const height = Math.min(mh, at.maxHeight);
      assert.ok(at.left >= 8 && at.left + width <= vw - 8 + 1e-9, `x ${at.left}+${width} in ${vw}`);
      assert.ok(at.top >= 8 - 1e-9 && at.top + height <= vh - 8 + 1e-9, `y ${at.top}+${height} in ${vh}`);
      // Never over its own button.
      assert.ok(at.side === 'below' ? at.top >= b.bottom : at.top + height <= b.top);
    },
  ), { numRuns: 2000 });
});
