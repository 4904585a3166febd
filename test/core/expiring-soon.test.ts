/**
 * One "expiring soon" rule, from the person's warning thresholds: with 1 day / 1 hour set, a
 * login whose fixed end is 3 days away is simply active in the lifecycle, the tray's icon,
 * tooltip and menu, the window and `status`; one 30 minutes away is "sign in again soon" in all
 * five. (The tray and the window used a fixed 7 days before.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAppCore } from '../helpers/app-core.ts';
import { createMemorySecretStore } from '../helpers/memory-store.ts';
import { sampleIdentity } from '../helpers/sample-identity.ts';
import { accountModel } from '../../src/renderer/account-model.ts';
import { identityStatuses } from '../../src/main/core/session/status.ts';
import { statusRow } from '../../src/main/cli/commands/status.ts';
import { readSettingsFast } from '../../src/main/core/settings/settings-file.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('thresholds 1 day / 1 hour: 3 days left is active, 30 minutes left is expiring soon — in the lifecycle, tray icon, tooltip, menu, window and status', async (t) => {
  const now = Date.now();
  const far = sampleIdentity({ id: 'far-000001', label: 'Far', refreshTokenExpiry: { kind: 'at', at: now + 3 * DAY, end: 'fixed' }, refreshTokenObtainedAt: now - DAY, accessTokenExpiresAt: now + HOUR, accessTokenObtainedAt: now });
  const near = sampleIdentity({ id: 'near-000002', label: 'Near', refreshTokenExpiry: { kind: 'at', at: now + 30 * 60_000, end: 'fixed' }, refreshTokenObtainedAt: now - DAY, accessTokenExpiresAt: now + 10 * 60_000, accessTokenObtainedAt: now });
  let dir = '';
  const h = await startAppCore({
    secrets: createMemorySecretStore(),
    prepare: (d) => {
      dir = d;
      writeFileSync(join(d, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings: { warningThresholds: [DAY / 1000, HOUR / 1000] }, identities: [far] }), { mode: 0o600 });
    },
  });
  t.after(() => h.stop());

  const check = async (expected: 'active' | 'expiring-soon', id: string) => {
    const rows = h.core.statuses();
    const row = rows.find((r) => r.id === id)!;
    assert.equal(row.state, expected, 'the lifecycle');
    const line = h.core.trayMenu().find((i) => i.id === `${id}:state`)?.label ?? '';
    assert.match(line, expected === 'active' ? /^Active · / : /^Sign in again soon · /, 'the tray menu');
    const fromWindow = await h.api.listIdentities();
    assert.ok(fromWindow.ok);
    const row2 = fromWindow.value.find((r) => r.id === id)!;
    const account = accountModel(row2, Date.now());
    assert.equal(account.state, expected, 'the window');
    assert.match(account.line.text, expected === 'active' ? /^Signed in · renews itself until / : /^Sign in again within \d+ minutes$/, 'the window\'s line says when to act');
    const settings = readSettingsFast(dir).settings;
    const cli = identityStatuses(readSettingsFast(dir).identities, Date.now(), { thresholdsMs: settings.warningThresholds.map((s) => s * 1000) });
    assert.equal(statusRow(cli.find((r) => r.id === id)!).state, expected, 'status');
  };
  await check('active', far.id);
  assert.equal(h.core.trayLook(), 'ok', 'the tray icon');
  assert.doesNotMatch(h.core.trayTooltip(), /soon|sign in/i, 'the tooltip');

  await h.api.updateSettings({ warningThresholds: [DAY / 1000, HOUR / 1000] });
  const { openSettingsStore } = await import('../../src/main/core/settings/store.ts');
  await openSettingsStore({ dir }).upsertIdentity(near);
  await check('expiring-soon', near.id);
  await check('active', far.id);
  assert.equal(h.core.trayLook(), 'warning', 'the tray icon');
  assert.match(h.core.trayTooltip(), /Near expires in \d+ minutes/, 'the tooltip names the one that ends first');

});
