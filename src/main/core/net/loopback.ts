/**
 * The rule every network address in the core must pass, for identity providers and backends
 * alike: `https:`, or plain `http:` only to this machine (a loopback address).
 */
import { AuthTrayError } from '../errors.ts';
import { redact } from '../../../shared/redact.ts';
import { capText, trimTrailingSlashes } from '../../../shared/format/peer-text.ts';

/**
 * True for hosts that can only mean this machine: 127.0.0.0/8, `::1` (with or without
 * brackets) and `localhost`. Expects a URL's hostname; other spellings of these addresses
 * (`127.1`, `0:0::1`) are normalised first. Not `*.localhost`: RFC 6761 asks resolvers to keep
 * those local, but glibc sends them to the DNS server like any name, so whoever answers
 * could receive tokens sent in clear text.
 */
export function isLoopbackHost(hostname: string): boolean {
  let host = hostname.trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === 'localhost') return true;
  if (!host.startsWith('[') && host.includes(':')) host = `[${host}]`;
  let canonical: string;
  try {
    canonical = new URL(`http://${host}/`).hostname;
  } catch {
    return false;
  }
  if (canonical === '[::1]') return true;
  const octets = canonical.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * Parses `url` and checks it is safe to talk to: `https:`, or `http:` to a loopback host.
 * Used for every address a peer gives us (API URLs, issuers, OIDC endpoints).
 * `what` names it in the message, e.g. "the issuer of login provider 'CDSE'".
 *
 * @throws AuthTrayError `INVALID_URL` or `INSECURE_URL`.
 */
export function assertSecureUrl(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new AuthTrayError('INVALID_URL', `The address of ${what} ("${shorten(url)}") is not a valid absolute web address.`, {
      cause,
      nextStep: 'Check the address; if it came from the backend, tell the backend operators.',
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new AuthTrayError('INVALID_URL', `The address of ${what} uses "${parsed.protocol.slice(0, -1)}", not https.`, {
      nextStep: 'Only https addresses can be used; if it came from the backend, tell the backend operators.',
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new AuthTrayError('INVALID_URL', `The address of ${what} contains a user name or password.`, {
      nextStep: 'Use the address without the part before "@".',
    });
  }
  assertTransportAllowed(parsed, what);
  return parsed;
}

/** Throws INSECURE_URL for plain `http:` to another machine. */
export function assertTransportAllowed(url: URL, what: string): void {
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new AuthTrayError(
      'INSECURE_URL',
      `The address of ${what} (${url.host}) uses plain http, which would send your login tokens unencrypted over the network.`,
      { nextStep: `Use https://${url.host}${trimTrailingSlashes(url.pathname)} instead; plain http is allowed only for this computer (localhost, 127.0.0.1, ::1).` },
    );
  }
}


/**
 * Echo of user or peer input for a message: token-shaped parts and any `user:password@` part
 * masked, then capped (masking first: a token cut short no longer looks like one).
 */
export function shorten(text: string): string {
  const masked = redact(capText(text, 4096)).replace(/^([^/]*\/\/)?[^/@\s]*@/, (_m, scheme: string | undefined) => `${scheme ?? ''}…@`);
  return masked.length > 80 ? `${masked.slice(0, 77)}...` : masked;
}
