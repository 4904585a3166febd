import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LOOK_OF_STATE, LOOK_SEVERITY, effectiveState, trayLook } from '../../../src/shared/status/look.ts';
import type { IdentityState } from '../../../src/shared/model.ts';
import { DAY, NOW, status } from '../../helpers/identity-status.ts';

const ALL_STATES: IdentityState[] = [
  'signed-out', 'signing-in', 'active', 'expiring-soon', 'expired', 'offline', 'keychain-unavailable', 'error',
];

describe('trayLook', () => {
  test('idle with no identities', () => {
    assert.equal(trayLook([], NOW), 'idle');
  });

  test('one identity in each state gets the look from the table', () => {
    const far = { kind: 'at', at: NOW + 60 * DAY } as const;
    for (const state of ALL_STATES) {
      assert.equal(trayLook([status({ state, refreshTokenExpiry: far })], NOW), LOOK_OF_STATE[state], state);
    }
  });

  test('the worst state wins: error > offline > expiring-soon > ok', () => {
    const far = { kind: 'at', at: NOW + 60 * DAY } as const;
    const s = (state: IdentityState, id: string) => status({ id, state, refreshTokenExpiry: far });
    assert.equal(trayLook([s('active', 'a'), s('expiring-soon', 'b')], NOW), 'warning');
    assert.equal(trayLook([s('expiring-soon', 'b'), s('offline', 'c'), s('active', 'a')], NOW), 'offline');
    assert.equal(trayLook([s('offline', 'c'), s('expired', 'd'), s('active', 'a')], NOW), 'error');
    assert.equal(trayLook([s('keychain-unavailable', 'e'), s('offline', 'c')], NOW), 'error');
    assert.equal(trayLook([s('signed-out', 'f'), s('active', 'a')], NOW), 'ok');
    assert.equal(trayLook([s('signed-out', 'f')], NOW), 'idle');
  });

  test('the order is independent of the list order', () => {
    const far = { kind: 'at', at: NOW + 60 * DAY } as const;
    const list = ALL_STATES.map((state, i) => status({ id: `i${i}`, state, refreshTokenExpiry: far }));
    assert.equal(trayLook(list, NOW), 'error');
    assert.equal(trayLook([...list].reverse(), NOW), 'error');
    assert.deepEqual(LOOK_SEVERITY, ['idle', 'ok', 'warning', 'offline', 'error']);
  });
});

describe('effectiveState', () => {
  test('an active login whose refresh token has run out is expired, whatever the stale row says', () => {
    const row = status({ state: 'active', refreshTokenExpiry: { kind: 'at', at: NOW - 1 } });
    assert.equal(effectiveState(row, NOW), 'expired');
    assert.equal(trayLook([row], NOW), 'error');
  });

  test('an active login inside the warning window counts as expiring soon', () => {
    const row = status({ state: 'active', refreshTokenExpiry: { kind: 'at', at: NOW + 5 * DAY } });
    assert.equal(effectiveState(row, NOW), 'expiring-soon');
    assert.equal(effectiveState(row, NOW, { expiringSoonMs: DAY }), 'active');
  });

  test('no fixed expiry never turns into a warning', () => {
    assert.equal(effectiveState(status({ refreshTokenExpiry: { kind: 'never' } }), NOW + 1000 * DAY), 'active');
  });
});

test('a sliding end the app keeps moving is not "expiring soon"; its maximum is', () => {
  const in10min = NOW + 10 * 60_000;
  const sliding = status({ state: 'active', refreshTokenExpiry: { kind: 'at', at: in10min, end: 'sliding', idleMs: 600_000 } });
  assert.equal(effectiveState(sliding, NOW), 'active');
  const capped = status({ state: 'active', refreshTokenExpiry: { kind: 'at', at: in10min, end: 'sliding', idleMs: 600_000, maxAt: NOW + 3_600_000 } });
  assert.equal(effectiveState(capped, NOW), 'expiring-soon');
  const unconfirmed = status({ state: 'active', refreshTokenExpiry: { kind: 'at', at: in10min } });
  assert.equal(effectiveState(unconfirmed, NOW), 'expiring-soon', 'not yet known to slide: its end is the end');
  assert.equal(effectiveState(sliding, in10min + 1), 'expired', 'a sliding window that closed unused has ended');
});
