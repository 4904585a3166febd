/**
 * Hostile input for redaction: whatever text surrounds a token, redact() removes it — by shape
 * for JWTs and long opaque tokens it never saw, by exact match for every registered secret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clearRegisteredSecrets, redact, registerSecret } from '../../../src/shared/redact.ts';
import { RUNS, assertNoSecret, hostileString, secretCarrier, secretToken, shapeMaskedToken } from '../../helpers/arbitraries.ts';

/** Text around a token: log lines, JSON, headers, URLs, odd Unicode, or nothing. */
const surrounding = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  hostileString,
  fc.constantFrom('', ' ', '\n', '"', "'", '=', ':', '/', '.', '-', '_', 'x', 'é', 'Bearer ', 'token=', '"access_token":"', 'oidc/egi/', '%2F', '<', '>'),
);
const textWith = (token: fc.Arbitrary<string>) =>
  fc.tuple(surrounding, secretCarrier, token, surrounding, fc.array(fc.tuple(surrounding, token), { maxLength: 2 })).map(([before, carry, t, after, more]) => ({
    tokens: [t, ...more.map(([, m]) => m)],
    text: before + carry(t) + after + more.map(([s, m]) => s + m).join(''),
  }));

test('redact: JWTs and long opaque tokens are masked by shape, in any surrounding text', { timeout: 60_000 }, () => {
  clearRegisteredSecrets();
  fc.assert(
    fc.property(textWith(shapeMaskedToken), ({ text, tokens }) => {
      const out = redact(text);
      for (const token of tokens) assertNoSecret(out, token, 'redacted text');
    }),
    { numRuns: RUNS },
  );
});

test('redact: every registered secret is removed, whatever characters it holds', { timeout: 60_000 }, () => {
  const secret = fc.oneof(secretToken, fc.string({ minLength: 8, maxLength: 40 }), fc.string({ unit: 'binary', minLength: 8, maxLength: 20 }), fc.constantFrom('pa$$w0rd.*+?^(', 'correct horse battery', '\\u0000\\n\\t---'));
  fc.assert(
    fc.property(fc.uniqueArray(secret, { minLength: 1, maxLength: 3 }), surrounding, surrounding, (secrets, before, after) => {
      clearRegisteredSecrets();
      secrets.forEach(registerSecret);
      const out = redact(before + secrets.join(before) + after);
      for (const s of secrets) assert.ok(!out.includes(s) || '[redacted]'.includes(s), `registered secret survived: ${JSON.stringify(s)} in ${JSON.stringify(out)}`);
    }),
    { numRuns: RUNS },
  );
  clearRegisteredSecrets();
});

test('redact: an unregistered opaque token of exactly 40 characters ending in "-" is masked', () => {
  clearRegisteredSecrets();
  const token = 'p6osYcGn_eCHzTx_YmzIQTJYUcih9hA_pqqIGrt-';
  assertNoSecret(redact(`pasted ${token} here`), token, 'redacted text');
});
