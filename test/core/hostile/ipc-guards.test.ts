/**
 * Hostile input: arguments from the renderer. Whatever a compromised window sends (proxies
 * with throwing traps, getters, symbols, `__proto__` keys, pasted secrets), the guard answers
 * `{ok: false, reason}` with a reason that holds no value, or `{ok: true}` with arguments that
 * an independent check finds well-formed and that are plain data, detached from the input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CHANNELS, type InvokeMethod } from '../../../src/shared/channels.ts';
import { guardArgs } from '../../../src/shared/guards.ts';
import { RUNS, SECRET_SLOT, assertNoPollution, assertNoSecret, hostileString, hostileValue, outcomeOf, plantSecret, secretToken } from '../../helpers/arbitraries.ts';

const METHODS = Object.keys(CHANNELS) as InvokeMethod[];

// ---- what a well-formed argument is, written independently of src/shared/guards.ts ----

const controlFree = (s: string, allowNewlines: boolean): boolean =>
  [...s].every((c) => {
    const n = c.codePointAt(0) ?? 0;
    return !(n < 0x20 || (n >= 0x7f && n <= 0x9f)) || (allowNewlines && ['\n', '\r', '\t'].includes(c));
  });
const str = (max: number, re?: RegExp, allowNewlines = false) => (v: unknown): boolean =>
  typeof v === 'string' && v.length > 0 && v.length <= max && controlFree(v, allowNewlines) && (re === undefined || re.test(v));
const identityId = str(64, /^[a-z0-9][a-z0-9-]*$/);
const loginId = str(128, /^[A-Za-z0-9_-]+$/);
const backendUrl = str(2048);
function plainRecord(v: unknown, required: Record<string, (x: unknown) => boolean>, optional: Record<string, (x: unknown) => boolean>): boolean {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const keys = Reflect.ownKeys(v);
  const o = v as Record<string, unknown>;
  return keys.every((k) => typeof k === 'string' && (k in required || k in optional) && Object.getOwnPropertyDescriptor(v, k)?.get === undefined) &&
    Object.entries(required).every(([k, ok]) => Object.hasOwn(o, k) && ok(o[k])) &&
    Object.entries(optional).every(([k, ok]) => !Object.hasOwn(o, k) || ok(o[k]));
}
const loginOptional = { providerId: str(20, /^[A-Za-z0-9_]+$/), label: str(100), identityId };
const loginRequest = (v: unknown) => plainRecord(v, { backendUrl }, loginOptional);
const serviceAccount = (v: unknown) => plainRecord(v, { backendUrl, clientId: str(256, /^[!-~]+$/), clientSecret: str(4096) }, loginOptional);
const int = (min: number, max: number) => (v: unknown): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const bool = (v: unknown): boolean => typeof v === 'boolean';
const thresholds = (v: unknown): boolean =>
  Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype && v.length <= 10 && Reflect.ownKeys(v).length === v.length + 1 &&
  new Set(v).size === v.length && v.every(int(60, 90 * 86_400));
const patch = (v: unknown) => plainRecord(v, {}, {
  notificationsEnabled: bool, startAtLogin: bool, pythonSync: bool, warningThresholds: thresholds,
  clipboardClearSeconds: int(5, 600), theme: (x) => ['system', 'light', 'dark'].includes(x as string),
});
function safeExternal(v: unknown): boolean {
  if (!str(2048)(v) || !URL.canParse(v as string)) return false;
  const url = new URL(v as string);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return url.username === '' && url.password === '' && (url.protocol === 'https:' || (url.protocol === 'http:' && loopback));
}
const COPY = ['access-token', 'bearer', 'authorization-header', 'python-snippet', 'refresh-token'];

const WELL_FORMED: { [M in InvokeMethod]: Array<(v: unknown) => boolean> } = {
  listIdentities: [],
  discoverBackend: [backendUrl],
  startDeviceLogin: [loginRequest],
  startBrowserLogin: [loginRequest],
  awaitLogin: [loginId],
  cancelLogin: [loginId],
  addServiceAccount: [serviceAccount],
  refreshNow: [identityId],
  signOut: [identityId, bool],
  renameIdentity: [identityId, str(100)],
  copy: [identityId, (v) => COPY.includes(v as string)],
  copyText: [str(10_000, undefined, true)],
  getCredits: [identityId],
  listJobs: [identityId, (v) => plainRecord(v, { limit: int(1, 100) }, { next: (x) => str(2048)(x) && URL.canParse(x as string) &&
    ['http:', 'https:'].includes(new URL(x as string).protocol) && !new URL(x as string).username && !new URL(x as string).password })],
  refreshJobs: [identityId, (v) => Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype && v.length >= 1 && v.length <= 50 &&
    Reflect.ownKeys(v).length === v.length + 1 && new Set(v).size === v.length && v.every(str(256, /^[\w\-.~]+$/))],
  getJob: [identityId, str(256, /^[\w\-.~]+$/)],
  getSettings: [],
  updateSettings: [patch],
  openExternal: [safeExternal],
  openLogFolder: [],
  setScriptAccess: [identityId, (v) => ['allow', 'ask', 'deny'].includes(v as string)],
  listForwards: [],
  getAbout: [],
  checkForUpdates: [],
  installUpdate: [],
  installCommandLine: [],
  createForward: [
    (v) => Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype && v.length >= 1 && v.length <= 50 &&
      Reflect.ownKeys(v).length === v.length + 1 && new Set(v).size === v.length && v.every(identityId),
    int(60, 7 * 86_400),
  ],
  stopForward: [str(8, /^[0-9a-f]{8}$/)],
};

// ---- hostile arguments ----

const text = fc.oneof(fc.constantFrom('https://openeo.example', 'cdse-3f9a1c', 'login_1', 'CDSE', 'sh-1234', 'dark', SECRET_SLOT), hostileString);
const request = fc.record(
  { backendUrl: text, providerId: text, label: text, identityId: text, clientId: text, clientSecret: fc.constant(SECRET_SLOT), theme: text, clipboardClearSeconds: fc.integer({ min: 0, max: 700 }), warningThresholds: fc.array(fc.integer({ min: 0, max: 8_000_000 }), { maxLength: 4 }), startAtLogin: fc.boolean() },
  { requiredKeys: [] },
);

/** Objects no structured clone would deliver, but a guard must survive anyway. */
const exotic = fc.constantFrom<() => unknown>(
  () => new Proxy({}, { ownKeys() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } }),
  () => new Proxy(['https://x'], { get() { throw new Error('trap'); } }),
  () => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; },
  () => ({ get backendUrl() { throw new Error('getter'); } }),
  () => Object.defineProperty({}, 'backendUrl', { get: () => 'https://x', enumerable: true }),
  () => ({ backendUrl: 'https://x', [Symbol('s')]: 1 }),
  () => Object.assign(Object.create(null), { backendUrl: 'https://x' }),
  () => Object.assign(Object.create({ backendUrl: 'https://x' }), {}),
  () => JSON.parse('{"backendUrl":"https://x","__proto__":{"polluted":"yes"}}'),
  () => JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  () => new String('cdse-1'),
  () => Object.assign(['cdse-1'], { extra: 1 }),
  () => new Array(100_000),
  () => { const a = ['cdse-1']; Object.defineProperty(a, 0, { get: () => 'cdse-1', enumerable: true }); return a; },
  () => new Date(),
  () => new Map([['backendUrl', 'https://x']]),
  () => () => 'cdse-1',
  () => Symbol('cdse-1'),
  () => 10n,
);

