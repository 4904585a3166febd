/**
 * The secret registry stays bounded however many tokens rotate (issue 10, item 9): a tray that
 * refreshes 20 logins for months registers hundreds of thousands of tokens, and every log line
 * and tray label is checked against the registry. Live tokens are registered again each time
 * they are read or rotated, so they stay; only spent ones fall out.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tokenSetFromResponse } from '../../src/main/core/oidc/token-facts.ts';
import { MAX_REGISTERED_SECRETS, clearRegisteredSecrets, redact, registerSecret, registeredSecretCount } from '../../src/shared/redact.ts';

afterEach(() => clearRegisteredSecrets());

/** A short opaque secret that no redaction pattern would catch on its own (not token-shaped). */
const secret = (): string => `s.${randomBytes(9).toString('hex')}~`;

test('100 000 rotated tokens: the registry holds at most its bound, and the live ones are still removed', () => {
  // 20 identities whose live client secrets are read (and so registered again) at every round.
  const live = Array.from({ length: 20 }, secret);
  for (let round = 0; round < 5_000; round++) {
    for (const s of live) registerSecret(s);
    for (let i = 0; i < 20; i++) registerSecret(secret()); // this round's rotated tokens
    assert.ok(registeredSecretCount() <= MAX_REGISTERED_SECRETS, `round ${round}: ${registeredSecretCount()} registered`);
  }
  assert.equal(registeredSecretCount(), MAX_REGISTERED_SECRETS);
  for (const s of live) assert.equal(redact(`value ${s} end`), 'value [redacted] end');
});

test('the bound holds on the real path: token responses register every token they carry', () => {
  let last = '';
  for (let i = 0; i < 3 * MAX_REGISTERED_SECRETS; i++) {
    last = secret();
    tokenSetFromResponse({ access_token: secret(), refresh_token: last, id_token: secret(), expires_in: 300 }, Date.now());
  }
  assert.ok(registeredSecretCount() <= MAX_REGISTERED_SECRETS, `${registeredSecretCount()} registered`);
  assert.equal(redact(`rotated ${last}`), 'rotated [redacted]', 'the newest token is registered');
});

test('registering a secret again makes it the most recent one', () => {
  const first = secret();
  registerSecret(first);
  for (let i = 0; i < MAX_REGISTERED_SECRETS - 1; i++) registerSecret(secret());
  registerSecret(first); // read again: still live
  registerSecret(secret()); // pushes out the oldest, which is no longer `first`
  assert.equal(redact(first), '[redacted]');
});
