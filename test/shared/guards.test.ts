import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ARG_GUARDS, guardArgs } from '../../src/shared/guards.ts';
import { SETTING_RULES } from '../../src/shared/settings.ts';
import { CHANNELS, type InvokeMethod } from '../../src/shared/channels.ts';

const METHODS = Object.keys(CHANNELS) as InvokeMethod[];
const SECRET = 'correct-horse-battery-staple-7f3a9c';

/** One well-formed argument list per method. */
const VALID: { [M in InvokeMethod]: unknown[] } = {
  listIdentities: [],
  discoverBackend: ['openeo.dataspace.copernicus.eu'],
  startDeviceLogin: [{ backendUrl: 'https://openeo.example', providerId: 'CDSE', label: 'Work', identityId: 'cdse-3f9a1c' }],
  startBrowserLogin: [{ backendUrl: 'https://openeo.example' }],
  awaitLogin: ['login_4bT-9'],
  cancelLogin: ['login_4bT-9'],
  addServiceAccount: [{ backendUrl: 'https://openeo.example', clientId: 'sh-1234-abcd', clientSecret: SECRET }],
  refreshNow: ['cdse-3f9a1c'],
  signOut: ['cdse-3f9a1c', true],
  renameIdentity: ['cdse-3f9a1c', 'Work (personal) · 2025'],
  copy: ['cdse-3f9a1c', 'bearer'],
  copyText: ['Hello support,\n\tplease link client sh-1234 to user 42.'],
  getCredits: ['a'],
  listJobs: ['vito-0', { limit: 20, next: 'https://openeo.vito.be/openeo/1.2/jobs?limit=20&offset=20' }],
  refreshJobs: ['vito-0', ['a3cca2b2aa1e3b5b', 'j-2']],
  getJob: ['vito-0', 'a3cca2b2aa1e3b5b'],
  getSettings: [],
  updateSettings: [{ theme: 'dark', warningThresholds: [604800, 86400, 3600], clipboardClearSeconds: 30, pythonSync: false }],
  openExternal: ['https://marketplace-portal.dataspace.copernicus.eu/billing'],
  openLogFolder: [],
  setScriptAccess: ['cdse-3f9a1c', 'ask'],
  listForwards: [],
  getAbout: [],
  checkForUpdates: [],
  installUpdate: [],
  installCommandLine: [],
  createForward: [['cdse-3f9a1c', 'vito-0'], 3600],
  stopForward: ['0a1b2c3d'],
};

