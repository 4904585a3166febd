/**
 * Hand-written checks for everything read from the settings file or handed to the settings
 * store. They build fresh objects from known fields only (so `__proto__` keys, stray secrets or
 * junk never travel on) and describe a problem by its place, never by its value (a value may be
 * a secret someone pasted in the wrong place).
 */
import type { Identity, RefreshTokenExpiry } from '../../../shared/model.ts';
import { defaultSettings, IDENTITY_ID_PATTERN, SETTING_KEYS, SETTING_RULES, type SettingRule, type Settings } from '../../../shared/settings.ts';
import { LIMITS, SCHEMA_VERSION, type SettingsDocument } from './schema.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

class Invalid extends Error {}

function checked<T>(read: () => T): Checked<T> {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, problem: e.message };
    throw e;
  }
}

const fail = (where: string, what: string): never => {
  throw new Invalid(`${where} ${what}`);
};

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'must be an object');
  return v as Record<string, unknown>;
}

/** Own fields only: a file cannot smuggle values in through inherited names. */
function field(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

// Control characters have no place in a label, an id or a URL (and can fool a terminal).
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Characters as JSON Schema's `maxLength` counts them: code points (a surrogate pair is one). */
function tooLong(s: string, max: number): boolean {
  if (s.length <= max) return false;
  if (s.length > 2 * max) return true;
  let points = 0;
  for (const _ of s) if (++points > max) return true;
  return false;
}

function text(v: unknown, where: string, max: number = LIMITS.text): string {
  if (typeof v !== 'string' || v.length === 0 || tooLong(v, max) || CONTROL.test(v)) fail(where, `must be text of 1 to ${max} characters`);
  return v as string;
}

function httpUrl(v: unknown, where: string): string {
  const s = text(v, where, LIMITS.url);
  if (!/^https?:\/\//.test(s) || !URL.canParse(s)) fail(where, 'must be an http(s) URL');
  return s;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') fail(where, 'must be true or false');
  return v as boolean;
}

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(where, `must be a whole number from ${min} to ${max}`);
  return v as number;
}

function epochMs(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(where, 'must be a time (milliseconds since 1970)');
  return v as number;
}

function epochMsOrNull(v: unknown, where: string): number | null {
  return v === null ? null : epochMs(v, where);
}

function list(v: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length > max) fail(where, `must be a list of at most ${max} entries`);
  return v as unknown[];
}

function oneOf<T extends string>(v: unknown, where: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) fail(where, `must be one of ${values.join(', ')}`);
  return v as T;
}

function refreshTokenExpiry(v: unknown, where: string): RefreshTokenExpiry {
  const o = record(v, where);
  const kind = oneOf(field(o, 'kind'), `${where}.kind`, ['at', 'never', 'unknown', 'none']);
  if (kind !== 'at') return { kind };
  const out: Extract<RefreshTokenExpiry, { kind: 'at' }> = { kind, at: epochMs(field(o, 'at'), `${where}.at`) };
  const end = field(o, 'end');
  if (end !== undefined) out.end = oneOf(end, `${where}.end`, ['fixed', 'sliding'] as const);
  const idleMs = field(o, 'idleMs');
  if (idleMs !== undefined) out.idleMs = epochMs(idleMs, `${where}.idleMs`);
  const maxAt = field(o, 'maxAt');
  if (maxAt !== undefined) out.maxAt = epochMs(maxAt, `${where}.maxAt`);
  return out;
}

