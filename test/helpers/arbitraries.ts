/**
 * fast-check arbitraries for hostile input, and the invariants every hostile-input property
 * checks: a typed failure or a valid value, no prototype pollution, no secret in a message.
 *
 * Secrets are planted, not guessed: documents are generated with {@link SECRET_SLOT} in some
 * strings and keys, and {@link plantSecret} swaps in a fresh high-entropy token per run, so a
 * test knows exactly which secret must never come back in a message.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { AuthTrayError, type ErrorCode } from '../../src/main/core/errors.ts';

/** Replaced by the run's secret in every string and key (see {@link plantSecret}). */
export const SECRET_SLOT = '\u2063SECRET\u2063';

/** Keys that reach a prototype when code assigns them naively. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const AWKWARD_KEYS = [...PROTO_KEYS, 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'length', '', '0'];

/** Deterministic high-entropy bytes (fast-check's own byte arrays are biased towards zeros). */
function bytesFrom(seed: number, length: number): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; chunks.length * 64 < length; i++) chunks.push(createHash('sha512').update(`${seed}/${i}`).digest());
  return Buffer.concat(chunks).subarray(0, length);
}

const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

/** An opaque token as IdPs issue them: base64url of `minBytes`..96 random bytes. */
export function opaqueTokenOf(minBytes: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer(), fc.integer({ min: minBytes, max: 96 })).map(([seed, n]) => bytesFrom(seed, n).toString('base64url'));
}

/** Opaque tokens of 40..128 characters. */
export const opaqueToken = opaqueTokenOf(30);

const JWT_ALGS = ['HS256', 'RS256', 'ES256', 'none'] as const;
/** The headers {@link jwtToken} uses: public, and shared by every token with the same algorithm. */
const JWT_HEADERS = JWT_ALGS.map((alg) => b64url(JSON.stringify({ alg, typ: 'JWT' })));

/** A JWT: real header and claims, a random signature of 32..256 bytes. */
export const jwtToken = fc
  .tuple(
    fc.integer(),
    fc.integer({ min: 0, max: JWT_HEADERS.length - 1 }),
    fc.record({ sub: fc.uuid(), exp: fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }), typ: fc.constantFrom('Bearer', 'Refresh', 'Offline') }),
    fc.integer({ min: 32, max: 256 }),
  )
  .map(([seed, header, claims, sigBytes]) => `${JWT_HEADERS[header]}.${b64url(JSON.stringify(claims))}.${bytesFrom(seed, sigBytes).toString('base64url')}`);

/** A secret-looking token: JWT or long opaque. */
export const secretToken = fc.oneof(opaqueToken, jwtToken);

/**
 * Tokens that redact() masks by their shape alone, without being registered: JWTs, and opaque
 * tokens of 42+ characters. (A token of exactly 40 that starts or ends with "-" is not: see
 * test/core/hostile/redact.test.ts.)
 */
export const shapeMaskedToken = fc.oneof(opaqueTokenOf(31), jwtToken);

/** How a secret turns up where it does not belong: pasted alone, in a header, a URL, JSON. */
export const secretCarrier = fc.constantFrom(
  (s: string) => s,
  (s: string) => `Bearer ${s}`,
  (s: string) => `oidc/egi/${s}`,
  (s: string) => `https://openeo.example/?access_token=${s}`,
  (s: string) => `https://openeo.dataspace.copernicus.eu/openeo/1.2/jobs?code=${s}`,
  (s: string) => `https://alice:${s}@openeo.example/openeo`,
  (s: string) => `https://openeo.example/openeo/1.2/${s}`,
  (s: string) => `{"refresh_token": "${s}"}`,
  (s: string) => `${s} `.repeat(3),
);

/** A string holding the slot, somewhere in other text. */
export const slotted = fc
  .tuple(secretCarrier, fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
  .map(([carry, before, after]) => before + carry(SECRET_SLOT) + after);

/** Long strings of one repeated unit: catch quadratic regexes and unbounded echoes. */
const longString = fc
  .tuple(fc.constantFrom('a', '/', '1.', '-', 'eyJ', ' ', '%', '\\', '"', 'aA0_-'), fc.integer({ min: 1_000, max: 20_000 }))
  .map(([unit, n]) => unit.repeat(n));

/** Strings a careless or hostile peer sends. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '', ' ', '\u0000', '\n', '\t', '\u202e', '\ud800', '💥', ...AWKWARD_KEYS, 'https://', 'http://', 'https://idp.example/',
      'http://10.0.0.1/', 'http://127.0.0.1:8080/', '1.2.0', 'v1', '2.0.0', '-1', 'NaN', 'Infinity', '1e400', 'null',
      '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', 'javascript:alert(1)',
    ),
  },
  { weight: 2, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 3, arbitrary: slotted },
  { weight: 1, arbitrary: longString },
);

/** Numbers at the edges of what JSON and Date can hold. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, 0.5, 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 8.64e15, 8.64e15 + 1, 1e13, NaN, Infinity, -Infinity),
);

/** A payload that pollutes Object.prototype if it is merged or assigned naively. */
export const pollutionPayload = fc.constantFrom(
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"}}',
).map((text) => JSON.parse(text) as Record<string, unknown>);

/** Any value, with prototype-ish keys, planted secrets and edge numbers. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: edgeNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false) },
  { weight: 1, arbitrary: pollutionPayload },
  {
    weight: 2,
    arbitrary: fc.anything({
      key: fc.oneof(fc.constantFrom(...AWKWARD_KEYS, SECRET_SLOT), fc.string({ maxLength: 6 })),
      values: [hostileString, edgeNumber, fc.boolean(), fc.constant(null)],
      maxDepth: 2,
      maxKeys: 4,
    }),
  },
);

const MISSING = Symbol('missing');

/**
 * An object shaped like `fields`, where each field is usually valid (weight `validWeight`
 * against 3) and sometimes hostile or missing, plus a few hostile own keys (`__proto__` as a real own key, as JSON.parse makes it).
 */
export function documentOf(fields: Record<string, fc.Arbitrary<unknown>>, opts: { validWeight?: number } = {}): fc.Arbitrary<Record<string, unknown>> {
  const maybe = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: opts.validWeight ?? 12, arbitrary: valid }, { weight: 2, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant(MISSING) });
  const shaped = fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, maybe(a)])));
  const extras = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.constantFrom(...AWKWARD_KEYS), fc.constant(SECRET_SLOT)), fc.oneof(pollutionPayload, hostileValue)), { maxLength: 2 });
  return fc.tuple(shaped, extras).map(([o, extra]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of [...Object.entries(o), ...extra]) if (v !== MISSING) defineOwn(out, k, v);
    return out;
  });
}

