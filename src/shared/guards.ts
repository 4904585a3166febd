/**
 * Argument guards for every bridge request. Whatever arrives over IPC is `unknown` until the
 * guard for its method has narrowed it: type, pattern and length, no extra keys, plain objects
 * only (no accessors, symbols, `__proto__` or class instances). A guard never throws and never
 * echoes a value in its reason (the value may be a secret).
 */
import { SCRIPT_ACCESS_VALUES, type CopyWhat, type LoginRequest, type OpenEoAuthApi, type SettingsView } from './api.ts';
import type { InvokeMethod } from './channels.ts';
import {
  CLIENT_ID_PATTERN, FORWARD_ID_PATTERN, FORWARD_SECONDS, JOB_ID_PATTERN, LIMITS, LOGIN_ID_PATTERN, MAX_FORWARD_LOGINS, MAX_JOBS_PAGE, MAX_REFRESH_JOBS, PROVIDER_ID_PATTERN,
} from './limits.ts';
import { IDENTITY_ID_MAX_LENGTH, IDENTITY_ID_PATTERN, SETTING_KEYS, SETTING_RULES, type SettingRule } from './settings.ts';

export type GuardResult<T> = { ok: true; args: T } | { ok: false; reason: string };

/** Narrows the raw argument list of one request to that method's parameter tuple. */
export type ArgGuard<M extends InvokeMethod> = (args: unknown) => GuardResult<Parameters<OpenEoAuthApi[M]>>;

export const COPY_WHATS: readonly CopyWhat[] = ['access-token', 'bearer', 'authorization-header', 'python-snippet', 'refresh-token'];

/** Thrown inside a check, caught once in `guard`; never leaves this module. */
class Rejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
function reject(path: string, why: string): never {
  throw new Rejection(`${path} ${why}`);
}

type Check<T> = (value: unknown, path: string) => T;
type Checked<C> = C extends Check<infer T> ? T : never;

// Control characters (C0, DEL, C1) never belong in a single-line value.
// eslint-disable-next-line no-control-regex -- control characters are exactly what these match
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_EXCEPT_NEWLINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function text(max: number, options: { pattern?: RegExp; multiline?: boolean } = {}): Check<string> {
  return (value, path) => {
    if (typeof value !== 'string') reject(path, 'must be a string');
    if (value.length === 0) reject(path, 'must not be empty');
    if (value.length > max) reject(path, `must be at most ${max} characters`);
    if ((options.multiline ? CONTROL_EXCEPT_NEWLINES : CONTROL).test(value)) reject(path, 'contains control characters');
    if (options.pattern && !options.pattern.test(value)) reject(path, 'has the wrong format');
    return value;
  };
}

const bool: Check<boolean> = (value, path) => (typeof value === 'boolean' ? value : reject(path, 'must be true or false'));

function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (value, path) => ((values as readonly unknown[]).includes(value) ? (value as T) : reject(path, 'is not one of the allowed values'));
}

function integer(min: number, max: number): Check<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) reject(path, 'must be a whole number');
    if (value < min || value > max) reject(path, `must be between ${min} and ${max}`);
    return value;
  };
}

/** Own enumerable data properties (an array's `length` aside); accessors and symbols are refused. */
function ownDataEntries(value: object, path: string): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') reject(path, 'has a symbol key');
    if (key === 'length' && Array.isArray(value)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor || !('value' in descriptor) || !descriptor.enumerable) reject(path, 'has a property that is not plain data');
    entries.push([key, descriptor.value]);
  }
  return entries;
}

/** Keys are exactly 0..length-1: no holes, no extra properties. */
function isDense(entries: Array<[string, unknown]>, length: number): boolean {
  return entries.length === length && entries.every(([key], i) => key === String(i));
}

