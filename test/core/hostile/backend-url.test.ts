/**
 * Hostile input: backend addresses as people type (and paste) them. Whatever the text, the
 * result is a canonical https (or loopback http) address or INVALID_URL/INSECURE_URL, and a
 * secret pasted into the field never comes back in the message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseBackendUrl } from '../../../src/main/core/openeo/backend-url.ts';
import { assertSecureUrl } from '../../../src/main/core/net/loopback.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';
import {
  RUNS,
  assertNoPollution,
  assertNoSecret,
  assertTypedFailure,
  hostileString,
  outcomeOf,
  plantSecret,
  secretToken,
  shapeMaskedToken,
  slotted,
} from '../../helpers/arbitraries.ts';

/** What a person may type: each part of an address, each sometimes odd. */
const typedAddress = fc
  .tuple(
    fc.constantFrom('', '', 'https://', 'http://', 'HTTPS://', 'Http://', '//', 'ftp://', 'file://', 'javascript:', 'ws://', 'https:/', 'https:'),
    fc.constantFrom('', '', '', 'alice@', 'alice:pw@', ':@', '@'),
    fc.oneof(
      fc.domain(),
      fc.constantFrom('localhost', 'LOCALHOST', 'api.localhost', 'localhost.', '127.0.0.1', '127.1', '0x7f000001', '[::1]', '::1', '[0:0::1]', '10.0.0.1',
        '127.0.0.1.nip.io', 'mylocalhost', '[::ffff:127.0.0.1]', 'xn--bcher-kva.example', 'bücher.example', 'exa mple.com', '', '%00', 'a..b', '[::1'),
      fc.ipV4(),
      fc.ipV6().map((h) => `[${h}]`),
    ),
    fc.constantFrom('', '', ':8080', ':443', ':80', ':0', ':65536', ':-1', ':x'),
    fc.array(fc.oneof(fc.webSegment(), fc.constantFrom('.', '..', '%2e', '', 'openeo', '1.2', 'v1', '\\', '%2F', 'ü', ' ')), { maxLength: 4 }),
    fc.constantFrom('', '', '/', '//', '?', '?a=1', '#top', '?#', '#'),
    fc.constantFrom('', ' ', '\t', '\n '),
  )
  .map(([scheme, user, host, port, segments, tail, pad]) => `${pad}${scheme}${user}${host}${port}${segments.map((s) => `/${s}`).join('')}${tail}${pad}`);

const anyInput = fc.oneof(
  { weight: 5, arbitrary: typedAddress },
  { weight: 2, arbitrary: fc.webUrl({ validSchemes: ['https', 'http', 'ftp'], withQueryParameters: true, withFragments: true, authoritySettings: { withIPv4: true, withIPv6: true, withPort: true, withUserInfo: true } }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 2, arbitrary: slotted },
  { weight: 1, arbitrary: fc.string({ minLength: 2_000, maxLength: 2_100 }).map((s) => `https://openeo.example/${s}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_040 }).map((n) => `https://openeo.example/${'é'.repeat(n)}`) },
);

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The rules for a stored backend address, checked independently of the code under test. */
function assertCanonical(out: string, input: string): void {
  const url = new URL(out);
  assert.ok(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)), `not https or loopback http: ${out}`);
  assert.equal(url.username + url.password, '', `user info kept: ${out}`);
  assert.equal(url.search + url.hash, '', `query or fragment kept: ${out}`);
  assert.ok(!out.endsWith('/'), `trailing slash: ${out}`);
  assert.equal(out, `${url.origin}${url.pathname === '/' ? '' : url.pathname}`, `not canonical: ${out}`);
  // It must fit where it is stored: the settings file's http(s) URL of at most 2048 printable characters.
  assert.ok(out.length <= 2_048, `normalised address is ${out.length} characters long (input ${input.length})`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not be there
  assert.doesNotMatch(out, /[\u0000-\u001f\u007f]/, 'control character in the address');
  assert.equal(normaliseBackendUrl(out), out, `not idempotent: ${out}`);
  assert.equal(assertSecureUrl(out, 'the backend').href.replace(/\/$/, ''), out.replace(/\/$/, ''), 'assertSecureUrl disagrees');
}

test('normaliseBackendUrl: a canonical safe address or INVALID_URL/INSECURE_URL, nothing else', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(anyInput, secretToken, (template, secret) => {
      clearRegisteredSecrets();
      registerSecret(secret);
      const input = plantSecret(template, secret) as string;
      const result = outcomeOf(() => normaliseBackendUrl(input));
      if (result.ok) assertCanonical(result.value, input);
      else assertTypedFailure(result.error, ['INVALID_URL', 'INSECURE_URL'], secret);
      assertNoPollution();
    }),
    { numRuns: RUNS },
  );
});

test('normaliseBackendUrl: a pasted secret is not echoed even when it was never registered', { timeout: 60_000 }, () => {
  // A token the app has not seen (e.g. copied from another tool) is masked by its shape alone.
  fc.assert(
    fc.property(slotted, shapeMaskedToken, (template, secret) => {
      clearRegisteredSecrets();
      const result = outcomeOf(() => normaliseBackendUrl(plantSecret(template, secret) as string));
      if (!result.ok) assertTypedFailure(result.error, ['INVALID_URL', 'INSECURE_URL'], secret);
    }),
    { numRuns: RUNS },
  );
});

test('normaliseBackendUrl: the address a message proposes instead is itself accepted', { timeout: 60_000 }, () => {
  // "Use https://… instead" must not send people in a circle.
  fc.assert(
    fc.property(typedAddress, (input) => {
      const result = outcomeOf(() => normaliseBackendUrl(input));
      if (result.ok) return;
      const proposed = /(https?:\/\/\S+?)(?:[;.]?\s|\.?$)/.exec(assertTypedFailureLoose(result.error).nextStep ?? '')?.[1];
      if (proposed === undefined) return;
      const again = outcomeOf(() => normaliseBackendUrl(proposed));
      assert.ok(again.ok, `the proposed "${proposed}" (for "${input}") is refused too: ${again.ok ? '' : String(again.error)}`);
    }),
    { numRuns: RUNS },
  );
});

function assertTypedFailureLoose(e: unknown): { nextStep: string | undefined } {
  assert.ok(e instanceof Error && 'nextStep' in e, `not an AuthTrayError: ${String(e)}`);
  return e as { nextStep: string | undefined };
}

test('normaliseBackendUrl: an unregistered secret cut by the 80-character echo is still masked', () => {
  // Regression: the echo was shortened before masking, so the first characters of a long token
  // after a long address survived as an unrecognisable (too short) piece.
  const secret = 'Zk3nP0q9xV2bT7mL4cR8sW1yH6jD5fA3gK0eU9iO2pN7tB4vX1zQ8wM5rS6uY3';
  clearRegisteredSecrets();
  const input = `https://openeo.dataspace.copernicus.eu/openeo/1.2/jobs?code=${secret}`;
  const result = outcomeOf(() => normaliseBackendUrl(input));
  assert.equal(result.ok, false);
  if (!result.ok) assertTypedFailure(result.error, ['INVALID_URL'], secret);
  assertNoSecret(String((result as { error: unknown }).error), secret, 'error');
});
