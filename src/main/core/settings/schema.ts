/**
 * The settings file's shape: the document type, limits, the JSON schema conf checks on every
 * write, and conf's migrations. The settings themselves (types, defaults, allowed values) are
 * declared once in src/shared/settings.ts; their part of the schema is derived from there. The
 * hand-written guards (./guards.ts) check the same rules on every read, without ajv, so the CLI's
 * fast path stays cheap; tests keep the two in agreement.
 */
import type { Options, Schema } from 'conf';
import type { Identity } from '../../../shared/model.ts';
import { defaultSettings, IDENTITY_ID_PATTERN, SETTING_KEYS, SETTING_RULES, type SettingRule, type Settings } from '../../../shared/settings.ts';

export { defaultSettings, type Settings } from '../../../shared/settings.ts';

/** The whole file. A type alias (not an interface) so it satisfies conf's `Record<string, unknown>`. */
export type SettingsDocument = {
  schemaVersion: number;
  settings: Settings;
  identities: Identity[];
};

/** Format of the file this version writes; bump it together with a new entry in MIGRATIONS. */
export const SCHEMA_VERSION = 1;
/** conf tracks migrations by semver: format N is version N.0.0. */
export const PROJECT_VERSION = `${SCHEMA_VERSION}.0.0`;

export function defaultDocument(): SettingsDocument {
  return { schemaVersion: SCHEMA_VERSION, settings: defaultSettings(), identities: [] };
}

/** Bounds that keep a hostile or damaged file from costing memory or time. */
export const LIMITS = {
  fileBytes: 4 * 1024 * 1024,
  identities: 500,
  text: 512,
  label: 200,
  url: 2_048,
  scopes: 64,
  scope: 256,
  warningsSent: 64,
} as const;

type ValueSchema = Schema<SettingsDocument>['settings'];

/** A setting's part of the schema, from its rule (the values the file may hold). */
function settingSchema(rule: SettingRule): ValueSchema {
  switch (rule.kind) {
    case 'flag':
      return { type: 'boolean' };
    case 'seconds':
      return { type: 'integer', minimum: rule.stored.min, maximum: rule.stored.max };
    case 'seconds-list':
      return { type: 'array', maxItems: rule.maxItems, uniqueItems: true, items: { type: 'integer', minimum: rule.stored.min, maximum: rule.stored.max } };
    case 'choice':
      return { enum: [...rule.values] };
  }
}

/** No control characters, as the guards say. */
const printable = '^[^\\u0000-\\u001f\\u007f]+$';
const text = { type: 'string', minLength: 1, maxLength: LIMITS.text, pattern: printable } as const;
const url = { type: 'string', minLength: 1, maxLength: LIMITS.url, pattern: '^https?://[^\\u0000-\\u001f\\u007f]+$' } as const;
const epochMs = { type: 'number', minimum: 0 } as const;
const epochMsOrNull = { anyOf: [epochMs, { type: 'null' }] } as const;

/** conf's JSON schema (the `properties` of the root). Unknown keys are tolerated, for newer files. */
export const CONF_SCHEMA: Schema<SettingsDocument> = {
  schemaVersion: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  settings: {
    type: 'object',
    properties: Object.fromEntries(SETTING_KEYS.map((key) => [key, settingSchema(SETTING_RULES[key])])),
  },
  identities: {
    type: 'array',
    maxItems: LIMITS.identities,
    items: {
      type: 'object',
      required: ['id', 'label', 'kind', 'flow', 'backendUrl', 'apiUrl', 'providerId', 'issuer', 'clientId', 'scopes', 'jwtBearer', 'createdAt', 'accessTokenExpiresAt', 'accessTokenObtainedAt', 'refreshTokenExpiry', 'refreshTokenObtainedAt', 'warningsSent'],
      properties: {
        id: { type: 'string', pattern: IDENTITY_ID_PATTERN.source },
        label: { type: 'string', minLength: 1, maxLength: LIMITS.label, pattern: printable },
        kind: { enum: ['personal', 'client-credentials'] },
        flow: { enum: ['device', 'browser', 'client-credentials'] },
        backendUrl: url,
        apiUrl: url,
        providerId: text,
        issuer: url,
        clientId: text,
        scopes: { type: 'array', maxItems: LIMITS.scopes, items: { type: 'string', minLength: 1, maxLength: LIMITS.scope, pattern: '^[^\\s\\u0000-\\u001f\\u007f]+$' } },
        jwtBearer: { type: 'boolean' },
        userId: text,
        subject: text,
        createdAt: epochMs,
        accessTokenExpiresAt: epochMsOrNull,
        accessTokenObtainedAt: epochMsOrNull,
        refreshTokenExpiry: {
          oneOf: [
            { type: 'object', required: ['kind', 'at'], properties: { kind: { const: 'at' }, at: epochMs, end: { enum: ['fixed', 'sliding'] }, idleMs: epochMs, maxAt: epochMs } },
            { type: 'object', required: ['kind'], properties: { kind: { enum: ['never', 'unknown', 'none'] } } },
          ],
        },
        refreshTokenObtainedAt: epochMsOrNull,
        warningsSent: { type: 'array', maxItems: LIMITS.warningsSent, items: epochMs },
        expiredAt: epochMs,
        pythonSync: {
          type: 'object',
          required: ['enabled', 'fingerprint', 'writtenAt'],
          properties: {
            enabled: { type: 'boolean' },
            fingerprint: { oneOf: [{ type: 'null' }, { type: 'string', pattern: '^[0-9a-f]{64}$' }] },
            writtenAt: epochMsOrNull,
          },
        },
        scripts: {
          type: 'object',
          required: ['allowed', 'ask'],
          properties: { allowed: { type: 'boolean' }, ask: { type: 'boolean' } },
        },
      },
    },
  },
};

/**
 * conf's migrations, keyed by the format's semver. Each runs once per file, in order, when the
 * app opens a file of an older format (conf records the last one in `__internal__`).
 */
export const MIGRATIONS: NonNullable<Options<SettingsDocument>['migrations']> = {
  // Format 1. A file from before formats were numbered only needs the number; the guards fill
  // in missing settings with their defaults on every read.
  '1.0.0': (store) => {
    store.set('schemaVersion', 1);
  },
};