describe('argument guards', () => {
  test('there is a guard for every channel', () => {
    assert.deepEqual(Object.keys(ARG_GUARDS).sort(), [...METHODS].sort());
  });

  test('accept well-formed arguments and return them unchanged', () => {
    for (const method of METHODS) {
      const result = guardArgs(method, VALID[method]);
      assert.deepEqual(result, { ok: true, args: VALID[method] }, method);
    }
  });

  test('refuse a wrong number of arguments', () => {
    for (const method of METHODS) {
      assert.equal(guardArgs(method, [...VALID[method], 'extra']).ok, false, method);
      if (VALID[method].length > 0) assert.equal(guardArgs(method, VALID[method].slice(1)).ok, false, method);
    }
    assert.equal(guardArgs('listIdentities', undefined).ok, false);
    assert.equal(guardArgs('listIdentities', { length: 0 }).ok, false);
  });

  const refused: Array<[InvokeMethod, unknown[], string]> = [
    ['refreshNow', ['CDSE-1'], 'upper case id'],
    ['refreshNow', ['-cdse'], 'id starting with a dash'],
    ['refreshNow', ['cdse.1'], 'id with a dot'],
    ['refreshNow', ['cdse_1'], 'id with an underscore'],
    ['refreshNow', ['a'.repeat(65)], 'id too long'],
    ['refreshNow', ['cdse 1'], 'id with a space'],
    ['refreshNow', [42], 'number as id'],
    ['refreshNow', [new String('cdse')], 'boxed string'],
    ['awaitLogin', ['a/b'], 'login id with a slash'],
    ['discoverBackend', ['https://x/' + 'a'.repeat(2040)], 'URL over 2048 chars'],
    ['discoverBackend', [''], 'empty URL'],
    ['discoverBackend', ['https://x\n.example'], 'URL with a newline'],
    ['signOut', ['cdse-1', 'yes'], 'revoke not a boolean'],
    ['copy', ['cdse-1', 'id-token'], 'unknown CopyWhat'],
    ['copyText', ['x'.repeat(10_001)], 'text too long'],
    ['copyText', ['bell\u0007'], 'control character'],
    ['startDeviceLogin', [{ backendUrl: 'https://x', label: 'l'.repeat(101) }], 'label over 100'],
    ['startDeviceLogin', [{ backendUrl: 'https://x', providerId: 'has space' }], 'bad provider id'],
    ['startDeviceLogin', [{ backendUrl: 'https://x', admin: true }], 'extra key'],
    ['startDeviceLogin', [{ providerId: 'CDSE' }], 'missing backendUrl'],
    ['startDeviceLogin', [JSON.parse('{"backendUrl":"https://x","__proto__":{"admin":true}}')], '__proto__ own key'],
    ['startDeviceLogin', [Object.assign(Object.create({ inherited: 1 }), { backendUrl: 'https://x' })], 'object with a custom prototype'],
    ['startDeviceLogin', [new (class Req { backendUrl = 'https://x'; })()], 'class instance'],
    ['startDeviceLogin', [{ get backendUrl() { return 'https://x'; } }], 'getter'],
    ['startDeviceLogin', [{ backendUrl: 'https://x', [Symbol('s')]: 1 }], 'symbol key'],
    ['startDeviceLogin', [['https://x']], 'array instead of object'],
    ['addServiceAccount', [{ backendUrl: 'https://x', clientId: 'c', clientSecret: 's'.repeat(4097) }], 'secret over 4096'],
    ['addServiceAccount', [{ backendUrl: 'https://x', clientId: 'c d', clientSecret: 's' }], 'client id with space'],
    ['addServiceAccount', [{ backendUrl: 'https://x', clientId: 'c' }], 'missing secret'],
    ['updateSettings', [{ theme: 'blue' }], 'unknown theme'],
    ['updateSettings', [{ clipboardClearSeconds: SETTING_RULES.clipboardClearSeconds.offered.max + 1 }], 'clipboard delay too long'],
    ['updateSettings', [{ clipboardClearSeconds: 2.5 }], 'fractional delay'],
    ['updateSettings', [{ warningThresholds: [3600, 3600] }], 'repeated threshold'],
    ['updateSettings', [{ warningThresholds: [10] }], 'threshold below the minimum'],
    ['updateSettings', [{ warningThresholds: Array.from({ length: 11 }, (_, i) => 3600 + i) }], 'too many thresholds'],
    ['updateSettings', [{ warningThresholds: Object.assign([3600], { extra: 1 }) }], 'list with an extra property'],
    ['updateSettings', [{ warningThresholds: [3600, , 7200] }], 'sparse list'], // eslint-disable-line no-sparse-arrays
    ['updateSettings', [{ startAtLogin: 1 }], 'number for a boolean'],
    ['updateSettings', [{ constructor: 1 }], 'constructor key'],
    ['updateSettings', [JSON.parse('{"__proto__":{"theme":"dark"}}')], '__proto__ in a patch'],
    ['openExternal', ['javascript:alert(1)'], 'javascript: URL'],
    ['openExternal', ['file:///etc/passwd'], 'file: URL'],
    ['openExternal', ['http://example.com/'], 'plain http to a remote host'],
    ['openExternal', ['https://user:pw@example.com/'], 'user info in URL'],
    ['openExternal', ['not a url'], 'not a URL'],
    ['setScriptAccess', ['cdse-1', 'always'], 'unknown script access'],
    ['setScriptAccess', ['cdse-1', 'ALLOW'], 'script access in upper case'],
    ['createForward', [[], 3600], 'a forward of no login'],
    ['createForward', [['cdse-1', 'cdse-1'], 3600], 'the same login twice'],
    ['createForward', [['cdse-1'], 59], 'a forward shorter than a minute'],
    ['createForward', [['cdse-1'], 7 * 86_400 + 1], 'a forward longer than a week'],
    ['createForward', [['cdse-1'], 3600.5], 'fractional seconds'],
    ['createForward', [Array.from({ length: 51 }, (_, i) => `id-${i}`), 3600], 'more than 50 logins'],
    ['createForward', ['cdse-1', 3600], 'one id instead of a list'],
    ['stopForward', ['0A1B2C3D'], 'forward id in upper case'],
    ['stopForward', ['0a1b2c3'], 'forward id too short'],
    ['stopForward', ['../agent'], 'forward id as a path'],
    ['renameIdentity', ['cdse-1', ''], 'an empty name'],
    ['renameIdentity', ['cdse-1', 'n'.repeat(101)], 'a name over 100'],
    ['renameIdentity', ['cdse-1', 'two\nlines'], 'a name with a line break'],
    ['listJobs', ['cdse-1', {}], 'a page without its limit'],
    ['listJobs', ['cdse-1', { limit: 0 }], 'a page of no jobs'],
    ['listJobs', ['cdse-1', { limit: 101 }], 'a page over 100'],
    ['listJobs', ['cdse-1', { limit: 20, next: 'file:///etc/passwd' }], 'a next link that is no http(s) address'],
    ['listJobs', ['cdse-1', { limit: 20, next: 'https://me:pw@openeo.example/jobs' }], 'a next link with user info'],
    ['listJobs', ['cdse-1', { limit: 20, offset: 40 }], 'an extra key in the page'],
    ['refreshJobs', ['cdse-1', []], 'no job to refresh'],
    ['refreshJobs', ['cdse-1', ['j-1', 'j-1']], 'the same job twice'],
    ['refreshJobs', ['cdse-1', Array.from({ length: 51 }, (_, i) => `j-${i}`)], 'more than 50 jobs'],
    ['refreshJobs', ['cdse-1', ['../me']], 'a job id as a path'],
  ];
  for (const [method, args, what] of refused) {
    test(`refuse ${method}: ${what}`, () => {
      const result = guardArgs(method, args);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, /\S/);
    });
  }

  test('allow http: only on loopback for openExternal', () => {
    assert.equal(guardArgs('openExternal', ['http://127.0.0.1:8080/callback']).ok, true);
    assert.equal(guardArgs('openExternal', ['http://localhost/']).ok, true);
    assert.equal(guardArgs('openExternal', ['http://[::1]:9/']).ok, true);
  });

  test('treat an explicit undefined optional key as absent', () => {
    const result = guardArgs('startBrowserLogin', [{ backendUrl: 'https://x', label: undefined }]);
    assert.deepEqual(result, { ok: true, args: [{ backendUrl: 'https://x' }] });
  });

  test('the reason never contains the refused value', () => {
    const result = guardArgs('addServiceAccount', [{ backendUrl: 'https://x', clientId: 'c', clientSecret: SECRET + '\u0000' }]);
    assert.equal(result.ok, false);
    if (!result.ok) assert.ok(!result.reason.includes(SECRET), result.reason);
  });

  test('a hostile Proxy is refused, not thrown', () => {
    const hostile = new Proxy([], {
      getPrototypeOf() { throw new Error('trap'); },
      ownKeys() { throw new Error('trap'); },
    });
    for (const method of METHODS) {
      assert.deepEqual(guardArgs(method, hostile), { ok: false, reason: 'arguments could not be read' });
      assert.equal(guardArgs(method, [hostile, hostile]).ok, false);
    }
  });
});

