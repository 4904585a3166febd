/**
 * What users type as a backend address, turned into one canonical URL, and the rule every
 * network address in the core must pass: `https:`, or plain `http:` only to this machine.
 *
 * Bare hosts always become `https://`, loopback ones too (`localhost:8080` →
 * `https://localhost:8080`): guessing `http` for some hosts would make the same input mean
 * different things. A local test backend without TLS is typed with its scheme,
 * `http://127.0.0.1:8080`.
 */
import { AuthTrayError } from '../errors.ts';
import { redact } from '../../../shared/redact.ts';
import { capText, trimTrailingSlashes } from '../../../shared/format/peer-text.ts';

/** Longer inputs are not addresses but pasted text. */
const MAX_URL_LENGTH = 2048;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

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
 * Canonical backend URL from what a person typed: trimmed, `https://` added to a bare host,
 * host lower-cased, default port and trailing slashes removed, fragment dropped.
 *
 * @throws AuthTrayError `INVALID_URL` (not a web address, a scheme other than http(s),
 *   a user name or password inside it, a `?query`), `INSECURE_URL` (`http:` to another machine).
 */
export function normaliseBackendUrl(input: string): string {
  const typed = input.trim();
  if (typed === '') {
    throw new AuthTrayError('INVALID_URL', 'No backend address was given.', {
      nextStep: 'Enter the address of an openEO backend, for example openeo.dataspace.copernicus.eu.',
    });
  }
  if (typed.length > MAX_URL_LENGTH) {
    throw new AuthTrayError('INVALID_URL', `That backend address is too long (over ${MAX_URL_LENGTH} characters).`, {
      nextStep: 'Enter only the address of the openEO backend, for example openeo.dataspace.copernicus.eu.',
    });
  }
  const withScheme = SCHEME.test(typed) ? typed : typed.startsWith('//') ? `https:${typed}` : `https://${typed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new AuthTrayError('INVALID_URL', `"${shorten(typed)}" is not a web address.`, {
      cause,
      nextStep: 'Enter the address of an openEO backend, for example openeo.dataspace.copernicus.eu.',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AuthTrayError('INVALID_URL', `An openEO backend is reached over https, not "${url.protocol.slice(0, -1)}".`, {
      nextStep: 'Enter an address that starts with https://, or just the host name.',
    });
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo the address: the part before '@' may be a password.
    throw new AuthTrayError('INVALID_URL', 'The backend address contains a user name or password.', {
      nextStep: `Remove the part before "@" and enter only ${suggestion(url)}; you sign in separately.`,
    });
  }
  if (url.hostname === '') {
    throw new AuthTrayError('INVALID_URL', `"${shorten(typed)}" has no host name.`, {
      nextStep: 'Enter the address of an openEO backend, for example openeo.dataspace.copernicus.eu.',
    });
  }
  if (url.search !== '') {
    throw new AuthTrayError('INVALID_URL', `The backend address "${shorten(typed)}" has a "?…" part, which an openEO backend address never has.`, {
      nextStep: `Enter it without the "?…" part: ${suggestion(url)}.`,
    });
  }
  assertTransportAllowed(url, 'the backend');
  const canonical = `${url.origin}${stripTrailingSlashes(url.pathname)}`;
  // Percent-encoding can make the address much longer than what was typed; it must still fit the settings file.
  if (canonical.length > MAX_URL_LENGTH) {
    throw new AuthTrayError('INVALID_URL', `That backend address is too long once written out (over ${MAX_URL_LENGTH} characters).`, {
      nextStep: 'Enter only the address of the openEO backend, for example openeo.dataspace.copernicus.eu.',
    });
  }
  return canonical;
}

/** The address to propose instead of a refused one: never one that would be refused as plain http. */
function suggestion(url: URL): string {
  const scheme = url.protocol === 'http:' && !isLoopbackHost(url.hostname) ? 'https:' : url.protocol;
  return `${scheme}//${url.host}${stripTrailingSlashes(url.pathname)}`;
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

function assertTransportAllowed(url: URL, what: string): void {
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new AuthTrayError(
      'INSECURE_URL',
      `The address of ${what} (${url.host}) uses plain http, which would send your login tokens unencrypted over the network.`,
      { nextStep: `Use https://${url.host}${stripTrailingSlashes(url.pathname)} instead; plain http is allowed only for this computer (localhost, 127.0.0.1, ::1).` },
    );
  }
}

function stripTrailingSlashes(path: string): string {
  return trimTrailingSlashes(path);
}

/**
 * Echo of user or peer input for a message: token-shaped parts and any `user:password@` part
 * masked, then capped (masking first: a token cut short no longer looks like one).
 */
function shorten(text: string): string {
  const masked = redact(capText(text, 4096)).replace(/^([^/]*\/\/)?[^/@\s]*@/, (_m, scheme: string | undefined) => `${scheme ?? ''}…@`);
  return masked.length > 80 ? `${masked.slice(0, 77)}...` : masked;
}