/** Half of the time the value as it arrives over the wire: JSON text parsed again. */
export function overTheWire<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(arb, arb.map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown));
}

function defineOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Swaps {@link SECRET_SLOT} for `secret` in every string and key, keeping own `__proto__` keys own. */
export function plantSecret(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return value.split(SECRET_SLOT).join(secret);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => plantSecret(v, secret));
  const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  for (const [k, v] of Object.entries(value)) defineOwn(out, plantSecret(k, secret) as string, plantSecret(v, secret));
  return out;
}

// ---- invariants ----

const prototypes = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype };
const baseline = Object.fromEntries(
  Object.entries(prototypes).map(([name, proto]) => [name, new Map(Reflect.ownKeys(proto).map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)?.value]))]),
);

/** Fails when any built-in prototype gained, lost or changed a property. */
export function assertNoPollution(): void {
  assert.equal((({}) as Record<string, unknown>)['polluted'], undefined, 'Object.prototype was polluted');
  for (const [name, proto] of Object.entries(prototypes)) {
    const before = baseline[name] as Map<string | symbol, unknown>;
    const keys = Reflect.ownKeys(proto);
    assert.equal(keys.length, before.size, `${name}.prototype gained or lost keys: ${keys.filter((k) => !before.has(k)).map(String).join(', ')}`);
    for (const k of keys) assert.equal(Object.getOwnPropertyDescriptor(proto, k)?.value, before.get(k), `${name}.prototype.${String(k)} changed`);
  }
}

/** Length of a piece of a secret that counts as leaked. */
const LEAK_WINDOW = 12;

/**
 * The 12-character pieces of a secret that count as a leak, lower-cased (a host name loses its
 * case). JWT headers are public, and pieces of the claims that also occur in a header (the
 * base64 of `","typ":"`) say nothing.
 */
function secretPieces(secret: string): string[] {
  const lower = secret.toLowerCase();
  const isJwt = secret.startsWith('eyJ') && secret.includes('.');
  const header = isJwt ? [lower.slice(0, lower.indexOf('.')), ...JWT_HEADERS].join(' ').toLowerCase() : '';
  const core = isJwt ? lower.slice(lower.indexOf('.') + 1) : lower;
  const pieces: string[] = [];
  for (let i = 0; i + LEAK_WINDOW <= core.length; i++) {
    const piece = core.slice(i, i + LEAK_WINDOW);
    if (!header.includes(piece)) pieces.push(piece);
  }
  return pieces;
}

/** Fails when `text` holds the secret, or any 12-character piece of it, in any letter case. */
export function assertNoSecret(text: string | undefined, secret: string, what: string): void {
  if (text === undefined) return;
  const haystack = text.toLowerCase();
  for (const piece of secretPieces(secret)) {
    if (haystack.includes(piece)) assert.fail(`${what} leaks a piece of the secret (${piece}): ${text.slice(0, 300)}`);
  }
}

/** The error is an AuthTrayError with one of `codes`, a sentence, and no piece of the secret. */
export function assertTypedFailure(e: unknown, codes: readonly ErrorCode[], secret: string): asserts e is AuthTrayError {
  if (!(e instanceof AuthTrayError)) assert.fail(`not an AuthTrayError but ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  assert.ok(codes.includes(e.code), `unexpected code ${e.code}: ${e.message}`);
  assert.ok(e.message.trim().length > 0, 'empty message');
  assertNoSecret(e.message, secret, 'message');
  assertNoSecret(e.nextStep, secret, 'nextStep');
}

/** Runs `fn` and says whether it returned or threw, so a property can check both sides. */
export function outcomeOf<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Runs per property: enough to reach deep fields; file-system properties use fewer. */
export const RUNS = 2_000;
export const FILE_RUNS = 300;