// ---- Property tests: an independent description of "well-formed", checked against random input.

const isStr = (v: unknown, max: number, re?: RegExp, multiline = false): boolean =>
  typeof v === 'string' && v.length >= 1 && v.length <= max && (re ? re.test(v) : true) &&
  [...v].every((c) => { const n = c.codePointAt(0)!; return (n >= 0x20 && n < 0x7f) || n > 0x9f || (multiline && (c === '\n' || c === '\t' || c === '\r')); });
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v)) &&
  Object.getOwnPropertySymbols(v).length === 0 &&
  Object.values(Object.getOwnPropertyDescriptors(v)).every((d) => 'value' in d && d.enumerable);
const hasOnly = (o: Record<string, unknown>, required: string[], optional: string[]): boolean =>
  required.every((k) => Object.hasOwn(o, k)) && Object.keys(o).every((k) => required.includes(k) || optional.includes(k));
const id = (v: unknown) => isStr(v, 64, /^[a-z0-9][a-z0-9-]*$/);
const loginReq = (v: unknown, extra: string[] = []): boolean =>
  isPlain(v) && hasOnly(v, ['backendUrl', ...extra], ['providerId', 'label', 'identityId']) && isStr(v.backendUrl, 2048) &&
  (v.providerId === undefined || isStr(v.providerId, 20, /^\w+$/)) && (v.label === undefined || isStr(v.label, 100)) &&
  (v.identityId === undefined || id(v.identityId));