function list<T>(item: Check<T>, max: number, unique: boolean): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) reject(path, 'must be a list');
    if (value.length > max) reject(path, `must have at most ${max} items`);
    const entries = ownDataEntries(value, path);
    if (!isDense(entries, value.length)) reject(path, 'must be a plain list');
    const out = entries.map(([key, v]) => item(v, `${path}[${key}]`));
    if (unique && new Set(out).size !== out.length) reject(path, 'must not repeat a value');
    return out;
  };
}

type Shape = Record<string, Check<unknown>>;
type Record_<R extends Shape, O extends Shape> = { [K in keyof R]: Checked<R[K]> } & { [K in keyof O]?: Checked<O[K]> };

/** A plain object with exactly the `required` keys and any of the `optional` ones. */
function record<R extends Shape, O extends Shape>(required: R, optional: O): Check<Record_<R, O>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) reject(path, 'must be an object');
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) reject(path, 'must be a plain object');
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (const [key, v] of ownDataEntries(value, path)) {
      const check = Object.hasOwn(required, key) ? required[key] : Object.hasOwn(optional, key) ? optional[key] : undefined;
      if (!check) reject(path, 'has a key that is not allowed');
      // An explicit `undefined` for an optional key is the same as leaving it out.
      if (v === undefined && Object.hasOwn(optional, key)) continue;
      out[key] = check(v, `${path}.${key}`);
      seen.add(key);
    }
    for (const key of Object.keys(required)) if (!seen.has(key)) reject(path, `is missing ${key}`);
    return out as Record_<R, O>;
  };
}

function tuple<T extends unknown[]>(...checks: { [K in keyof T]: Check<T[K]> }): (args: unknown) => T {
  return (args) => {
    if (!Array.isArray(args) || Object.getPrototypeOf(args) !== Array.prototype) reject('arguments', 'must be a list');
    if (args.length !== checks.length) reject('arguments', `must be exactly ${checks.length}`);
    if (!isDense(ownDataEntries(args, 'arguments'), args.length)) reject('arguments', 'must be a plain list');
    return checks.map((check, i) => check(args[i], `argument ${i + 1}`)) as T;
  };
}

function guard<T>(check: (args: unknown) => T): (args: unknown) => GuardResult<T> {
  return (args) => {
    try {
      return { ok: true, args: check(args) };
    } catch (e) {
      // Anything else (a hostile Proxy, a stack overflow) is refused the same way.
      return { ok: false, reason: e instanceof Rejection ? e.reason : 'arguments could not be read' };
    }
  };
}

const identityId = text(IDENTITY_ID_MAX_LENGTH, { pattern: IDENTITY_ID_PATTERN });
const forwardId = text(8, { pattern: FORWARD_ID_PATTERN });
/** The logins of a new forward: at least one, none twice. */
const forwardLogins: Check<string[]> = (value, path) => {
  const ids = list(identityId, MAX_FORWARD_LOGINS, true)(value, path);
  if (ids.length === 0) reject(path, 'must name at least one login');
  return ids;
};
const loginId = text(128, { pattern: LOGIN_ID_PATTERN });
const backendUrl = text(LIMITS.url);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** `https:` anywhere, `http:` only on loopback, never with user info. */
/** A URL of bounded length, parsed, without user info (the checks below add their rules). */
function urlWithoutUserInfo(value: unknown, path: string): { raw: string; url: URL } {
  const raw = text(LIMITS.url)(value, path);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return reject(path, 'is not a URL');
  }
  if (url.username || url.password) reject(path, 'must not carry a user name or password');
  return { raw, url };
}

const externalUrl: Check<string> = (value, path) => {
  const { raw, url } = urlWithoutUserInfo(value, path);
  if (url.protocol === 'https:') return raw;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return raw;
  return reject(path, 'must be an https: address');
};

/**
 * A backend's `next` link handed back by the window: an absolute http(s) address without user
 * info. Whether it points into the login's own API (where the bearer may go) is main's check.
 */
