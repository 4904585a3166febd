/**
 * Redaction of secrets from any text that may reach a log, an error message or the screen.
 *
 * Two layers: every secret this process handles is registered (exact-match removal), and
 * token-shaped strings (JWTs, bearer values, long opaque tokens) are masked by pattern,
 * so a secret we never saw (e.g. in an IdP's error body) is still hidden.
 */

const known = new Set<string>();

/** Remember a secret so that {@link redact} removes it wherever it appears. Short values are ignored. */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value === 'string' && value.length >= 8) known.add(value);
}

/** Forget every registered secret (tests only). */
export function clearRegisteredSecrets(): void {
  known.clear();
}

const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?/g;
const OIDC_BEARER = /\boidc\/([\w]{1,20})\/[^\s"'<>]+/g;
const BEARER = /\b(Bearer|Basic)\s+[^\s"'<>]+/gi;
const FIELD = /("?(?:access_token|refresh_token|id_token|client_secret|code_verifier|device_code|password|token)"?\s*[:=]\s*"?)([^\s"&,}]+)/gi;
const LONG_OPAQUE = /(?<![\w-])[\w-]{40,}(?![\w-])/g;

/** Returns `text` with every registered secret and every token-shaped value replaced by a marker. */
export function redact(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(JWT, '[redacted-jwt]')
    .replace(OIDC_BEARER, 'oidc/$1/[redacted]')
    .replace(BEARER, '$1 [redacted]')
    .replace(FIELD, '$1[redacted]')
    .replace(LONG_OPAQUE, '[redacted]');
}