const patch = (v: unknown): boolean => {
  if (!isPlain(v) || !hasOnly(v, [], ['notificationsEnabled', 'warningThresholds', 'clipboardClearSeconds', 'startAtLogin', 'pythonSync', 'theme', 'checkForUpdates'])) return false;
  const t = v.warningThresholds;
  return ['notificationsEnabled', 'startAtLogin', 'pythonSync', 'checkForUpdates'].every((k) => v[k] === undefined || typeof v[k] === 'boolean') &&
    (v.theme === undefined || ['system', 'light', 'dark'].includes(v.theme as string)) &&
    (v.clipboardClearSeconds === undefined || (Number.isInteger(v.clipboardClearSeconds) && (v.clipboardClearSeconds as number) >= 5 && (v.clipboardClearSeconds as number) <= 600)) &&
    (t === undefined || (Array.isArray(t) && t.length <= 10 && new Set(t).size === t.length && Object.keys(t).length === t.length &&
      t.every((s) => Number.isInteger(s) && s >= 60 && s <= 90 * 86400)));
};
const WELL_FORMED: { [M in InvokeMethod]: (a: unknown[]) => boolean } = {
  listIdentities: (a) => a.length === 0,
  discoverBackend: (a) => a.length === 1 && isStr(a[0], 2048),
  startDeviceLogin: (a) => a.length === 1 && loginReq(a[0]),
  startBrowserLogin: (a) => a.length === 1 && loginReq(a[0]),
  awaitLogin: (a) => a.length === 1 && isStr(a[0], 128, /^[\w-]+$/),
  cancelLogin: (a) => a.length === 1 && isStr(a[0], 128, /^[\w-]+$/),
  addServiceAccount: (a) => a.length === 1 && loginReq(a[0], ['clientId', 'clientSecret']) &&
    isStr((a[0] as Record<string, unknown>).clientId, 256, /^\S+$/) && isStr((a[0] as Record<string, unknown>).clientSecret, 4096),
  refreshNow: (a) => a.length === 1 && id(a[0]),
  signOut: (a) => a.length === 2 && id(a[0]) && typeof a[1] === 'boolean',
  renameIdentity: (a) => a.length === 2 && id(a[0]) && isStr(a[1], 100),
  copy: (a) => a.length === 2 && id(a[0]) && ['access-token', 'bearer', 'authorization-header', 'python-snippet', 'refresh-token'].includes(a[1] as string),
  copyText: (a) => a.length === 1 && isStr(a[0], 10_000, undefined, true),
  getCredits: (a) => a.length === 1 && id(a[0]),
  listJobs: (a) => a.length === 2 && id(a[0]) && isPlain(a[1]) && hasOnly(a[1], ['limit'], ['next']) &&
    Number.isInteger(a[1].limit) && (a[1].limit as number) >= 1 && (a[1].limit as number) <= 100 &&
    (a[1].next === undefined || (isStr(a[1].next, 2048) && /^https?:\/\/[^@/]+\//i.test(a[1].next as string))),
  refreshJobs: (a) => a.length === 2 && id(a[0]) && Array.isArray(a[1]) && Object.getPrototypeOf(a[1]) === Array.prototype && a[1].length >= 1 &&
    a[1].length <= 50 && Object.keys(a[1]).length === a[1].length && new Set(a[1]).size === a[1].length && a[1].every((j) => isStr(j, 256, /^[\w\-.~]+$/)),
  getJob: (a) => a.length === 2 && id(a[0]) && isStr(a[1], 256, /^[\w\-.~]+$/),
  getSettings: (a) => a.length === 0,
  updateSettings: (a) => a.length === 1 && patch(a[0]),
  openExternal: (a) => a.length === 1 && isStr(a[0], 2048) && /^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/])/i.test(a[0] as string),
  openLogFolder: (a) => a.length === 0,
  setScriptAccess: (a) => a.length === 2 && id(a[0]) && ['allow', 'ask', 'deny'].includes(a[1] as string),
  listForwards: (a) => a.length === 0,
  getAbout: (a) => a.length === 0,
  checkForUpdates: (a) => a.length === 0,
  installUpdate: (a) => a.length === 0,
  installCommandLine: (a) => a.length === 0,
  createForward: (a) => a.length === 2 && Array.isArray(a[0]) && Object.getPrototypeOf(a[0]) === Array.prototype && a[0].length >= 1 && a[0].length <= 50 &&
    Object.keys(a[0]).length === a[0].length && a[0].every(id) && new Set(a[0]).size === a[0].length &&
    Number.isInteger(a[1]) && (a[1] as number) >= 60 && (a[1] as number) <= 7 * 86_400,
  stopForward: (a) => a.length === 1 && typeof a[0] === 'string' && /^[0-9a-f]{8}$/.test(a[0]),
};

