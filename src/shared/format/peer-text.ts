/**
 * Text that came from a peer (a backend, an identity provider, the Python client's store), made
 * bounded and inert before anything looks at it: cut to a length first, so that no regular
 * expression ever runs over megabytes, and stripped of control characters before a terminal, a
 * menu, a tooltip or a notification shows it (terminal escapes can erase lines, set the window
 * title or write the clipboard; bidi overrides make text read backwards).
 */

/** The most of one peer text that any code here looks at, in UTF-16 units. */
export const PEER_TEXT_MAX = 4096;

/** How far back {@link capText} looks for a word boundary. */
const WORD_BOUNDARY_LOOKBACK = 64;

const isSpace = (code: number): boolean => code === 0x20 || (code >= 0x09 && code <= 0x0d);

/**
 * `text` cut to at most `max` UTF-16 units. When it is cut and a word boundary lies just before
 * the cut, the partial word is dropped as well: it could be the first characters of a token, too
 * short to look like one. (A longer run is kept: if it is token-shaped, redaction masks it.)
 */
export function capText(text: string, max = PEER_TEXT_MAX): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  if (!isSpace(text.charCodeAt(end))) {
    const stop = Math.max(0, end - WORD_BOUNDARY_LOOKBACK);
    let i = end;
    while (i > stop && !isSpace(text.charCodeAt(i - 1))) i--;
    if (i > stop) end = i;
  }
  // Never end between the two halves of a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/**
 * C0 and C1 control characters (ESC, CSI, OSC, BEL, CR, …), DEL, and the invisible format
 * characters that reorder or hide text (bidi embeddings, overrides and isolates, zero-width
 * characters, line/paragraph separators, the BOM).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]+/g;

const ANY_CONTROL = new RegExp(CONTROLS.source);

/** `text` with every run of control and invisible format characters replaced by one space. */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, ' ');
}

/** Whether `text` holds any character {@link stripControls} would replace. */
export function hasControls(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/** A peer's text as one line: capped at `max` first, control characters and whitespace runs turned into one space. */
export function peerLine(text: string, max = PEER_TEXT_MAX): string {
  return stripControls(capText(text, max)).replace(/\s+/g, ' ').trim();
}

/** `text` without trailing `/` — without a regular expression (`/\/+$/` is quadratic on "////…x"). */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return end === text.length ? text : text.slice(0, end);
}
