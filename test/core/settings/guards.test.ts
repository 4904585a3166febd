import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { checkIdentity, checkSettings, checkSettingsDocument, checkSettingsPatch } from '../../../src/main/core/settings/guards.ts';
import { CONF_SCHEMA, type SettingsDocument } from '../../../src/main/core/settings/schema.ts';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';

const SECRET = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig-that-must-not-leak';

/** Field values that must be refused, each with a secret-looking string where a string is wrong. */
const BAD_IDENTITY_FIELDS: Array<[string, unknown]> = [
  ['id', ''],
  ['id', 'has space'],
  ['id', '../escape'],
  ['id', 'x'.repeat(65)],
  ['id', 'CDSE-1'],
  ['id', 'cdse.1'],
  ['id', 'cdse_1'],
  ['id', '-cdse'],
  ['label', ''],
  ['label', 'line\nbreak'],
  ['label', 'x'.repeat(201)],
  ['kind', 'admin'],
  ['flow', 'password'],
  ['backendUrl', 'ftp://example.org'],
  ['backendUrl', `javascript:${SECRET}`],
  ['apiUrl', 42],
  ['issuer', 'not a url'],
  ['providerId', ''],
  ['clientId', null],
  ['scopes', 'openid'],
  ['scopes', ['openid email']],
  ['scopes', Array.from({ length: 65 }, (_, i) => `s${i}`)],
  ['jwtBearer', 'yes'],
  ['userId', ''],
  ['createdAt', -1],
  ['createdAt', '2024-01-01'],
  ['accessTokenExpiresAt', Number.NaN],
  ['accessTokenObtainedAt', undefined],
  ['refreshTokenExpiry', { kind: 'at' }],
  ['refreshTokenExpiry', { kind: 'soon' }],
  ['refreshTokenExpiry', null],
  ['refreshTokenObtainedAt', SECRET],
  ['warningsSent', [-5]],
  ['warningsSent', 3],
  ['expiredAt', 'yesterday'],
];

function withField(key: string, value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = { ...sampleIdentity() };
  if (value === undefined) delete o[key];
  else o[key] = value;
  return o;
}

