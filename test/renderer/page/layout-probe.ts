/**
 * The geometry check, run inside the page (bundled by test/renderer/geometry.ts and evaluated over
 * the DevTools protocol, so the window's CSP stays as it is). It measures what a person sees:
 *
 * - scroll:   a box that scrolls sideways (the page, <main>, a card, a log);
 * - outside:  ink (a line of text, a control) beyond the viewport's left or right edge; for an open
 *             menu, list box or dialog, beyond any edge;
 * - clipped:  ink cut off by an ancestor that hides its overflow (<main> hides it sideways), or by
 *             an ellipsis; the text of a <select> wider than its box;
 * - cut-word: a word (within one text node: ids and hostnames are split at their separators into
 *             nodes of their own, see src/renderer/dom.ts `breakable`) that runs over two lines;
 * - overlap:  two pieces of ink that cover each other, where neither holds the other (an open popup
 *             covers the page on purpose and is compared only with itself);
 * - popup:    a dialog nearer than 8 px to the window's side, or whose backdrop barely dims.
 *
 * Returns each problem as one line naming the element and the numbers.
 */

type Rect = { left: number; right: number; top: number; bottom: number };
interface Ink {
  rect: Rect;
  /** The part not scrolled out of view by a box that scrolls up and down (null: none of it shows). */
  visible: Rect | null;
  /** The nearest box around it that scrolls up and down: ink in the same one moves together. */
  scroller: Element | null;
  owner: Element;
  /** The text node, for text ink: pieces of one node never count as overlapping. */
  node: Node | null;
  popup: Element | null;
  what: string;
}

const TOLERANCE = 0.5;
const OVERLAP_MIN = 2;
const POPUPS = '[role="menu"], [role="listbox"], dialog[open]';
const CONTROLS = 'button, input:not([type="hidden"]), select, textarea, meter, progress, img, svg, canvas';

function name(el: Element): string {
  const id = el.id ? `#${el.id}` : '';
  const classes = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
  const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
  return `${el.tagName.toLowerCase()}${id}${classes}${text ? ` “${text}”` : ''}`;
}

function shown(el: Element): boolean {
  if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
  // Hidden on purpose: for screen readers only, or off screen until focused.
  return !el.closest('.visually-hidden, .skip-link:not(:focus)');
}

function openPopupOf(el: Element): Element | null {
  return el.closest(POPUPS);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function box(r: Rect): string {
  return `[${round(r.left)}..${round(r.right)} × ${round(r.top)}..${round(r.bottom)}]`;
}

/** The ancestors whose overflow hides or scrolls content sideways (x) or up and down (y). */
function clippingAncestors(el: Element): Array<{ el: Element; x: boolean; y: boolean; inner: Rect }> {
  const out: Array<{ el: Element; x: boolean; y: boolean; inner: Rect }> = [];
  for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const style = getComputedStyle(a);
    const x = style.overflowX !== 'visible';
    // Content below a box that scrolls up and down is reachable; only hidden or clipped is cut.
    const y = style.overflowY === 'hidden' || style.overflowY === 'clip';
    if (!x && !y) continue;
    const r = a.getBoundingClientRect();
    const bl = parseFloat(style.borderLeftWidth);
    const bt = parseFloat(style.borderTopWidth);
    out.push({ el: a, x, y, inner: { left: r.left + bl, top: r.top + bt, right: r.left + bl + a.clientWidth, bottom: r.top + bt + a.clientHeight } });
  }
  return out;
}

type Scrollers = Array<{ el: Element; box: Rect }>;

/** The boxes around `el` that scroll up and down (<main>, a log), nearest first. */
function scrollersOf(el: Element, cache: Map<Element, Scrollers>): Scrollers {
  let scrollers = cache.get(el);
  if (!scrollers) {
    scrollers = [];
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowY !== 'auto' && style.overflowY !== 'scroll') continue;
      const box = a.getBoundingClientRect();
      const top = box.top + parseFloat(style.borderTopWidth);
      scrollers.push({ el: a, box: { left: box.left, right: box.right, top, bottom: top + a.clientHeight } });
    }
    cache.set(el, scrollers);
  }
  return scrollers;
}

