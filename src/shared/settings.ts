/**
 * Every setting, declared once: its type, its default and the values it may take. Derived from
 * it: the `Settings` type and the defaults (here), conf's JSON schema and the read guards of the
 * settings file (src/main/core/settings), the IPC guard (./guards.ts) and the settings page.
 * The window bundles this module, so it imports nothing.
 *
 * Numbers have two ranges. `stored` is what the settings file may hold: wide, because a value
 * out of range makes the whole file "damaged", and a file edited by hand must still load.
 * `offered` (inside `stored`) is what the settings page offers and the IPC guard accepts.
 */

const DAY = 86_400;

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** Whole numbers from `min` to `max`, both included. */
export interface Bounds {
  readonly min: number;
  readonly max: number;
}

export type SettingRule =
  | { readonly kind: 'flag'; readonly default: boolean }
  | { readonly kind: 'seconds'; readonly default: number; readonly stored: Bounds; readonly offered: Bounds }
  /** Distinct values, kept largest first. */
  | { readonly kind: 'seconds-list'; readonly default: readonly number[]; readonly maxItems: number; readonly stored: Bounds; readonly offered: Bounds }
  | { readonly kind: 'choice'; readonly default: string; readonly values: readonly string[] };

export const SETTING_RULES = {
  notificationsEnabled: { kind: 'flag', default: true },
  /** Seconds before a refresh token expires at which to warn, largest first. */
  warningThresholds: {
    kind: 'seconds-list',
    default: [7 * DAY, DAY, 3_600],
    maxItems: 10,
    stored: { min: 1, max: 365 * DAY },
    offered: { min: 60, max: 90 * DAY },
  },
  /** Seconds after which a copied token is cleared from the clipboard; 0 (only by hand, in the file) keeps it. */
  clipboardClearSeconds: { kind: 'seconds', default: 30, stored: { min: 0, max: 3_600 }, offered: { min: 5, max: 600 } },
  startAtLogin: { kind: 'flag', default: false },
  /** Mirror logins into the openEO Python client's token store. */
  pythonSync: { kind: 'flag', default: false },
  theme: { kind: 'choice', default: 'system', values: THEMES },
  /**
   * Look for a new release once a day (and download it; it is installed only after the person
   * read its notes and agreed). Off: only the About page's "Check for updates" looks.
   */
  checkForUpdates: { kind: 'flag', default: true },
} as const satisfies Record<string, SettingRule>;

export type SettingKey = keyof typeof SETTING_RULES;

type ValueOf<R extends SettingRule> = R extends { kind: 'flag' }
  ? boolean
  : R extends { kind: 'seconds' }
    ? number
    : R extends { kind: 'seconds-list' }
      ? number[]
      : R extends { kind: 'choice'; values: readonly (infer T)[] }
        ? T
        : never;

/** What the person can change in the window (the window's `SettingsView` is the same shape). */
export type Settings = { -readonly [K in keyof typeof SETTING_RULES]: ValueOf<(typeof SETTING_RULES)[K]> };

export const SETTING_KEYS = Object.keys(SETTING_RULES) as SettingKey[];

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(
  Object.fromEntries(SETTING_KEYS.map((key) => {
    const value = SETTING_RULES[key].default;
    return [key, Array.isArray(value) ? Object.freeze([...value]) : value];
  })) as Settings,
);

/** The warning thresholds in milliseconds (the file keeps seconds), largest first. */
export function warningThresholdsMs(settings: Pick<Settings, 'warningThresholds'>): number[] {
  return settings.warningThresholds.map((s) => s * 1000);
}

/** A fresh, mutable copy of the default settings. */
export function defaultSettings(): Settings {
  return structuredClone(DEFAULT_SETTINGS);
}

/**
 * Identity ids, as the settings file's schema and guards and the IPC guard all check them. The
 * app makes every id (`cdse-3f9a1c`: lower-case letters, digits and "-"), and no version made
 * others. Ids become parts of keychain account names (`<id>/refresh_token`) and file names
 * (`refresh-<id>.lock`): no separators, no dots, and no upper case, which case-insensitive
 * keychains (Windows) and file systems (macOS, Windows) would fold onto another id.
 */
export const IDENTITY_ID_MAX_LENGTH = 64;
export const IDENTITY_ID_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{0,${IDENTITY_ID_MAX_LENGTH - 1}}$`);
