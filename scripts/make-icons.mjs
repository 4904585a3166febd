// Draws the tray and app icons into assets/ with nothing but node:zlib: a key glyph (a login)
// with a status badge, antialiased from signed distance functions, written by a minimal PNG
// encoder. Deterministic: the same script always writes the same bytes, and a test checks that
// the committed files match. Run: `node scripts/make-icons.mjs` (or `--check` to only compare).
import { deflateSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const LOOKS = ['ok', 'warning', 'error', 'offline', 'idle'];
/** Base sizes (px) of the tray icons; each also gets an @2x file. 16 is the unsuffixed default. */
export const TRAY_SIZES = [16, 24, 32];

// ---- PNG encoder -------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes 8-bit RGBA pixels (row-major, width*height*4 bytes) as a PNG file. */
export function encodePng(width, height, rgba) {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  const zero = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const row = rgba.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rgba.subarray((y - 1) * stride, y * stride) : zero;
    // Per row, the filter whose output has the smallest sum of magnitudes (the usual heuristic).
    let best = null;
    for (let type = 0; type <= 4; type++) {
      const line = Buffer.alloc(stride + 1);
      line[0] = type;
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 4 ? row[i - 4] : 0;
        const b = up[i];
        const c = i >= 4 ? up[i - 4] : 0;
        const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type];
        const v = (row[i] - predictor) & 0xff;
        line[i + 1] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (best === null || cost < best.cost) best = { cost, line };
    }
    best.line.copy(raw, y * (stride + 1));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Shapes as signed distance functions, in a unit square (negative = inside) ----------

const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const box = (x0, y0, x1, y1, r = 0) => (x, y) => {
  const hx = (x1 - x0) / 2 - r;
  const hy = (y1 - y0) / 2 - r;
  const dx = Math.abs(x - (x0 + x1) / 2) - hx;
  const dy = Math.abs(y - (y0 + y1) / 2) - hy;
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - r;
};
const union = (...fs) => (x, y) => Math.min(...fs.map((f) => f(x, y)));
const subtract = (f, g) => (x, y) => Math.max(f(x, y), -g(x, y));
const grow = (f, w) => (x, y) => f(x, y) - w;
/** Equilateral triangle pointing up, centroid (cx, cy), circumradius `R`, corners rounded by `round`. */
const triangle = (cx, cy, R, round) => (x, y) => {
  const k = Math.sqrt(3);
  const r = (R * k) / 2 - round * k; // half the side, shrunk so the rounding keeps the outer size
  let px = Math.abs(x - cx) - r;
  let py = -(y - cy) + r / k; // y grows downwards in images
  if (px + k * py > 0) [px, py] = [(px - k * py) / 2, (-k * px - py) / 2];
  px -= Math.min(Math.max(px, -2 * r), 0);
  return -Math.hypot(px, py) * Math.sign(py) - round;
};

const KEY_BOW = { x: 0.27, y: 0.36, r: 0.225, hole: 0.1 };

/** The key: a ring for the bow, a shaft to the right, two teeth hanging down. `solid` fills the bow. */
function keyShape(scale = 1, ox = 0, oy = 0, solid = false) {
  const t = (v, o) => o + v * scale;
  const bow = circle(t(KEY_BOW.x, ox), t(KEY_BOW.y, oy), KEY_BOW.r * scale);
  return union(
    solid ? bow : subtract(bow, keyHole(scale, ox, oy)),
    box(t(0.44, ox), t(0.295, oy), t(0.95, ox), t(0.425, oy), 0.03 * scale),
    box(t(0.70, ox), t(0.36, oy), t(0.79, ox), t(0.58, oy), 0.02 * scale),
    box(t(0.85, ox), t(0.36, oy), t(0.95, ox), t(0.54, oy), 0.02 * scale),
  );
}

function keyHole(scale = 1, ox = 0, oy = 0) {
  return circle(ox + KEY_BOW.x * scale, oy + KEY_BOW.y * scale, KEY_BOW.hole * scale);
}

const BADGE = { x: 0.73, y: 0.75, r: 0.225 };
const COLOURS = {
  glyph: [0.11, 0.14, 0.2], // dark slate: readable on light panels...
  halo: [1, 1, 1], // ...and its light outline keeps it readable on dark ones
  ok: [0.09, 0.64, 0.29],
  warning: [0.96, 0.62, 0.04],
  error: [0.86, 0.15, 0.15],
  offline: [0.42, 0.45, 0.5],
};

/** Layers for one tray look, painted in order: [sdf, rgb, opacity]. */
function trayLayers(look) {
  const key = keyShape();
  const halo = 0.075;
  const { x, y, r } = BADGE;
  const layers = [
    // The halo follows the outer silhouette only: the panel shows through the bow's hole.
    [subtract(grow(keyShape(1, 0, 0, true), halo), keyHole()), COLOURS.halo, 0.95],
    [key, COLOURS.glyph, look === 'idle' ? 0.7 : 1],
  ];
  if (look === 'idle') return layers;
  // Each look has its own shape as well as colour, so it reads without colour vision too.
  const shape = {
    ok: circle(x, y, r),
    warning: triangle(x, y + 0.02, r * 1.22, 0.03),
    error: circle(x, y, r),
    offline: subtract(circle(x, y, r), circle(x, y, r * 0.45)),
  }[look];
  const plate = look === 'offline' ? circle(x, y, r) : shape; // the halo surrounds the whole badge
  layers.push([grow(plate, halo), COLOURS.halo, 1], [shape, COLOURS[look], 1]);
  if (look === 'error') layers.push([box(x - r * 0.62, y - r * 0.2, x + r * 0.62, y + r * 0.2, 0.01), COLOURS.halo, 1]);
  return layers;
}

/** macOS template: black and alpha only; the system tints it for light and dark menu bars. */
function templateLayers() {
  return [[keyShape(1.08, -0.04, 0.08), [0, 0, 0], 1]];
}

/** The app icon: a blue rounded square with a white key. */
function appIconLayers() {
  const plate = box(0.06, 0.06, 0.94, 0.94, 0.2);
  return [
    [plate, [0.12, 0.3, 0.78], 1, (x, y) => [0.1 + 0.05 * (1 - y), 0.28 + 0.25 * x * (1 - y), 0.7 + 0.2 * (1 - y)]],
    [keyShape(0.7, 0.14, 0.17), [1, 1, 1], 1],
    [circle(0.5 + 0.7 * (BADGE.x - 0.5), 0.5 + 0.7 * (BADGE.y - 0.5) + 0.02, 0.11), COLOURS.ok, 1],
  ];
}

/**
 * Rasterises layers at `size` px. Coverage is 0.5 - distance in pixels, clamped: a one-pixel
 * antialiased edge at every size. Composited "over" in premultiplied alpha.
 */
export function render(size, layers) {
  const px = new Float64Array(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i + 0.5) / size;
      const y = (j + 0.5) / size;
      const o = (j * size + i) * 4;
      for (const [sdf, rgb, opacity, shade] of layers) {
        const a = Math.min(1, Math.max(0, 0.5 - sdf(x, y) * size)) * opacity;
        if (a === 0) continue;
        const c = shade ? shade(x, y) : rgb;
        for (let k = 0; k < 3; k++) px[o + k] = c[k] * a + px[o + k] * (1 - a);
        px[o + 3] = a + px[o + 3] * (1 - a);
      }
    }
  }
  const out = Buffer.alloc(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    const a = px[p * 4 + 3];
    for (let k = 0; k < 3; k++) out[p * 4 + k] = a > 0 ? Math.round((px[p * 4 + k] / a) * 255) : 0;
    out[p * 4 + 3] = Math.round(a * 255);
  }
  return out;
}

