/**
 * One classification of errors (errors.ts `errorKind`): the CLI's exit codes, the agent's answers,
 * the lifecycle, notifications and the Python bridge all follow it. docs/error-kinds.json is its
 * written form, which the Python bridge's tests hold their table to (python/tests/test_error_kinds.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AuthTrayError, ERROR_CODES, errorKind, exitCodeFor } from '../../src/main/core/errors.ts';
import { classifyFailure } from '../../src/main/core/lifecycle/failures.ts';
import { notificationFor } from '../../src/main/core/notifications/notification.ts';
import { failureAnswer } from '../../src/main/core/agent/protocol.ts';
import { sampleIdentity } from '../helpers/sample-identity.ts';
import { identityStatuses } from '../../src/main/core/session/status.ts';

const FILE = fileURLToPath(new URL('../../docs/error-kinds.json', import.meta.url));
const written = (JSON.parse(readFileSync(FILE, 'utf8')) as { codes: Record<string, { kind: string; exit_code: number }> }).codes;

test('docs/error-kinds.json is the code\'s classification, code for code (regenerate it when a code or kind changes)', () => {
  assert.deepEqual(Object.keys(written).sort(), [...ERROR_CODES].sort());
  for (const code of ERROR_CODES) assert.deepEqual(written[code], { kind: errorKind({ code }), exit_code: exitCodeFor({ code }) }, code);
});

test('every place agrees: exit code, agent answer, lifecycle class and where a notification leads', () => {
  const identity = sampleIdentity({ kind: 'personal' });
  const [row] = identityStatuses([identity], Date.now());
  for (const code of ERROR_CODES) {
    const e = new AuthTrayError(code, 'x');
    const kind = errorKind(e);
    assert.equal(failureAnswer(e, exitCodeFor(e)).exit_code, written[code]!.exit_code, `${code}: the agent's exit_code`);
    const life = classifyFailure(e, 'personal');
    assert.equal(life, { 'needs-sign-in': 'needs-login', keychain: 'keychain', unreachable: 'offline', busy: 'busy', usage: 'error', cancelled: 'error', other: 'error' }[kind], `${code}: the lifecycle`);
    const n = notificationFor({ type: 'refresh-failing', identityId: identity.id, since: Date.now() - 3_600_000, error: { code, message: 'x' } }, { ...row!, state: 'error' }, Date.now(), { notificationsEnabled: true });
    if (n) assert.equal(n.onClick.page === 'add', kind === 'needs-sign-in', `${code}: a click leads to "Sign in again" exactly when only that helps`);
  }
});

test('the cases that disagreed before: a refused client secret needs a new sign-in everywhere; a busy lock is "try later" everywhere', () => {
  assert.equal(exitCodeFor({ code: 'CLIENT_CREDENTIALS_REFUSED' }), 3);
  assert.equal(classifyFailure({ code: 'CLIENT_CREDENTIALS_REFUSED' }, 'client-credentials'), 'needs-login');
  assert.equal(exitCodeFor({ code: 'LOCK_TIMEOUT' }), 5);
  assert.equal(classifyFailure({ code: 'LOCK_TIMEOUT' }, 'personal'), 'busy');
  assert.equal(exitCodeFor({ code: 'IDP_ERROR', retryAfterMs: 1000 }), 5);
  assert.equal(exitCodeFor({ code: 'IDP_ERROR' }), 1);
});