/**
 * Exotic objects are made inside the property (fast-check itself would trip over a revoked
 * proxy while cloning or printing a generated value), from this marker.
 */
class Exotic {
  constructor(readonly make: () => unknown) {}
  toString(): string {
    return `Exotic(${this.make.toString()})`;
  }
}
const exoticMarker = exotic.map((make) => new Exotic(make));

const argument = fc.oneof({ weight: 3, arbitrary: text }, { weight: 2, arbitrary: request }, { weight: 2, arbitrary: hostileValue }, { weight: 1, arbitrary: exoticMarker }, { weight: 1, arbitrary: fc.boolean() });
const argList = fc.oneof(
  { weight: 6, arbitrary: fc.array(argument, { maxLength: 3 }) },
  { weight: 1, arbitrary: argument },
  { weight: 1, arbitrary: exoticMarker },
);

/** The arguments as the window would send them: the secret planted, exotic objects made. */
function materialise(template: unknown, secret: string): unknown {
  if (template instanceof Exotic) return template.make();
  if (Array.isArray(template)) return template.map((a) => materialise(a, secret));
  return plantSecret(template, secret);
}

const id = fc.oneof(fc.constant('cdse-3f9a1c'), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/));
const login = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);
const url = fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.constant(SECRET_SLOT), fc.constant('openeo.dataspace.copernicus.eu'));
const loginFields = { backendUrl: url, providerId: fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/), label: fc.string({ minLength: 1, maxLength: 100 }), identityId: id };
const loginArb = fc.record(loginFields, { requiredKeys: ['backendUrl'] });
const serviceArb = fc.record({ ...loginFields, clientId: fc.stringMatching(/^[!-~]{1,256}$/), clientSecret: fc.constant(SECRET_SLOT) }, { requiredKeys: ['backendUrl', 'clientId', 'clientSecret'] });
const patchArb = fc.record({
  notificationsEnabled: fc.boolean(), startAtLogin: fc.boolean(), pythonSync: fc.boolean(), theme: fc.constantFrom('system', 'light', 'dark'),
  clipboardClearSeconds: fc.integer({ min: 5, max: 600 }), warningThresholds: fc.uniqueArray(fc.integer({ min: 60, max: 90 * 86_400 }), { maxLength: 10 }),
}, { requiredKeys: [] });
const external = fc.oneof(fc.webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true }), fc.constantFrom('http://127.0.0.1:8080/callback', 'http://localhost/', 'http://[::1]:9/x'));

