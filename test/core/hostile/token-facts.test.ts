/**
 * Hostile input: token endpoint responses and JWT payloads. A response yields a TokenSet with
 * sane times (finite, within what a Date can show, access expiry not before `now`) or
 * IDP_INVALID_RESPONSE; a JWT payload yields a usable expiry or nothing, never an exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TokenSet } from '../../../src/shared/model.ts';
import { jwtExpiry, tokenSetFromResponse } from '../../../src/main/core/oidc/token-facts.ts';
import { clearRegisteredSecrets, redact, registerSecret } from '../../../src/shared/redact.ts';
import {
  RUNS,
  assertNoPollution,
  assertTypedFailure,
  documentOf,
  edgeNumber,
  hostileString,
  hostileValue,
  outcomeOf,
  overTheWire,
  plantSecret,
  secretToken,
  SECRET_SLOT,
} from '../../helpers/arbitraries.ts';

/** The last instant a Date can represent (ms); anything later cannot be shown or stored as a time. */
const LAST_DATE_MS = 8.64e15;
const isTime = (v: number): boolean => Number.isFinite(v) && Math.abs(v) <= LAST_DATE_MS && !Number.isNaN(new Date(v).getTime());

const seconds = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 10 * 365 * 86_400 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom(' 300 ', '1e3', '3600.5', '-1', '', '0x10', '9'.repeat(400), '1' + '0'.repeat(305)) },
  { weight: 2, arbitrary: edgeNumber },
);
const jwtWithExp = fc
  .tuple(fc.oneof(edgeNumber, hostileValue), fc.constantFrom('HS256', 'none'))
  .map(([exp, alg]) => `${b64(JSON.stringify({ alg }))}.${b64(JSON.stringify({ exp, sub: 'x' }) ?? 'null')}.c2ln`);
const token = fc.oneof({ weight: 3, arbitrary: fc.constant(SECRET_SLOT) }, { weight: 1, arbitrary: jwtWithExp }, { weight: 1, arbitrary: hostileString });

const response = documentOf({
  access_token: token,
  token_type: fc.constantFrom('Bearer', 'bearer', 'DPoP', 'N_A'),
  expires_in: seconds,
  refresh_token: token,
  refresh_expires_in: seconds,
  id_token: token,
  scope: fc.constantFrom('openid offline_access', 'openid', ''),
  'not-before-policy': fc.integer(),
});

const previous: fc.Arbitrary<TokenSet | undefined> = fc.option(
  fc.record({
    accessToken: fc.constant('previous-access-token-0001'),
    accessTokenExpiresAt: fc.option(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 })),
    obtainedAt: fc.integer({ min: 1_600_000_000_000, max: 1_700_000_000_000 }),
    refreshToken: fc.constant('previous-refresh-token-0001'),
    refreshTokenExpiry: fc.constantFrom({ kind: 'never' as const }, { kind: 'unknown' as const }, { kind: 'at' as const, at: 1_800_000_000_000 }),
    tokenType: fc.constant('bearer'),
    subject: fc.constant('alice'),
  }),
  { nil: undefined },
);

const now = fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 });

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function assertSaneTokenSet(set: TokenSet, at: number): void {
  assert.ok(typeof set.accessToken === 'string' && set.accessToken.length > 0, 'no access token');
  assert.equal(set.obtainedAt, at);
  if (set.accessTokenExpiresAt !== null) {
    assert.ok(isTime(set.accessTokenExpiresAt), `access expiry is not a time: ${set.accessTokenExpiresAt}`);
    assert.ok(set.accessTokenExpiresAt >= at, 'access token expires before it was obtained');
  }
  const e = set.refreshTokenExpiry;
  assert.ok(['at', 'never', 'unknown', 'none'].includes(e.kind));
  if (e.kind === 'at') assert.ok(isTime(e.at), `refresh expiry is not a time: ${e.at}`);
  assert.equal(e.kind === 'none', set.refreshToken === undefined, 'refresh expiry kind and refresh token disagree');
  assert.equal(typeof set.tokenType, 'string');
  for (const v of [set.refreshToken, set.idToken, set.scope, set.subject]) assert.ok(v === undefined || typeof v === 'string');
  // Every token it returns is known to redact() from now on.
  for (const t of [set.accessToken, set.refreshToken, set.idToken]) {
    if (t !== undefined && t.length >= 8) assert.ok(!redact(`x ${t} x`).includes(t), 'a token was not registered as a secret');
  }
}