/** What of `r` shows through the boxes that scroll around it. */
function visiblePart(r: Rect, scrollers: Scrollers): Rect | null {
  let out: Rect = { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  for (const s of scrollers) out = { left: out.left, right: out.right, top: Math.max(out.top, s.box.top), bottom: Math.min(out.bottom, s.box.bottom) };
  return out.bottom - out.top > 1 ? out : null;
}

function inkOf(rect: Rect, owner: Element, node: Node | null, what: string, cache: Map<Element, Scrollers>): Ink {
  const scrollers = scrollersOf(owner, cache);
  return { rect, visible: visiblePart(rect, scrollers), scroller: scrollers[0]?.el ?? null, owner, node, popup: openPopupOf(owner), what };
}

function collectInk(): Ink[] {
  const ink: Ink[] = [];
  const scrollers = new Map<Element, Scrollers>();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.textContent?.trim() || parent.closest('script, style, option, textarea, select') || !shown(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      ink.push(inkOf(r, parent, node, `text “${node.textContent.trim().slice(0, 50)}” in ${name(parent)}`, scrollers));
    }
  }
  for (const el of document.body.querySelectorAll(CONTROLS)) {
    // An icon inside a control is the control's ink already.
    if (el.parentElement?.closest('svg, button') || !shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;
    ink.push(inkOf(r, el, null, name(el), scrollers));
  }
  return ink;
}

function scrollProblems(problems: string[]): void {
  const boxes = [document.documentElement, document.body, ...document.body.querySelectorAll('*')];
  for (const el of boxes) {
    if (el.matches('input, textarea, select') || (el !== document.documentElement && el !== document.body && !shown(el))) continue;
    const style = getComputedStyle(el);
    const sideways = el.scrollWidth > el.clientWidth + 1;
    if (!sideways) continue;
    if (el === document.documentElement || el === document.body || style.overflowX === 'auto' || style.overflowX === 'scroll') {
      problems.push(`scroll: ${name(el)} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);
    } else if (style.overflowX !== 'visible') {
      problems.push(`clipped: ${name(el)} hides ${el.scrollWidth - el.clientWidth} px of its content sideways`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push(`scroll: the window scrolls sideways (${document.documentElement.scrollWidth} > ${window.innerWidth})`);
  }
}

function inkProblems(ink: Ink[], problems: string[]): void {
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  const clipCache = new Map<Element, ReturnType<typeof clippingAncestors>>();
  for (const item of ink) {
    const { rect: r } = item;
    if (r.left < -TOLERANCE || r.right > vw + TOLERANCE) problems.push(`outside: ${item.what} ${box(r)} is beyond the window's width ${vw}`);
    // In a popup that scrolls (a long menu), what is scrolled away is reached by scrolling it.
    else if (item.popup && item.visible && (item.visible.top < -TOLERANCE || item.visible.bottom > vh + TOLERANCE)) {
      problems.push(`outside: ${item.what} ${box(item.visible)} is beyond the window's height ${vh}`);
    }
    let clips = clipCache.get(item.owner);
    if (!clips) clipCache.set(item.owner, (clips = clippingAncestors(item.owner)));
    for (const c of clips) {
      const cutX = c.x && (r.left < c.inner.left - TOLERANCE || r.right > c.inner.right + TOLERANCE);
      const cutY = c.y && (r.top < c.inner.top - TOLERANCE || r.bottom > c.inner.bottom + TOLERANCE);
      if (cutX || cutY) {
        problems.push(`clipped: ${item.what} ${box(r)} is cut by ${name(c.el)} ${box(c.inner)}`);
        break;
      }
    }
  }
}

/** Where, within the word at `start` (`length` characters), the first new line begins. */
function lineBreakIn(node: Node, start: number, length: number): number {
  const range = document.createRange();
  const topOf = (i: number): number => {
    range.setStart(node, start + i);
    range.setEnd(node, start + i + 1);
    return range.getBoundingClientRect().top;
  };
  const first = topOf(0);
  for (let i = 1; i < length; i++) if (Math.abs(topOf(i) - first) > 2) return i;
  return 0;
}

/** Words of one text node that start on one line and end on another. */
function cutWordProblems(problems: string[]): void {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = node.textContent ?? '';
    if (!parent || !text.trim() || parent.closest('script, style, option, textarea, select') || !shown(parent)) continue;
    for (const match of text.matchAll(/\S+/g)) {
      if (match[0].length < 2) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
      if (tops.length < 2 || Math.max(...tops) - Math.min(...tops) <= 2) continue;
      const at = lineBreakIn(node, match.index, match[0].length);
      // After a hyphen, slash, underscore, dot, colon or @ is where a word may wrap (as "sign-|in").
      if (at > 0 && /[-/_.:@?&=]/.test(match[0][at - 1]!)) continue;
      problems.push(`cut-word: “${match[0].slice(0, 60)}” runs over two lines (at “${match[0].slice(Math.max(0, at - 8), at)}|${match[0].slice(at, at + 8)}”) in ${name(parent)}`);
    }
  }
  // A word cut by an ellipsis, or the chosen option wider than its <select>.
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const style = getComputedStyle(el);
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) problems.push(`clipped: ${name(el)} ends in an ellipsis`);
  }
  const canvas = document.createElement('canvas').getContext('2d');
  // An empty field's placeholder that does not fit is cut as well.
  for (const input of document.body.querySelectorAll<HTMLInputElement>('input[placeholder]')) {
    if (!canvas || input.value || !shown(input)) continue;
    const style = getComputedStyle(input);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const needs = canvas.measureText(input.placeholder).width;
    if (needs > room + 1) problems.push(`clipped: the placeholder “${input.placeholder.slice(0, 60)}” (${Math.round(needs)} px) does not fit ${name(input)} (${Math.round(room)} px)`);
  }
  for (const select of document.body.querySelectorAll('select')) {
    if (!canvas || !shown(select)) continue;
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const chosen = select.selectedOptions[0]?.textContent ?? '';
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
    const needs = canvas.measureText(chosen).width;
    if (needs > room + 1) problems.push(`clipped: the choice “${chosen.slice(0, 60)}” (${Math.round(needs)} px) does not fit its ${name(select)} (${Math.round(room)} px)`);
  }
}

