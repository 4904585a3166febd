/**
 * Text from outside (labels the user typed, job titles from a backend, error messages) made safe
 * to show in a menu, tooltip or notification: secrets removed, one line, bounded length.
 */
import { redact } from '../redact.ts';
import { capText, stripControls } from './peer-text.ts';

/** Room before the cut for a whole token (a JWT runs to a few KB), so redaction sees it entire. */
const TOKEN_ROOM = 8192;

/**
 * One line of display text: registered secrets and token-shaped strings redacted, control and
 * invisible format characters and runs of whitespace collapsed to one space, cut at `max`
 * characters with "…". Only the first `max` + 8 KB of `text` are looked at, whatever its size.
 */
export function displayText(text: string, max = 80): string {
  const line = stripControls(redact(capText(text, max + TOKEN_ROOM))).replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  return `${line.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** The host of a URL for display ("openeo.dataspace.copernicus.eu"), or the text itself if it is no URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
