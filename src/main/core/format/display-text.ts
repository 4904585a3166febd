/**
 * Text from outside (labels the user typed, job titles from a backend, error messages) made safe
 * to show in a menu, tooltip or notification: secrets removed, one line, bounded length.
 */
import { redact } from '../redact.ts';

/**
 * One line of display text: registered secrets and token-shaped strings redacted, control
 * characters and runs of whitespace collapsed to one space, cut at `max` characters with "…".
 */
export function displayText(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we remove
  const line = redact(text).replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
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