test('tokenSetFromResponse: a sane TokenSet or IDP_INVALID_RESPONSE', { timeout: 60_000 }, (t) => {
  let accepted = 0;
  fc.assert(
    fc.property(overTheWire(response), secretToken, now, previous, (template, secret, at, prev) => {
      clearRegisteredSecrets();
      registerSecret(secret);
      // The previous tokens were registered when they arrived.
      registerSecret(prev?.accessToken);
      registerSecret(prev?.refreshToken);
      const input = plantSecret(template, secret) as Record<string, unknown>;
      const result = outcomeOf(() => tokenSetFromResponse(input, at, prev));
      if (result.ok) {
        accepted++;
        assertSaneTokenSet(result.value, at);
      } else assertTypedFailure(result.error, ['IDP_INVALID_RESPONSE'], secret);
      assertNoPollution();
    }),
    { numRuns: RUNS },
  );
  t.diagnostic(`${accepted} accepted, ${RUNS - accepted} refused`);
  assert.ok(accepted > RUNS / 4 && accepted < RUNS * 0.95, `generator out of balance: ${accepted} accepted`);
});

test('tokenSetFromResponse: openid-client\'s claims() helper may throw or lie without harm', { timeout: 60_000 }, () => {
  const claims = fc.constantFrom(
    () => ({ sub: 'alice' }),
    () => { throw new Error('no id token'); },
    () => undefined,
    () => ({ sub: 42 }),
    () => JSON.parse('{"__proto__":{"polluted":"yes"},"sub":"bob"}') as unknown,
  );
  fc.assert(
    fc.property(claims, now, fc.constantFrom(...[undefined, 'x', 'access-token-value-0001']), (fn, at, accessToken) => {
      const result = outcomeOf(() => tokenSetFromResponse({ access_token: accessToken, claims: fn }, at));
      if (result.ok) {
        assertSaneTokenSet(result.value, at);
        assert.ok(result.value.subject === undefined || typeof result.value.subject === 'string');
      } else assertTypedFailure(result.error, ['IDP_INVALID_RESPONSE'], 'access-token-value-0001');
      assertNoPollution();
    }),
    { numRuns: RUNS },
  );
});

const jwtLike = fc.oneof(
  hostileString,
  fc.string({ unit: 'binary' }),
  fc.tuple(hostileString, hostileString, hostileString).map((parts) => parts.join('.')),
  fc.tuple(fc.jsonValue(), hostileValue).map(([a, b]) => `e30.${b64(JSON.stringify(a) ?? '')}.${b64(String(typeof b === 'string' ? b : ''))}`),
  fc.oneof(edgeNumber, hostileValue, fc.constantFrom('{"exp":1e400}', '{"exp":"1700000000"}', '{"exp":-1}', '{"exp":1e300}', '{"exp":99999999999999}', 'null', '"s"', '[1]', '{"__proto__":{"exp":1}}'))
    .map((payload) => `e30.${b64(typeof payload === 'string' && payload.startsWith('{') ? payload : JSON.stringify({ exp: payload }) ?? '')}.`),
  fc.string().map((s) => `a.${s}.b`),
);

test('jwtExpiry: a time a Date can show, or undefined; never an exception', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(jwtLike, (jwt) => {
      const result = outcomeOf(() => jwtExpiry(jwt));
      assert.ok(result.ok, `threw: ${result.ok ? '' : String(result.error)}`);
      if (result.value !== undefined) assert.ok(isTime(result.value) && result.value > 0, `not a usable time: ${result.value}`);
      assertNoPollution();
    }),
    { numRuns: RUNS },
  );
});