const nextLink: Check<string> = (value, path) => {
  const { raw, url } = urlWithoutUserInfo(value, path);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') reject(path, 'must be an http(s) address');
  return raw;
};
const jobId = text(256, { pattern: JOB_ID_PATTERN });
const jobPage = record({ limit: integer(1, MAX_JOBS_PAGE) }, { next: nextLink });
/** The jobs to refresh: at least one, none twice. */
const jobIds: Check<string[]> = (value, path) => {
  const ids = list(jobId, MAX_REFRESH_JOBS, true)(value, path);
  if (ids.length === 0) reject(path, 'must name at least one job');
  return ids;
};

const loginRequestShape = {
  providerId: text(20, { pattern: PROVIDER_ID_PATTERN }),
  label: text(LIMITS.label),
  identityId,
};
const loginRequest: Check<LoginRequest> = record({ backendUrl }, loginRequestShape);
const serviceAccountRequest = record(
  { backendUrl, clientId: text(256, { pattern: CLIENT_ID_PATTERN }), clientSecret: text(LIMITS.clientSecret) },
  loginRequestShape,
);

/** A setting's check, from its rule (the values the settings page offers). */
function settingCheck(rule: SettingRule): Check<unknown> {
  switch (rule.kind) {
    case 'flag':
      return bool;
    case 'seconds':
      return integer(rule.offered.min, rule.offered.max);
    case 'seconds-list':
      return list(integer(rule.offered.min, rule.offered.max), rule.maxItems, true);
    case 'choice':
      return oneOf(rule.values);
  }
}
const settingsPatch = record({}, Object.fromEntries(SETTING_KEYS.map((key) => [key, settingCheck(SETTING_RULES[key])]))) as Check<Partial<SettingsView>>;

/** One guard per request method; main's IPC wrapper runs it before calling the core. */
export const ARG_GUARDS: { readonly [M in InvokeMethod]: ArgGuard<M> } = Object.freeze({
  listIdentities: guard(tuple<[]>()),
  discoverBackend: guard(tuple(backendUrl)),
  startDeviceLogin: guard(tuple(loginRequest)),
  startBrowserLogin: guard(tuple(loginRequest)),
  awaitLogin: guard(tuple(loginId)),
  cancelLogin: guard(tuple(loginId)),
  addServiceAccount: guard(tuple(serviceAccountRequest)),
  refreshNow: guard(tuple(identityId)),
  signOut: guard(tuple(identityId, bool)),
  renameIdentity: guard(tuple(identityId, text(LIMITS.label))),
  copy: guard(tuple(identityId, oneOf(COPY_WHATS))),
  copyText: guard(tuple(text(LIMITS.copyText, { multiline: true }))),
  getCredits: guard(tuple(identityId)),
  listJobs: guard(tuple(identityId, jobPage)),
  refreshJobs: guard(tuple(identityId, jobIds)),
  getJob: guard(tuple(identityId, jobId)),
  getSettings: guard(tuple<[]>()),
  updateSettings: guard(tuple(settingsPatch)),
  openExternal: guard(tuple(externalUrl)),
  openLogFolder: guard(tuple<[]>()),
  setScriptAccess: guard(tuple(identityId, oneOf(SCRIPT_ACCESS_VALUES))),
  listForwards: guard(tuple<[]>()),
  createForward: guard(tuple(forwardLogins, integer(FORWARD_SECONDS.min, FORWARD_SECONDS.max))),
  stopForward: guard(tuple(forwardId)),
  getAbout: guard(tuple<[]>()),
  checkForUpdates: guard(tuple<[]>()),
  installUpdate: guard(tuple<[]>()),
  installCommandLine: guard(tuple<[]>()),
});

/** Runs the guard of `method` on raw IPC arguments. */
export function guardArgs<M extends InvokeMethod>(method: M, args: unknown): GuardResult<Parameters<OpenEoAuthApi[M]>> {
  return (ARG_GUARDS[method] as ArgGuard<M>)(args);
}
