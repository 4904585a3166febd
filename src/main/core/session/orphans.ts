/**
 * Keychain entries that belong to no login (their settings entry was damaged and set aside, or an
 * older version lost it), and whether a login can be rebuilt for them from what was set aside
 * (`settings.json.damaged-*`, `settings.json.corrupt-*` in the settings folder). `doctor` lists
 * them and adopts or deletes them, so a damaged settings file never orphans a secret for good.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity, SecretKind } from '../../../shared/model.ts';
import { stripControls } from '../../../shared/format/peer-text.ts';
import { IDENTITY_ID_PATTERN } from '../../../shared/settings.ts';
import { checkIdentity } from '../settings/guards.ts';
import { LIMITS } from '../settings/schema.ts';
import { SETTINGS_FILE_NAME } from '../settings/settings-file.ts';

const KINDS: readonly SecretKind[] = ['refresh_token', 'access_token', 'client_secret'];
const MAX_ASIDE_FILES = 50;

export interface Orphan {
  id: string;
  /** The secrets the keychain holds for it. */
  kinds: SecretKind[];
  /** A login rebuilt from a set-aside entry (text repaired), or null. */
  rebuilt: Identity | null;
  /** The file it was rebuilt from. */
  from: string | null;
}

/** Ids of logins as the keychain's account names tell them (`<id>/<kind>`). */
export function secretsById(accounts: readonly string[]): Map<string, SecretKind[]> {
  const out = new Map<string, SecretKind[]>();
  for (const account of accounts) {
    const slash = account.lastIndexOf('/');
    const id = account.slice(0, slash);
    const kind = account.slice(slash + 1) as SecretKind;
    if (slash < 1 || !IDENTITY_ID_PATTERN.test(id) || !KINDS.includes(kind)) continue;
    out.set(id, [...(out.get(id) ?? []), kind]);
  }
  return out;
}

/** Text a hand edit may have broken (a tab, a newline), made plain again; the rest must check as it is. */
function repaired(entry: unknown): Identity | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  const e: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
  for (const [key, max] of [['label', LIMITS.label], ['providerId', LIMITS.text], ['clientId', LIMITS.text], ['userId', LIMITS.text], ['subject', LIMITS.text]] as const) {
    if (typeof e[key] === 'string') {
      const text = stripControls(e[key]).replace(/\s+/g, ' ').trim().slice(0, max);
      if (text) e[key] = text;
      else delete e[key];
    }
  }
  const checked = checkIdentity(e);
  return checked.ok ? checked.value : null;
}

/** Every identity entry found in the files set aside in `dir`, newest file first. */
function setAsideEntries(dir: string): Array<{ entry: unknown; file: string }> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(`${SETTINGS_FILE_NAME}.damaged-`) || n.startsWith(`${SETTINGS_FILE_NAME}.corrupt-`));
  } catch {
    return [];
  }
  const files = names.map((n) => join(dir, n)).filter((f) => {
    try {
      const st = statSync(f);
      return st.isFile() && st.size <= LIMITS.fileBytes;
    } catch {
      return false;
    }
  });
  files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const out: Array<{ entry: unknown; file: string }> = [];
  for (const file of files.slice(0, MAX_ASIDE_FILES)) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const o = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
    const entries = Array.isArray(o.damaged) ? o.damaged.map((d: unknown) => (d as { entry?: unknown } | null)?.entry) : Array.isArray(o.identities) ? o.identities : [];
    for (const entry of entries.slice(0, LIMITS.identities)) out.push({ entry, file });
  }
  return out;
}

/** The keychain's logins that the settings file does not have, each with a rebuilt login when one can be had. */
export function findOrphans(accounts: readonly string[], known: readonly Identity[], settingsFolder: string): Orphan[] {
  const have = new Set(known.map((i) => i.id));
  const byId = secretsById(accounts);
  const aside = setAsideEntries(settingsFolder);
  const orphans: Orphan[] = [];
  for (const [id, kinds] of byId) {
    if (have.has(id)) continue;
    let rebuilt: Identity | null = null;
    let from: string | null = null;
    for (const { entry, file } of aside) {
      const candidate = (entry as { id?: unknown } | null)?.id === id ? repaired(entry) : null;
      if (candidate) {
        rebuilt = candidate;
        from = file;
        break;
      }
    }
    orphans.push({ id, kinds, rebuilt, from });
  }
  return orphans.sort((a, b) => a.id.localeCompare(b.id));
}
