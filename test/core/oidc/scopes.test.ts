import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseScopes } from '../../../src/main/core/oidc/scopes.ts';

test('openid first, provider scopes the IdP supports, offline_access when a refresh token is wanted', () => {
  assert.deepEqual(
    chooseScopes(['openid', 'email', 'eduperson', 'profile'], ['openid', 'email', 'profile', 'offline_access'], true),
    ['openid', 'email', 'profile', 'offline_access'],
  );
});

test('no offline_access when no refresh token is wanted, even if the provider lists it', () => {
  assert.deepEqual(chooseScopes(['offline_access', 'email'], ['openid', 'email', 'offline_access'], false), ['openid', 'email']);
});

test('offline_access is left out when the IdP says it does not support it', () => {
  assert.deepEqual(chooseScopes([], ['openid', 'email'], true), ['openid']);
});

test('an IdP that lists no scopes is trusted with all of them', () => {
  assert.deepEqual(chooseScopes(['email', ' email ', ''], null, true), ['openid', 'email', 'offline_access']);
});
