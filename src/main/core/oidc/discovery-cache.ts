/**
 * The issuers' discovery documents (public data): the one cache of them. This process keeps them
 * in memory, and (with a folder, the settings folder's `cache/discovery/`) in files, so that a
 * one-shot CLI refresh does not run discovery every time. An entry is used for at most
 * {@link DISCOVERY_MAX_AGE_MS}; it is dropped on any failed refresh and when the IdP starts
 * signing with another key (a new `kid`), so the next use discovers afresh. A damaged, oversized
 * or foreign file is ignored. Files are written atomically, mode 0600, in a 0700 folder.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../ports.ts';
import { isLoopbackHost } from '../net/loopback.ts';

/** Discovery documents are refetched after this long at the latest. */
export const DISCOVERY_MAX_AGE_MS = 24 * 60 * 60_000;
/** Keycloak's document is about 7 KiB; anything far larger is not one. */
const MAX_FILE_BYTES = 256 * 1024;

export interface CachedDiscovery {
  /** The discovery document as fetched (openid-client's ServerMetadata). */
  metadata: Record<string, unknown>;
  fetchedAt: number;
  /** The `kid` of the last access token seen from this issuer. */
  kid?: string;
}

/** What connectIssuer and the token service need of the cache. */
export interface DiscoveryCache {
  /** A fresh-enough document for `issuer`, or null. */
  get(issuer: string): CachedDiscovery | null;
  put(issuer: string, metadata: Record<string, unknown>): void;
  /** Forget the document: the next use discovers again. */
  forget(issuer: string): void;
  /** An access token from `issuer` was signed with `kid`: a different key than before drops the document. */
  noteSigningKey(issuer: string, kid: string | undefined): void;
}

function isEndpoint(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > 2048) return false;
  try {
    const url = new URL(v);
    // Plain http only to this machine, as for every address the core talks to.
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

/**
 * A cache in memory and, with `dir`, in files there (created on first write). Every failure to
 * read or write a file is a cache miss, never an error.
 */
export function createDiscoveryCache(dir: string | null, clock: Clock, maxAgeMs = DISCOVERY_MAX_AGE_MS): DiscoveryCache {
  const fileOf = (issuer: string) => join(dir ?? '', fileNameOf(issuer));
  /**
   * The documents this process has parsed, each with the stamp of the file it came from: used
   * while the file is unchanged (one stat instead of a read and a parse per refresh), dropped as
   * soon as another process replaced or removed the file (a failed refresh there forgets it).
   */
  const memory = new Map<string, { entry: CachedDiscovery & { issuer: string }; stamp: string }>();
  const stampOf = (file: string): string | null => {
    try {
      const st = statSync(file);
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return null;
    }
  };

  const read = (issuer: string): (CachedDiscovery & { issuer: string }) | null => {
    const kept = memory.get(issuer);
    if (dir === null) return kept?.entry ?? null;
    const file = fileOf(issuer);
    const stamp = stampOf(file);
    if (kept && stamp === kept.stamp) return kept.entry;
    memory.delete(issuer);
    if (stamp === null) return null;
    try {
      if (statSync(file).size > MAX_FILE_BYTES) return null;
      const entry = JSON.parse(readFileSync(file, 'utf8')) as Partial<CachedDiscovery & { issuer: string }>;
      const m = entry.metadata;
      if (entry.issuer !== issuer || typeof entry.fetchedAt !== 'number' || !m || typeof m !== 'object') return null;
      if (m.issuer !== issuer || !isEndpoint(m.token_endpoint)) return null;
      const found = { issuer, metadata: m, fetchedAt: entry.fetchedAt, ...(typeof entry.kid === 'string' ? { kid: entry.kid } : {}) };
      memory.set(issuer, { entry: found, stamp });
      return found;
    } catch {
      return null;
    }
  };

  const write = (entry: CachedDiscovery & { issuer: string }): void => {
    if (dir === null) {
      memory.set(entry.issuer, { entry, stamp: '' });
      return;
    }
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = fileOf(entry.issuer);
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
      renameSync(tmp, file);
      const stamp = stampOf(file);
      if (stamp) memory.set(entry.issuer, { entry, stamp });
    } catch {
      // A cache that cannot be written only costs a discovery next time.
    }
  };

  return {
    get(issuer) {
      const entry = read(issuer);
      if (!entry) return null;
      const age = clock.now() - entry.fetchedAt;
      // A document "from the future" means the clock went back: do not trust its age.
      if (age < 0 || age > maxAgeMs) return null;
      return { metadata: entry.metadata, fetchedAt: entry.fetchedAt, ...(entry.kid ? { kid: entry.kid } : {}) };
    },
    put(issuer, metadata) {
      const kid = read(issuer)?.kid;
      write({ issuer, metadata, fetchedAt: clock.now(), ...(kid ? { kid } : {}) });
    },
    forget(issuer) {
      memory.delete(issuer);
      if (dir === null) return;
      try {
        rmSync(fileOf(issuer), { force: true });
      } catch {
        // An entry that cannot be removed is replaced at the next discovery.
      }
    },
    noteSigningKey(issuer, kid) {
      if (!kid) return;
      const entry = read(issuer);
      if (!entry || entry.kid === kid) return;
      if (entry.kid !== undefined) {
        this.forget(issuer);
        return;
      }
      write({ ...entry, kid });
    },
  };
}

/**
 * A file name for an issuer: its readable part plus a 32-bit FNV-1a hash of the whole (no crypto
 * module: the CLI's cached-token path must not load one). A collision only costs a cache miss:
 * every entry names its issuer and is checked against it.
 */
function fileNameOf(issuer: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < issuer.length; i++) hash = Math.imul(hash ^ issuer.charCodeAt(i), 0x01000193) >>> 0;
  const readable = issuer.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 80);
  return `${readable}-${hash.toString(16).padStart(8, '0')}.json`;
}

/** The `kid` in a JWT's header, when the token is one. Decoded only (nothing is verified here). */
export function jwtKeyId(token: string): string | undefined {
  const header = token.split('.')[0];
  if (!header || token.split('.').length !== 3) return undefined;
  try {
    const kid = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: unknown }).kid;
    return typeof kid === 'string' && kid.length <= 256 ? kid : undefined;
  } catch {
    return undefined;
  }
}
