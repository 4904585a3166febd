import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { TOOLTIP_MAX, trayTooltip } from '../../../src/main/core/tray/tooltip.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';
import { DAY, EN, NOW, serviceAccount, status } from '../../helpers/identity-status.ts';

describe('trayTooltip', () => {
  afterEach(() => clearRegisteredSecrets());

  test('no identities', () => {
    assert.equal(trayTooltip([], NOW, EN), 'No openEO accounts yet');
  });

  test('active logins with the soonest known expiry', () => {
    const list = [
      status({ id: 'a', label: 'EODC', refreshTokenExpiry: { kind: 'at', at: NOW + 40 * DAY } }),
      status({ id: 'b', label: 'CDSE', refreshTokenExpiry: { kind: 'at', at: NOW + 5 * DAY + 3_600_000 } }),
    ];
    assert.equal(trayTooltip(list, NOW, EN), '2 logins active · CDSE expires in 5 days');
  });

  test('a login without a fixed expiry is just active', () => {
    assert.equal(trayTooltip([serviceAccount()], NOW, EN), '1 login active');
  });

  test('logins needing a new sign-in come first, named', () => {
    assert.equal(trayTooltip([status({ state: 'expired' })], NOW, EN), '1 login needs a new sign-in: CDSE');
    const list = [
      status({ id: 'a', label: 'CDSE', state: 'expired' }),
      status({ id: 'b', label: 'EODC', state: 'expired' }),
      status({ id: 'c', label: 'VITO', refreshTokenExpiry: { kind: 'never' } }),
    ];
    assert.equal(trayTooltip(list, NOW, EN), '2 logins need a new sign-in: CDSE, EODC · 1 login active');
  });

  test('offline says since when; a locked keychain says what to do', () => {
    const list = [
      status({ id: 'a', state: 'offline', offlineSince: Date.UTC(2025, 10, 29, 8, 42) }),
      status({ id: 'b', state: 'offline', offlineSince: Date.UTC(2025, 10, 29, 8, 50) }),
    ];
    assert.equal(trayTooltip(list, NOW, EN), 'No connection since 08:42 — retrying');
    const locked = status({ state: 'keychain-unavailable', problem: { code: 'KEYCHAIN_LOCKED', message: 'x' } });
    assert.equal(trayTooltip([locked], NOW, EN), 'Keychain locked — unlock it to continue');
  });

  test('stays within the Windows tooltip limit and holds no secret', () => {
    const secret = 'secret-in-a-label-0123';
    registerSecret(secret);
    const list = Array.from({ length: 12 }, (_, i) =>
      status({ id: `i${i}`, label: `Backend number ${i} ${secret}`, state: 'expired' }));
    const tip = trayTooltip(list, NOW, EN);
    assert.ok(tip.length <= TOOLTIP_MAX, `${tip.length}`);
    assert.ok(tip.startsWith('12 logins need a new sign-in: '), tip);
    assert.ok(!tip.includes(secret));
  });
});