describe('settings guards', () => {
  test('a valid identity passes and comes back as a fresh object of known fields only', () => {
    const input = { ...sampleIdentity({ userId: 'u-1', expiredAt: 5 }), extra: 'dropped' };
    const r = checkIdentity(input);
    assert.ok(r.ok);
    assert.deepEqual(r.value, sampleIdentity({ userId: 'u-1', expiredAt: 5 }));
    assert.notEqual(r.value.scopes, input.scopes);
  });

  test('strict mode refuses unknown fields, such as a token that strayed into an identity', () => {
    const r = checkIdentity({ ...sampleIdentity(), refreshToken: SECRET }, 'identity', true);
    assert.deepEqual(r, { ok: false, problem: 'identity.refreshToken is not a field of an identity' });
  });

  for (const [key, value] of BAD_IDENTITY_FIELDS) {
    test(`refuses identity.${key} = ${JSON.stringify(value)?.slice(0, 40)}, naming the place but not the value`, () => {
      const r = checkIdentity(withField(key, value));
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.problem.startsWith(`identity.${key}`), !r.ok ? r.problem : '');
      assert.ok(!r.ok && !r.problem.includes(SECRET));
    });
  }

  test('hostile shapes give typed answers, not exceptions', () => {
    for (const raw of [null, 1, 'x', [], Object.create(null), JSON.parse('{"__proto__": {"id": "x"}}')]) {
      assert.equal(checkIdentity(raw).ok, false);
    }
    const polluted = JSON.parse(`{"identities": [], "settings": {"__proto__": {"theme": "dark"}}}`);
    const r = checkSettingsDocument(polluted);
    assert.ok(r.ok);
    assert.equal(r.value.settings.theme, 'system');
    assert.equal(({} as Record<string, unknown>).theme, undefined);
  });

  test('settings: defaults fill gaps, unknown keys are ignored, thresholds are ordered largest first', () => {
    const r = checkSettings({ theme: 'dark', futureOption: 1, warningThresholds: [60, 86_400] });
    assert.deepEqual(r, { ok: true, value: { ...DEFAULT_SETTINGS, theme: 'dark', warningThresholds: [86_400, 60] } });
  });

  test('settings patches accept known keys only, with valid values', () => {
    assert.deepEqual(checkSettingsPatch({ clipboardClearSeconds: 0 }), { ok: true, value: { clipboardClearSeconds: 0 } });
    for (const bad of [{ theme: 'purple' }, { clipboardClearSeconds: 3601 }, { clipboardClearSeconds: 1.5 }, { warningThresholds: [60, 60] }, { warningThresholds: [0] }, { notificationsEnabled: 'yes' }, { colour: 'red' }]) {
      assert.equal(checkSettingsPatch(bad).ok, false, JSON.stringify(bad));
    }
  });

  test('the document: legacy files without version or sections are format 1 with defaults; ids are unique', () => {
    assert.deepEqual(checkSettingsDocument({}), { ok: true, value: { schemaVersion: 1, settings: { ...DEFAULT_SETTINGS }, identities: [] } });
    const dup = checkSettingsDocument({ identities: [sampleIdentity(), sampleIdentity()] });
    assert.deepEqual(dup, { ok: false, problem: 'identities[1].id repeats the id of an earlier identity' });
    assert.equal(checkSettingsDocument({ identities: Array.from({ length: 501 }, (_, i) => sampleIdentity({ id: `i${i}` })) }).ok, false);
    assert.equal(checkSettingsDocument({ schemaVersion: 0 }).ok, false);
    assert.equal(checkSettingsDocument([]).ok, false);
  });

  /** Whether conf, opening a file with this content, finds it valid. */
  function confAccepts(dir: string, doc: unknown): boolean {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(doc));
    try {
      new Conf<SettingsDocument>({ cwd: dir, configName: 'settings', schema: CONF_SCHEMA });
      return true;
    } catch (e) {
      if (!(e instanceof Error && e.message.startsWith('Config schema violation'))) throw e;
      return false;
    }
  }

  test('the guards and the JSON schema that conf enforces on writes agree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guards-schema-'));
    try {
      const settings = { ...DEFAULT_SETTINGS };
      const samples: unknown[] = [
        { schemaVersion: 1, settings, identities: [sampleIdentity()] },
        { schemaVersion: 1, settings, identities: [sampleIdentity({ userId: 'u', expiredAt: 1, refreshTokenExpiry: { kind: 'never' } })] },
        { schemaVersion: 1, settings, identities: [sampleIdentity({ accessTokenExpiresAt: null, refreshTokenExpiry: { kind: 'none' } })] },
        ...BAD_IDENTITY_FIELDS.map(([k, v]) => ({ schemaVersion: 1, settings, identities: [withField(k, v)] })),
        { schemaVersion: 1, settings: { ...settings, theme: 'purple' }, identities: [] },
        { schemaVersion: 1, settings: { ...settings, warningThresholds: [5, 5] }, identities: [] },
        { schemaVersion: 1, settings: { ...settings, clipboardClearSeconds: -1 }, identities: [] },
        { schemaVersion: 1.5, settings, identities: [] },
        { schemaVersion: 2 ** 53, settings, identities: [] },
        { schemaVersion: 1, settings: { ...settings, clipboardClearSeconds: 0, warningThresholds: [31_536_000, 1] }, identities: [] },
        { schemaVersion: 1, settings: { ...settings, clipboardClearSeconds: 3_601 }, identities: [] },
        { schemaVersion: 1, settings: { ...settings, warningThresholds: [31_536_001] }, identities: [] },
        { schemaVersion: 1, settings: { ...settings, warningThresholds: Array.from({ length: 11 }, (_, i) => i + 1) }, identities: [] },
        { schemaVersion: 1, settings, identities: [sampleIdentity({ label: '💥'.repeat(200) })] },
        { schemaVersion: 1, settings, identities: [sampleIdentity({ label: '💥'.repeat(201) })] },
      ];
      for (const sample of samples) {
        const doc: unknown = JSON.parse(JSON.stringify(sample)); // what a file can hold
        const guard = checkSettingsDocument(doc);
        assert.equal(confAccepts(dir, doc), guard.ok, `${JSON.stringify(doc).slice(0, 300)} → guard says ${guard.ok ? 'ok' : guard.problem}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the guards are stricter than the schema only where JSON Schema cannot say the rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guards-schema-'));
    try {
      const byDesign: Array<[unknown, string]> = [
        [{ identities: [sampleIdentity(), sampleIdentity()] }, 'identities[1].id repeats the id of an earlier identity'],
        [{ identities: [sampleIdentity({ issuer: 'https://exa mple.org' })] }, 'identities[0].issuer must be an http(s) URL'],
      ];
      for (const [doc, problem] of byDesign) {
        assert.equal(confAccepts(dir, doc), true);
        assert.deepEqual(checkSettingsDocument(doc), { ok: false, problem });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
