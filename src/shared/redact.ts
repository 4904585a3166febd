/**
 * Redaction of secrets from any text that may reach a log, an error message or the screen.
 *
 * Two layers: every secret this process handles is registered (exact-match removal), and
 * token-shaped strings (JWTs, bearer values, long opaque tokens) are masked by pattern,
 * so a secret we never saw (e.g. in an IdP's error body) is still hidden.
 *
 * Both layers are bounded, because a tray runs for months and peers choose what it reads:
 * the registry keeps the {@link MAX_REGISTERED_SECRETS} most recently used secrets (every live
 * token is registered again each time it is read or rotated, so only spent ones fall out), and
 * every pattern is linear in the length of the text, which is itself capped at
 * {@link MAX_REDACTED_LENGTH}.
 */

/** The registry's bound: far more than the live secrets of a tray with dozens of logins. */
export const MAX_REGISTERED_SECRETS = 1024;
/** Longer texts are cut (with a note) before any pattern runs over them. */
export const MAX_REDACTED_LENGTH = 65_536;

/** Registered secrets, least recently used first (a Map keeps insertion order). */
const known = new Map<string, true>();

/**
 * Remember a secret so that {@link redact} removes it wherever it appears. Short values are
 * ignored. Registering a known secret again marks it as recently used.
 */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < 8) return;
  known.delete(value);
  known.set(value, true);
  if (known.size > MAX_REGISTERED_SECRETS) {
    const oldest = known.keys().next();
    if (!oldest.done) known.delete(oldest.value);
  }
}

/** How many secrets are registered now (for the bound's test and the soak). */
export function registeredSecretCount(): number {
  return known.size;
}

/** Forget every registered secret (tests only). */
export function clearRegisteredSecrets(): void {
  known.clear();
}

// Every pattern starts only where a run of its characters starts (a look-behind on the run's own
// class): from a start inside a run, each attempt would scan to the run's end again, and text such
// as "eyJ-eyJ-eyJ-…" made the old `\beyJ…` take quadratic time (32 KB: a quarter of a second).
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g;
const OIDC_BEARER = /\boidc\/([\w]{1,20})\/[^\s"'<>]+/g;
const BEARER = /\b(Bearer|Basic)\s+[^\s"'<>]+/gi;
const FIELD = /("?(?:access_token|refresh_token|id_token|client_secret|code_verifier|device_code|password|token)"?\s*[:=]\s*"?)([^\s"&,}]+)/gi;
const LONG_OPAQUE = /(?<![\w-])[\w-]{40,}(?![\w-])/g;

/**
 * Returns `text` with every registered secret and every token-shaped value replaced by a marker.
 * `opaqueRuns: false` keeps long runs of word characters that have no token's shape (a script's
 * 200-character snake_case name): then only registered secrets, JWTs, bearer values and
 * `token=…` fields go.
 */
export function redact(text: string, opts: { opaqueRuns?: boolean } = {}): string {
  let out = text;
  if (out.length > MAX_REDACTED_LENGTH) {
    // Cut inside a token, the rest of it could escape the patterns: drop up to the last space.
    const cut = out.lastIndexOf(' ', MAX_REDACTED_LENGTH);
    const end = cut > MAX_REDACTED_LENGTH - 256 ? cut : MAX_REDACTED_LENGTH;
    out = `${out.slice(0, end)} […${out.length - end} more characters left out]`;
  }
  for (const secret of known.keys()) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  out = out
    .replace(JWT, '[redacted-jwt]')
    .replace(OIDC_BEARER, 'oidc/$1/[redacted]')
    .replace(BEARER, '$1 [redacted]')
    .replace(FIELD, '$1[redacted]');
  return opts.opaqueRuns === false ? out : out.replace(LONG_OPAQUE, '[redacted]');
}
