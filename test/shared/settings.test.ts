import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSettings } from '../../src/main/core/settings/guards.ts';
import { guardArgs } from '../../src/shared/guards.ts';
import { DEFAULT_SETTINGS, defaultSettings, SETTING_KEYS, SETTING_RULES, type Bounds } from '../../src/shared/settings.ts';

const within = (n: number, { min, max }: Bounds): boolean => Number.isInteger(n) && n >= min && n <= max;

test('each rule is consistent: what the window offers the file can hold, and the default is allowed by both', () => {
  for (const key of SETTING_KEYS) {
    const rule: (typeof SETTING_RULES)[typeof key] = SETTING_RULES[key];
    switch (rule.kind) {
      case 'flag':
        assert.equal(typeof rule.default, 'boolean', key);
        break;
      case 'seconds':
        assert.ok(rule.stored.min <= rule.offered.min && rule.offered.max <= rule.stored.max, key);
        assert.ok(within(rule.default, rule.offered), key);
        break;
      case 'seconds-list':
        assert.ok(rule.stored.min <= rule.offered.min && rule.offered.max <= rule.stored.max, key);
        assert.ok(rule.default.length <= rule.maxItems && rule.default.every((s) => within(s, rule.offered)), key);
        assert.deepEqual([...rule.default], [...new Set(rule.default)].sort((a, b) => b - a), `${key}: distinct, largest first`);
        break;
      case 'choice':
        assert.ok(rule.values.includes(rule.default), key);
        break;
    }
  }
});

test('the defaults pass both the read guard and the IPC guard unchanged', () => {
  assert.deepEqual(checkSettings({}), { ok: true, value: { ...DEFAULT_SETTINGS } });
  assert.deepEqual(checkSettings(defaultSettings()), { ok: true, value: { ...DEFAULT_SETTINGS } });
  assert.deepEqual(guardArgs('updateSettings', [defaultSettings()]), { ok: true, args: [defaultSettings()] });
  assert.deepEqual(Object.keys(DEFAULT_SETTINGS), SETTING_KEYS);
});

test('the defaults cannot be changed; defaultSettings() is a fresh copy', () => {
  assert.ok(Object.isFrozen(DEFAULT_SETTINGS) && Object.isFrozen(DEFAULT_SETTINGS.warningThresholds));
  const copy = defaultSettings();
  copy.warningThresholds.push(60);
  copy.theme = 'dark';
  assert.deepEqual(DEFAULT_SETTINGS.warningThresholds, [604_800, 86_400, 3_600]);
  assert.equal(DEFAULT_SETTINGS.theme, 'system');
  assert.notEqual(defaultSettings().warningThresholds, defaultSettings().warningThresholds);
});

test('the file holds what a person may set by hand beyond what the window offers; the window stays inside it', () => {
  const { clipboardClearSeconds: clip, warningThresholds: warn } = SETTING_RULES;
  // 0 keeps a copied token: only by hand, in the file.
  assert.equal(checkSettings({ clipboardClearSeconds: 0 }).ok, true);
  assert.equal(guardArgs('updateSettings', [{ clipboardClearSeconds: 0 }]).ok, false);
  for (const seconds of [clip.offered.min, clip.offered.max]) {
    assert.equal(guardArgs('updateSettings', [{ clipboardClearSeconds: seconds }]).ok, true);
    assert.equal(checkSettings({ clipboardClearSeconds: seconds }).ok, true);
  }
  for (const seconds of [clip.stored.min - 1, clip.stored.max + 1]) assert.equal(checkSettings({ clipboardClearSeconds: seconds }).ok, false);
  assert.equal(checkSettings({ warningThresholds: [warn.stored.max] }).ok, true);
  assert.equal(guardArgs('updateSettings', [{ warningThresholds: [warn.offered.max + 1] }]).ok, false);
  assert.equal(checkSettings({ warningThresholds: [warn.stored.max + 1] }).ok, false);
});
