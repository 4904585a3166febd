/**
 * Small checks for JSON from peers. A wrong shape throws a {@link ShapeError} naming the field
 * (`providers[1].id`), which the caller turns into one AuthTrayError saying which document it was.
 * Nothing here trusts a value's type before checking it.
 */
import { AuthTrayError } from '../errors.ts';
import { redact } from '../../../shared/redact.ts';
import { capText, hasControls } from '../../../shared/format/peer-text.ts';

/** A field of a peer's JSON that does not have the shape the spec requires. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${field} must be ${expected} (got ${describeValue(got)})`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectRecord(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ShapeError(field, 'an object', value);
  return value;
}

export function expectArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(field, 'a list', value);
  return value;
}

/** `undefined` when absent or null (peers use both for "not given"). */
export function optionalArray(value: unknown, field: string): unknown[] | undefined {
  return value === undefined || value === null ? undefined : expectArray(value, field);
}

export interface StringRule {
  nonEmpty?: boolean;
  pattern?: RegExp;
  /** Longer texts are refused before the pattern runs over them. */
  maxLength?: number;
  /** Refuse control and invisible format characters (for ids that are stored and shown). */
  noControls?: boolean;
  /** Words for the pattern, e.g. "1 to 20 letters, digits or '_'". */
  patternHint?: string;
}

export function expectString(value: unknown, field: string, rule: StringRule = {}): string {
  if (typeof value !== 'string') throw new ShapeError(field, 'a text', value);
  if (rule.nonEmpty && value.trim() === '') throw new ShapeError(field, 'a non-empty text', value);
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    throw new ShapeError(field, rule.patternHint ?? `a text of at most ${rule.maxLength} characters`, value);
  }
  if (rule.noControls && hasControls(value)) throw new ShapeError(field, 'a text without control characters', value);
  if (rule.pattern && !rule.pattern.test(value)) {
    throw new ShapeError(field, rule.patternHint ?? `text matching ${String(rule.pattern)}`, value);
  }
  return value;
}

export function optionalString(value: unknown, field: string, rule: StringRule = {}): string | undefined {
  return value === undefined || value === null ? undefined : expectString(value, field, rule);
}

export function expectStringArray(value: unknown, field: string): string[] {
  return expectArray(value, field).map((item, i) => expectString(item, `${field}[${i}]`));
}

/** Display-only texts are kept to this many characters (a job title, a plan name, a date). */
export const MAX_DISPLAY_TEXT = 1024;

/** A display-only value: kept (capped at `max`) when it has the right type, left out otherwise. */
export function lenientString(value: unknown, max = MAX_DISPLAY_TEXT): string | undefined {
  return typeof value === 'string' ? capText(value, max) : undefined;
}

export function lenientNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export interface Link {
  href: string;
  rel?: string;
  title?: string;
}

/** openEO `links`: absent → []; entries without a text `href` are errors. */
export function parseLinks(value: unknown, field: string): Link[] {
  const items = optionalArray(value, field) ?? [];
  return items.map((item, i) => {
    const at = `${field}[${i}]`;
    const o = expectRecord(item, at);
    const link: Link = { href: expectString(o['href'], `${at}.href`, { nonEmpty: true }) };
    const rel = optionalString(o['rel'], `${at}.rel`);
    const title = optionalString(o['title'], `${at}.title`);
    if (rel !== undefined) link.rel = rel;
    if (title !== undefined) link.title = title;
    return link;
  });
}

/** Lenient form of {@link parseLinks} for display-only lists: malformed entries are dropped. */
export function lenientLinks(value: unknown): Link[] {
  if (!Array.isArray(value)) return [];
  const out: Link[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item['href'] !== 'string' || item['href'] === '') continue;
    const link: Link = { href: item['href'] };
    if (typeof item['rel'] === 'string') link.rel = item['rel'];
    if (typeof item['title'] === 'string') link.title = item['title'];
    out.push(link);
  }
  return out;
}

/**
 * The one error for "a peer's JSON breaks the spec": says who answered, to what, and which
 * field is wrong. `source` is e.g. "the openEO backend at openeo.example".
 */
export function shapeErrorToAuthTray(
  e: ShapeError,
  opts: { source: string; document: string; code?: 'BACKEND_INVALID_RESPONSE' | 'IDP_INVALID_RESPONSE' },
): AuthTrayError {
  return new AuthTrayError(
    opts.code ?? 'BACKEND_INVALID_RESPONSE',
    `${capitalise(opts.source)} sent ${opts.document} that does not follow the openEO API: ${e.message}.`,
    { cause: e, nextStep: 'This is a problem of the backend; tell its operators, or try again later.' },
  );
}

/** Runs `parse` and converts a ShapeError into the AuthTrayError for `document`. */
export function withShapeCheck<T>(
  parse: () => T,
  opts: { source: string; document: string; code?: 'BACKEND_INVALID_RESPONSE' | 'IDP_INVALID_RESPONSE' },
): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ShapeError) throw shapeErrorToAuthTray(e, opts);
    throw e;
  }
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') {
    // Mask before cutting: a token cut short no longer looks like one (nor matches a registered secret).
    const masked = redact(capText(value, 4096));
    return masked.length > 40 ? `"${masked.slice(0, 37)}..."` : JSON.stringify(masked);
  }
  if (typeof value === 'object') return 'an object';
  // What is left: a number, boolean, bigint, symbol or function; functions and symbols are not data.
  const shown = typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : '';
  return `${typeof value} ${shown.slice(0, 20)}`.trimEnd();
}