function identity(v: unknown, where: string): Identity {
  const o = record(v, where);
  const at = (k: string): string => `${where}.${k}`;
  const id = field(o, 'id');
  if (typeof id !== 'string' || !IDENTITY_ID_PATTERN.test(id)) fail(at('id'), 'must be 1 to 64 lower-case letters, digits or "-", starting with a letter or digit');
  const out: Identity = {
    id: id as string,
    label: text(field(o, 'label'), at('label'), LIMITS.label),
    kind: oneOf(field(o, 'kind'), at('kind'), ['personal', 'client-credentials']),
    flow: oneOf(field(o, 'flow'), at('flow'), ['device', 'browser', 'client-credentials']),
    backendUrl: httpUrl(field(o, 'backendUrl'), at('backendUrl')),
    apiUrl: httpUrl(field(o, 'apiUrl'), at('apiUrl')),
    providerId: text(field(o, 'providerId'), at('providerId')),
    issuer: httpUrl(field(o, 'issuer'), at('issuer')),
    clientId: text(field(o, 'clientId'), at('clientId')),
    scopes: list(field(o, 'scopes'), at('scopes'), LIMITS.scopes).map((s, i) => {
      const scope = text(s, `${at('scopes')}[${i}]`, LIMITS.scope);
      if (/\s/.test(scope)) fail(`${at('scopes')}[${i}]`, 'must not contain spaces');
      return scope;
    }),
    jwtBearer: bool(field(o, 'jwtBearer'), at('jwtBearer')),
    createdAt: epochMs(field(o, 'createdAt'), at('createdAt')),
    accessTokenExpiresAt: epochMsOrNull(field(o, 'accessTokenExpiresAt'), at('accessTokenExpiresAt')),
    accessTokenObtainedAt: epochMsOrNull(field(o, 'accessTokenObtainedAt'), at('accessTokenObtainedAt')),
    refreshTokenExpiry: refreshTokenExpiry(field(o, 'refreshTokenExpiry'), at('refreshTokenExpiry')),
    refreshTokenObtainedAt: epochMsOrNull(field(o, 'refreshTokenObtainedAt'), at('refreshTokenObtainedAt')),
    warningsSent: list(field(o, 'warningsSent'), at('warningsSent'), LIMITS.warningsSent).map((w, i) => epochMs(w, `${at('warningsSent')}[${i}]`)),
  };
  const userId = field(o, 'userId');
  if (userId !== undefined) out.userId = text(userId, at('userId'));
  const subject = field(o, 'subject');
  if (subject !== undefined) out.subject = text(subject, at('subject'));
  const expiredAt = field(o, 'expiredAt');
  if (expiredAt !== undefined) out.expiredAt = epochMs(expiredAt, at('expiredAt'));
  const sync = field(o, 'pythonSync');
  if (sync !== undefined) {
    const so = record(sync, at('pythonSync'));
    const fingerprint = field(so, 'fingerprint');
    if (fingerprint !== null && (typeof fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(fingerprint))) fail(at('pythonSync.fingerprint'), 'must be a SHA-256 hex digest or null');
    out.pythonSync = {
      enabled: bool(field(so, 'enabled'), at('pythonSync.enabled')),
      fingerprint: fingerprint as string | null,
      writtenAt: epochMsOrNull(field(so, 'writtenAt'), at('pythonSync.writtenAt')),
    };
  }
  const scripts = field(o, 'scripts');
  if (scripts !== undefined) {
    const so = record(scripts, at('scripts'));
    out.scripts = { allowed: bool(field(so, 'allowed'), at('scripts.allowed')), ask: bool(field(so, 'ask'), at('scripts.ask')) };
  }
  return out;
}

/** A setting's reader, from its rule (the values the file may hold). */
function settingReader(rule: SettingRule): (v: unknown, where: string) => unknown {
  switch (rule.kind) {
    case 'flag':
      return bool;
    case 'seconds':
      return (v, where) => int(v, where, rule.stored.min, rule.stored.max);
    case 'seconds-list':
      return (v, where) => {
        const seconds = list(v, where, rule.maxItems).map((s, i) => int(s, `${where}[${i}]`, rule.stored.min, rule.stored.max));
        if (new Set(seconds).size !== seconds.length) fail(where, 'must not repeat a value');
        return seconds.sort((a, b) => b - a);
      };
    case 'choice':
      return (v, where) => oneOf(v, where, rule.values);
  }
}

const SETTING_READERS = Object.fromEntries(SETTING_KEYS.map((key) => [key, settingReader(SETTING_RULES[key])])) as {
  [K in keyof Settings]: (v: unknown, where: string) => Settings[K];
};

/** Known settings present in `o`, checked; `strict` also refuses unknown keys (patches). */
function settingsPart(o: Record<string, unknown>, where: string, strict: boolean): Partial<Settings> {
  if (strict) {
    for (const key of Object.keys(o)) if (!(SETTING_KEYS as string[]).includes(key)) fail(`${where}.${key}`, 'is not a setting');
  }
  const out: Partial<Record<keyof Settings, unknown>> = {};
  for (const key of SETTING_KEYS) {
    const v = field(o, key);
    if (v !== undefined) out[key] = SETTING_READERS[key](v, `${where}.${key}`);
  }
  return out as Partial<Settings>;
}

