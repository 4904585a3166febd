import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as oidc from 'openid-client';
import { oidcError, retryAfterMs } from '../../../src/main/core/oidc/errors.ts';
import { registerSecret } from '../../../src/shared/redact.ts';

test('Retry-After in seconds or as an HTTP date', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(retryAfterMs(new Response('', { headers: { 'retry-after': '30' } }), now), 30_000);
  assert.equal(retryAfterMs(new Response('', { headers: { 'retry-after': 'Tue, 01 Jan 2030 00:01:00 GMT' } }), now), 60_000);
  assert.equal(retryAfterMs(new Response('', { headers: { 'retry-after': 'whenever' } }), now), undefined);
  assert.equal(retryAfterMs(new Response(''), now), undefined);
});

test('a network failure from fetch is IDP_UNREACHABLE, naming the host', () => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const e = oidcError(refused, 'refresh', 'https://idp.example/realms/x');
  assert.equal(e.code, 'IDP_UNREACHABLE');
  assert.match(e.message, /idp\.example/);
});

test('openid-client abort and timeout codes', () => {
  assert.equal(oidcError(Object.assign(new oidc.ClientError('operation aborted'), { code: 'OAUTH_ABORT' }), 'device-login', 'https://i.example').code, 'LOGIN_CANCELLED');
  assert.equal(oidcError(Object.assign(new oidc.ClientError('operation timed out'), { code: 'OAUTH_TIMEOUT' }), 'refresh', 'https://i.example').code, 'IDP_UNREACHABLE');
});

test('an unexpected error becomes INTERNAL without leaking a registered secret', () => {
  const secret = 'registered-secret-value-42';
  registerSecret(secret);
  const e = oidcError(new Error(`boom ${secret}`), 'refresh', 'https://i.example');
  assert.equal(e.code, 'INTERNAL');
  assert.ok(!e.message.includes(secret), e.message);
});