const KEYS = ['backendUrl', 'providerId', 'label', 'identityId', 'clientId', 'clientSecret', 'theme', 'warningThresholds',
  'clipboardClearSeconds', 'startAtLogin', 'pythonSync', 'notificationsEnabled', '__proto__', 'constructor', 'toString'];
const anyValue = fc.anything({
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string()),
  values: [fc.boolean(), fc.integer(), fc.double(), fc.string(), fc.string({ unit: 'binary', maxLength: 4 }),
    fc.constantFrom('https://x', 'cdse-1', 'dark', 'bearer', 3600, 30),
    // Almost-valid strings: a valid value with any code point appended.
    fc.tuple(fc.constantFrom('https://x', 'cdse-1', 'login_1', 'CDSE', 'sh-1'), fc.string({ unit: 'binary', maxLength: 2 })).map(([a, b]) => a + b),
    fc.constant(null), fc.constant(undefined)],
  withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withObjectString: true, withMap: true, withSet: true,
  withTypedArray: true, withDate: true, maxDepth: 3,
});
/** Random args, biased towards the right length and towards mutating a valid argument list. */
const argsFor = (method: InvokeMethod) => fc.oneof(
  fc.array(anyValue, { maxLength: 3 }),
  fc.tuple(fc.nat(Math.max(0, VALID[method].length - 1)), anyValue).map(([i, v]) => { const a = [...VALID[method]]; a[i] = v; return a; }),
  fc.tuple(fc.constantFrom(...KEYS), anyValue).map(([k, v]) => {
    const a = structuredClone(VALID[method]);
    if (typeof a[0] === 'object' && a[0] !== null) Object.defineProperty(a[0], k, { value: v, enumerable: true, writable: true, configurable: true });
    return a;
  }),
  anyValue,
);

describe('argument guards, property tests', () => {
  test('never throw, and accept only well-formed arguments', () => {
    for (const method of METHODS) {
      fc.assert(fc.property(argsFor(method), (args) => {
        const result = guardArgs(method, args);
        if (result.ok) {
          assert.ok(Array.isArray(args) && WELL_FORMED[method](args), `${method} accepted ${fc.stringify(args)}`);
          assert.ok(WELL_FORMED[method](result.args));
        }
      }), { numRuns: 2000 });
    }
  });

  test('accept every well-formed id, URL and settings patch', () => {
    const idArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/);
    fc.assert(fc.property(idArb, fc.boolean(), (identityId, revoke) => {
      assert.deepEqual(guardArgs('signOut', [identityId, revoke]), { ok: true, args: [identityId, revoke] });
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.webUrl({ validSchemes: ['https'] }).filter((u) => u.length <= 2048 && !new URL(u).username && !new URL(u).password), (url) => {
      assert.equal(guardArgs('openExternal', [url]).ok, true, url);
    }), { numRuns: 1000 });
    const patchArb = fc.record({
      theme: fc.constantFrom('system' as const, 'light' as const, 'dark' as const),
      clipboardClearSeconds: fc.integer({ min: 5, max: 600 }),
      warningThresholds: fc.uniqueArray(fc.integer({ min: 60, max: 90 * 86400 }), { maxLength: 10 }),
      startAtLogin: fc.boolean(),
    }, { requiredKeys: [], noNullPrototype: true });
    fc.assert(fc.property(patchArb, (p) => {
      assert.deepEqual(guardArgs('updateSettings', [p]), { ok: true, args: [p] });
    }), { numRuns: 1000 });
  });
});
