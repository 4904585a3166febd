import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthTrayError } from '../../../src/main/core/errors.ts';
import type { TokenSet } from '../../../src/shared/model.ts';
import { jwtExpiry, tokenSetFromResponse } from '../../../src/main/core/oidc/token-facts.ts';
import { redact } from '../../../src/shared/redact.ts';
import { craftJwt } from './support.ts';

const NOW = 1_700_000_000_000;
const base = { access_token: 'access-token-value-0001', token_type: 'bearer' };

test('access expiry from expires_in; null without it', () => {
  assert.equal(tokenSetFromResponse({ ...base, expires_in: 300 }, NOW).accessTokenExpiresAt, NOW + 300_000);
  assert.equal(tokenSetFromResponse(base, NOW).accessTokenExpiresAt, null);
  assert.equal(tokenSetFromResponse(base, NOW).obtainedAt, NOW);
});

test('refresh_expires_in > 0 gives an absolute expiry, 0 an offline token (never)', () => {
  const at = tokenSetFromResponse({ ...base, refresh_token: 'opaque-refresh-1', refresh_expires_in: 1800 }, NOW);
  assert.deepEqual(at.refreshTokenExpiry, { kind: 'at', at: NOW + 1_800_000 });
  const never = tokenSetFromResponse({ ...base, refresh_token: 'opaque-refresh-1', refresh_expires_in: 0 }, NOW);
  assert.deepEqual(never.refreshTokenExpiry, { kind: 'never' });
});

test('refresh_expires_in wins over a JWT exp', () => {
  const jwt = craftJwt({ exp: 1_800_000_000, typ: 'Refresh' });
  const set = tokenSetFromResponse({ ...base, refresh_token: jwt, refresh_expires_in: 60 }, NOW);
  assert.deepEqual(set.refreshTokenExpiry, { kind: 'at', at: NOW + 60_000 });
});

test('without refresh_expires_in, a JWT refresh token’s exp is used (decoded only)', () => {
  const jwt = craftJwt({ exp: 1_800_000_000, typ: 'Offline', sub: 'x' });
  assert.deepEqual(tokenSetFromResponse({ ...base, refresh_token: jwt }, NOW).refreshTokenExpiry, { kind: 'at', at: 1_800_000_000_000 });
});

test('garbage or exp-less JWTs and opaque tokens give unknown', () => {
  for (const token of [
    'opaque-refresh-token-value',
    'eyJhbGciOiJub25lIn0.not-base64-json!.sig',
    craftJwt({ sub: 'no-exp' }),
    craftJwt({ exp: 'soon' }),
    craftJwt(null),
    'a.b',
  ]) {
    assert.deepEqual(tokenSetFromResponse({ ...base, refresh_token: token }, NOW).refreshTokenExpiry, { kind: 'unknown' }, token);
  }
  assert.equal(jwtExpiry('x.eyJleHAiOjF9.y'), 1000);
});

test('no refresh token at all is expiry none', () => {
  const set = tokenSetFromResponse(base, NOW);
  assert.deepEqual(set.refreshTokenExpiry, { kind: 'none' });
  assert.equal(set.refreshToken, undefined);
});

test('a refresh without a new refresh token keeps the old one and its expiry, unless told otherwise', () => {
  const previous: TokenSet = {
    accessToken: 'old-access-token-1', accessTokenExpiresAt: 1, obtainedAt: 0, tokenType: 'bearer',
    refreshToken: 'old-refresh-token-1', refreshTokenExpiry: { kind: 'at', at: 42 }, subject: 'alice',
  };
  const kept = tokenSetFromResponse({ ...base, expires_in: 10 }, NOW, previous);
  assert.equal(kept.refreshToken, 'old-refresh-token-1');
  assert.deepEqual(kept.refreshTokenExpiry, { kind: 'at', at: 42 });
  assert.equal(kept.subject, 'alice');
  const told = tokenSetFromResponse({ ...base, refresh_expires_in: 0 }, NOW, previous);
  assert.deepEqual(told.refreshTokenExpiry, { kind: 'never' });
  const rotated = tokenSetFromResponse({ ...base, refresh_token: 'new-refresh-token-2' }, NOW, previous);
  assert.equal(rotated.refreshToken, 'new-refresh-token-2');
  assert.deepEqual(rotated.refreshTokenExpiry, { kind: 'unknown' });
});

test('subject comes from openid-client’s validated claims(), not from decoding the id_token', () => {
  const idToken = craftJwt({ sub: 'mallory' });
  assert.equal(tokenSetFromResponse({ ...base, id_token: idToken }, NOW).subject, undefined);
  const withClaims = { ...base, id_token: idToken, claims: () => ({ sub: 'alice' }) };
  const set = tokenSetFromResponse(withClaims, NOW);
  assert.equal(set.subject, 'alice');
  assert.equal(set.idToken, idToken);
});

test('every token is registered for redaction', () => {
  const tokens = { access_token: 'zz-access-123456', refresh_token: 'zz-refresh-123456', id_token: 'zz-id-123456', token_type: 'bearer' };
  tokenSetFromResponse(tokens, NOW);
  const line = redact(`a=zz-access-123456 r=zz-refresh-123456 i=zz-id-123456`);
  for (const t of ['zz-access-123456', 'zz-refresh-123456', 'zz-id-123456']) assert.ok(!line.includes(t), line);
});

test('a response without an access token is an invalid IdP response', () => {
  assert.throws(() => tokenSetFromResponse({ token_type: 'bearer' }, NOW),
    (e: unknown) => e instanceof AuthTrayError && e.code === 'IDP_INVALID_RESPONSE');
});