/** Well-formed arguments for each method, to start mutations from. */
const VALID: { [M in InvokeMethod]: fc.Arbitrary<unknown[]> } = {
  listIdentities: fc.constant([]),
  discoverBackend: fc.tuple(url),
  startDeviceLogin: fc.tuple(loginArb),
  startBrowserLogin: fc.tuple(loginArb),
  awaitLogin: fc.tuple(login),
  cancelLogin: fc.tuple(login),
  addServiceAccount: fc.tuple(serviceArb),
  refreshNow: fc.tuple(id),
  signOut: fc.tuple(id, fc.boolean()),
  renameIdentity: fc.tuple(id, fc.string({ minLength: 1, maxLength: 100 })),
  copy: fc.tuple(id, fc.constantFrom(...COPY)),
  copyText: fc.tuple(fc.string({ minLength: 1, maxLength: 200 })),
  getCredits: fc.tuple(id),
  listJobs: fc.tuple(id, fc.record({ limit: fc.integer({ min: 1, max: 100 }), next: fc.webUrl({ withQueryParameters: true }) }, { requiredKeys: ['limit'] })),
  refreshJobs: fc.tuple(id, fc.uniqueArray(fc.stringMatching(/^[\w\-.~]{1,256}$/), { minLength: 1, maxLength: 5 })),
  getJob: fc.tuple(id, fc.stringMatching(/^[\w\-.~]{1,256}$/)),
  getSettings: fc.constant([]),
  updateSettings: fc.tuple(patchArb),
  openExternal: fc.tuple(external),
  openLogFolder: fc.constant([]),
  setScriptAccess: fc.tuple(id, fc.constantFrom('allow', 'ask', 'deny')),
  listForwards: fc.constant([]),
  getAbout: fc.constant([]),
  checkForUpdates: fc.constant([]),
  installUpdate: fc.constant([]),
  installCommandLine: fc.constant([]),
  createForward: fc.tuple(fc.uniqueArray(id, { minLength: 1, maxLength: 5 }), fc.integer({ min: 60, max: 7 * 86_400 })),
  stopForward: fc.tuple(fc.stringMatching(/^[0-9a-f]{8}$/)),
};

/** Valid arguments, valid ones with one argument or one key swapped for something hostile, or anything. */
function argsFor(method: InvokeMethod): fc.Arbitrary<unknown> {
  const valid = VALID[method];
  return fc.oneof(
    valid,
    fc.tuple(valid, fc.nat(), argument).map(([args, i, v]) => args.map((a, j) => (args.length > 0 && j === i % args.length ? v : a))),
    fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'extra', 'clientSecret', 'theme', SECRET_SLOT), hostileValue).map(([args, key, v]) => {
      const first = args[0];
      if (typeof first !== 'object' || first === null || Array.isArray(first)) return args;
      // A copy: fast-check may reuse the generated value while shrinking.
      const withKey = Object.defineProperty({ ...first }, key, { value: v, enumerable: true, writable: true, configurable: true });
      return [withKey, ...args.slice(1)];
    }),
    argList,
  );
}

for (const method of METHODS) {
  test(`guard for ${method}: refuses without echo, or accepts only well-formed plain data`, { timeout: 60_000 }, (t) => {
    let accepted = 0;
    fc.assert(
      fc.property(argsFor(method), secretToken, (template, secret) => {
        const args = materialise(template, secret);
        const result = outcomeOf(() => guardArgs(method, args));
        assert.ok(result.ok, `the guard threw: ${result.ok ? '' : String(result.error)}`);
        const guarded = result.value;
        if (guarded.ok) {
          accepted++;
          const checks = WELL_FORMED[method];
          const out = guarded.args as unknown[];
          assert.ok(Array.isArray(out) && out.length === checks.length, 'wrong number of arguments');
          checks.forEach((ok, i) => assert.ok(ok(out[i]), `argument ${i + 1} of ${method} is not well-formed: ${fc.stringify(out[i])}`));
          // Plain data, detached from what the window sent: a clone is equal.
          assert.deepEqual(structuredClone(out), out);
        } else {
          assert.match(guarded.reason, /\S/);
          assertNoSecret(guarded.reason, secret, 'reason');
        }
        assertNoPollution();
      }),
      { numRuns: RUNS },
    );
    t.diagnostic(`${accepted} accepted, ${RUNS - accepted} refused`);
    assert.ok(accepted >= RUNS / 20 && RUNS - accepted >= RUNS / 20, `generator out of balance: ${accepted} accepted`);
  });
}