const IDENTITY_FIELDS: ReadonlySet<string> = new Set<keyof Identity>([
  'id', 'label', 'kind', 'flow', 'backendUrl', 'apiUrl', 'providerId', 'issuer', 'clientId', 'scopes', 'jwtBearer',
  'userId', 'subject', 'createdAt', 'accessTokenExpiresAt', 'accessTokenObtainedAt', 'refreshTokenExpiry', 'refreshTokenObtainedAt',
  'warningsSent', 'expiredAt', 'pythonSync', 'scripts',
]);

/**
 * One identity as it must be stored. `strict` (for what the app hands in, as opposed to what a
 * newer version may have written) also refuses unknown fields: a token that strayed into an
 * identity object must fail loudly, not be written to the settings file or silently dropped.
 */
export function checkIdentity(raw: unknown, where = 'identity', strict = false): Checked<Identity> {
  return checked(() => {
    if (strict) {
      for (const key of Object.keys(record(raw, where))) if (!IDENTITY_FIELDS.has(key)) fail(`${where}.${key}`, 'is not a field of an identity');
    }
    return identity(raw, where);
  });
}

/** A settings object; missing settings take their defaults, unknown ones are ignored (newer files). */
export function checkSettings(raw: unknown, where = 'settings'): Checked<Settings> {
  return checked(() => ({ ...defaultSettings(), ...settingsPart(record(raw, where), where, false) }));
}

/** A change to the settings: known keys only, each valid. */
export function checkSettingsPatch(raw: unknown): Checked<Partial<Settings>> {
  return checked(() => settingsPart(record(raw, 'settings'), 'settings', true));
}

/**
 * The whole file. A missing `schemaVersion` means a file from before formats were numbered
 * (format 1); missing `settings` or `identities` take their defaults. Ids must be unique.
 */
export function checkSettingsDocument(raw: unknown): Checked<SettingsDocument> {
  return checked(() => {
    const o = record(raw, 'the file');
    const version = field(o, 'schemaVersion');
    const settings = field(o, 'settings');
    const identities = field(o, 'identities');
    const doc: SettingsDocument = {
      schemaVersion: version === undefined ? SCHEMA_VERSION : int(version, 'schemaVersion', 1, Number.MAX_SAFE_INTEGER),
      settings: settings === undefined ? defaultSettings() : { ...defaultSettings(), ...settingsPart(record(settings, 'settings'), 'settings', false) },
      identities: identities === undefined ? [] : list(identities, 'identities', LIMITS.identities).map((v, i) => identity(v, `identities[${i}]`)),
    };
    const ids = new Set<string>();
    for (const [i, { id }] of doc.identities.entries()) {
      if (ids.has(id)) fail(`identities[${i}].id`, 'repeats the id of an earlier identity');
      ids.add(id);
    }
    return doc;
  });
}

/** An identity entry of the file that cannot be read, as it is (for the person to repair). */
export interface DamagedEntry {
  /** Its place in the file's list, e.g. `identities[2]`. */
  where: string;
  /** What is wrong, by place, never by value. */
  problem: string;
  /** Its id and label when they can be read (for the message and `doctor`); peer text, unchecked. */
  id: string | null;
  label: string | null;
  entry: unknown;
}

/**
 * A file that fails only because of some identity entries: the rest of it, with every identity
 * that can be read, and the entries that cannot (a later entry repeating an earlier id among
 * them). Null when the damage is elsewhere (then the whole file is kept aside, as before).
 */
export function salvageSettingsDocument(raw: unknown): { doc: SettingsDocument; damaged: DamagedEntry[] } | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  const entries = field(o, 'identities');
  if (!Array.isArray(entries) || entries.length > LIMITS.identities) return null;
  const kept: unknown[] = [];
  const damaged: DamagedEntry[] = [];
  const ids = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    const where = `identities[${i}]`;
    const read = checked(() => identity(entry, where));
    const e = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    const id = typeof e.id === 'string' ? e.id.slice(0, 200) : null;
    const label = typeof e.label === 'string' ? e.label.slice(0, 200) : null;
    if (!read.ok) damaged.push({ where, problem: read.problem, id, label, entry });
    else if (ids.has(read.value.id)) damaged.push({ where, problem: `${where}.id repeats the id of an earlier identity`, id, label, entry });
    else {
      ids.add(read.value.id);
      kept.push(entry);
    }
  }
  if (damaged.length === 0) return null;
  const rest = checkSettingsDocument({ ...o, identities: kept });
  return rest.ok ? { doc: rest.value, damaged } : null;
}