/**
 * Ink over ink. Within one scrolling box (the page in <main>) everything moves together, so all
 * of it is compared, scrolled into view or not; across boxes only what shows now can cover.
 */
function overlapProblems(ink: Ink[], problems: string[]): void {
  const groups = new Map<Element | null, Ink[]>();
  for (const item of ink) groups.set(item.scroller, [...(groups.get(item.scroller) ?? []), item]);
  for (const group of groups.values()) compare(group, (i) => i.rect, problems);
  compare(ink.filter((i) => i.visible !== null), (i) => i.visible!, problems, true);
}

function compare(ink: Ink[], rectOf: (i: Ink) => Rect, problems: string[], acrossOnly = false): void {
  const sorted = [...ink].sort((a, b) => rectOf(a).top - rectOf(b).top);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    const ra = rectOf(a);
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      const rb = rectOf(b);
      if (rb.top >= ra.bottom - OVERLAP_MIN) break;
      if (acrossOnly && a.scroller === b.scroller) continue;
      if (a.popup !== b.popup) continue;
      if (a.node !== null && a.node === b.node) continue;
      if (a.owner === b.owner || a.owner.contains(b.owner) || b.owner.contains(a.owner)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > OVERLAP_MIN && h > OVERLAP_MIN) problems.push(`overlap: ${a.what} ${box(ra)} and ${b.what} ${box(rb)}`);
    }
  }
}

function popupProblems(problems: string[]): void {
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  for (const popup of document.querySelectorAll(POPUPS)) {
    if (!shown(popup)) continue;
    const r = popup.getBoundingClientRect();
    if (r.left < -TOLERANCE || r.top < -TOLERANCE || r.right > vw + TOLERANCE || r.bottom > vh + TOLERANCE) {
      problems.push(`outside: the open ${name(popup)} ${box(r)} is not inside the window ${vw}×${vh}`);
    }
    if (popup.tagName === 'DIALOG') {
      const margin = Math.min(r.left, vw - r.right);
      if (margin < 8) problems.push(`popup: ${name(popup)} is ${round(margin)} px from the window's side (at least 8)`);
      const backdrop = getComputedStyle(popup, '::backdrop').backgroundColor;
      const alpha = /rgba?\([^)]*?[,/]\s*([\d.]+)\s*\)/.exec(backdrop)?.[1];
      if (alpha === undefined || Number(alpha) < 0.45) problems.push(`popup: the backdrop of ${name(popup)} barely dims the page (${backdrop})`);
    }
  }
}

function layoutProblems(): string[] {
  const problems: string[] = [];
  scrollProblems(problems);
  const ink = collectInk();
  inkProblems(ink, problems);
  cutWordProblems(problems);
  overlapProblems(ink, problems);
  popupProblems(problems);
  return [...new Set(problems)];
}

Object.defineProperty(window, '__layoutProblems', { value: layoutProblems, configurable: true });
