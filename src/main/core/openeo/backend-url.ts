/**
 * What users type as a backend address, turned into one canonical URL that passes the rule every
 * network address in the core must pass (net/loopback.ts).
 *
 * Bare hosts always become `https://`, loopback ones too (`localhost:8080` →
 * `https://localhost:8080`): guessing `http` for some hosts would make the same input mean
 * different things. A local test backend without TLS is typed with its scheme,
 * `http://127.0.0.1:8080`.
 */
import { AuthTrayError } from '../errors.ts';
import { trimTrailingSlashes } from '../../../shared/format/peer-text.ts';
import { assertTransportAllowed, isLoopbackHost, shorten } from '../net/loopback.ts';


/** Longer inputs are not addresses but pasted text. */
const MAX_URL_LENGTH = 2048;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

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
  const canonical = `${url.origin}${trimTrailingSlashes(url.pathname)}`;
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
  return `${scheme}//${url.host}${trimTrailingSlashes(url.pathname)}`;
}

