/**
 * One identity id rule: the settings file's schema (conf, on write), its read guards and the IPC
 * guards accept exactly the same ids, the ones the app makes included. A second pattern anywhere
 * makes one of these fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Conf from 'conf';
import fc from 'fast-check';
import { checkIdentity } from '../../../src/main/core/settings/guards.ts';
import { CONF_SCHEMA, type SettingsDocument } from '../../../src/main/core/settings/schema.ts';
import { newIdentityId } from '../../../src/main/core/session/identity-records.ts';
import { guardArgs } from '../../../src/shared/guards.ts';
import { IDENTITY_ID_MAX_LENGTH, IDENTITY_ID_PATTERN } from '../../../src/shared/settings.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';

/** Strings near the rule: the characters any id pattern might allow or refuse, at all lengths up to past the cap. */
const candidate = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'az09AZ-_. /\\:~é\u0000'), maxLength: IDENTITY_ID_MAX_LENGTH + 3 }),
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{60,66}$/),
  fc.string({ maxLength: 8 }),
);

test('the schema, the read guards and the IPC guards accept the same identity ids', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'identity-id-'));
  try {
    const conf = new Conf<SettingsDocument>({ cwd: dir, configName: 'settings', schema: CONF_SCHEMA });
    const schemaAccepts = (id: string): boolean => {
      try {
        conf.store = { identities: [sampleIdentity({ id })] } as unknown as SettingsDocument;
        return true;
      } catch (e) {
        if (!(e instanceof Error && e.message.startsWith('Config schema violation'))) throw e;
        return false;
      }
    };
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (id) => {
        const expected = IDENTITY_ID_PATTERN.test(id);
        if (expected) accepted++;
        const answers = {
          schema: schemaAccepts(id),
          readGuard: checkIdentity(sampleIdentity({ id })).ok,
          storeGuard: checkIdentity(sampleIdentity({ id }), 'identity', true).ok,
          refreshNow: guardArgs('refreshNow', [id]).ok,
          copy: guardArgs('copy', [id, 'bearer']).ok,
          login: guardArgs('startDeviceLogin', [{ backendUrl: 'https://openeo.example', identityId: id }]).ok,
        };
        for (const [where, ok] of Object.entries(answers)) assert.equal(ok, expected, `${where} ${ok ? 'accepts' : 'refuses'} ${JSON.stringify(id)}`);
      }),
      { numRuns: 1_000 },
    );
    assert.ok(accepted > 100, `only ${accepted} candidates were ids`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every id the app makes passes the rule', () => {
  fc.assert(
    fc.property(fc.oneof(fc.webUrl(), fc.string()), fc.oneof(fc.constantFrom('', 'CDSE', 'egi', 'Ünï çødé', '__proto__'), fc.string({ maxLength: 40 })), (backendUrl, providerId) => {
      const id = newIdentityId(backendUrl, providerId, new Set());
      assert.match(id, IDENTITY_ID_PATTERN);
    }),
    { numRuns: 2_000 },
  );
  assert.match(newIdentityId('https://openeo.dataspace.copernicus.eu', 'CDSE', new Set()), IDENTITY_ID_PATTERN);
});

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('the id pattern is declared once, and the schema uses it as it is', () => {
  const declaring = sourceFiles(SRC).filter((f) => /\bIDENTITY_ID_PATTERN\s*=/.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f).split(sep).join('/'));
  assert.deepEqual(declaring, ['shared/settings.ts']);
  const items = (CONF_SCHEMA.identities as { items: { properties: { id: { pattern: string } } } }).items;
  assert.equal(items.properties.id.pattern, IDENTITY_ID_PATTERN.source);
  // The IPC guard's length cap is the pattern's.
  assert.ok(IDENTITY_ID_PATTERN.test('a'.repeat(IDENTITY_ID_MAX_LENGTH)) && !IDENTITY_ID_PATTERN.test('a'.repeat(IDENTITY_ID_MAX_LENGTH + 1)));
});