const png = (size, layers) => encodePng(size, size, render(size, layers));

/** Every file this script writes: name in assets/ → PNG bytes. */
export function allIcons() {
  const files = new Map();
  for (const look of LOOKS) {
    for (const size of TRAY_SIZES) {
      const base = size === 16 ? `tray-${look}` : `tray-${look}-${size}`;
      files.set(`${base}.png`, png(size, trayLayers(look)));
      files.set(`${base}@2x.png`, png(size * 2, trayLayers(look)));
    }
  }
  files.set('trayTemplate.png', png(16, templateLayers()));
  files.set('trayTemplate@2x.png', png(32, templateLayers()));
  files.set('icon.png', png(512, appIconLayers()));
  files.set('icon-256.png', png(256, appIconLayers()));
  return files;
}

function main() {
  const dir = fileURLToPath(new URL('../assets/', import.meta.url));
  const check = process.argv.includes('--check');
  mkdirSync(dir, { recursive: true });
  const stale = [];
  for (const [name, bytes] of allIcons()) {
    if (check) {
      let current = null;
      try { current = readFileSync(dir + name); } catch { /* missing counts as stale */ }
      if (!current || !current.equals(bytes)) stale.push(name);
    } else {
      writeFileSync(dir + name, bytes);
    }
  }
  if (check && stale.length > 0) {
    console.error(`Icons out of date (run node scripts/make-icons.mjs): ${stale.join(', ')}`);
    process.exit(1);
  }
  if (!check) console.log(`Wrote ${allIcons().size} icons to ${dir}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
