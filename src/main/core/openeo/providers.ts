/**
 * The backend's OpenID Connect providers (`GET /credentials/oidc`) and the choice of provider
 * and client for one login, following the openEO Python client's order so that a login made
 * here behaves like one made there.
 */
import { AuthTrayError } from '../errors.ts';
import { capText, trimTrailingSlashes } from '../../../shared/format/peer-text.ts';
import type { DefaultClient, LoginFlow, OidcProvider, OpenEoBackend } from '../../../shared/model.ts';
import { assertSecureUrl } from '../net/loopback.ts';
import { describePeer } from '../net/http-failure.ts';
import { getJson, PeerHttpError, type HttpDeps } from '../net/http.ts';
import {
  ShapeError,
  expectArray,
  expectRecord,
  expectString,
  expectStringArray,
  optionalArray,
  optionalString,
  capitalise,
  parseLinks,
  withShapeCheck,
  MAX_DISPLAY_TEXT,
} from './validate.ts';

/** The spec's provider id pattern, anchored: the id becomes part of `oidc/<id>/<token>`. */
export const PROVIDER_ID = /^[\d\w]{1,20}$/;

/** Longer issuers are not addresses but junk (an issuer is a short https URL). */
const MAX_ISSUER_LENGTH = 2048;

export const GRANT = {
  deviceCode: 'urn:ietf:params:oauth:grant-type:device_code',
  deviceCodePkce: 'urn:ietf:params:oauth:grant-type:device_code+pkce',
  authorizationCode: 'authorization_code',
  authorizationCodePkce: 'authorization_code+pkce',
  refreshToken: 'refresh_token',
} as const;

/**
 * Validates a `/credentials/oidc` answer against the spec.
 * @throws AuthTrayError `NO_OIDC_PROVIDER` (empty list), `BACKEND_INVALID_RESPONSE` naming the
 *   field, `INSECURE_URL` (an issuer on plain http to another machine).
 */
export function parseOidcProviders(body: unknown, source = 'the backend'): OidcProvider[] {
  const document = 'a list of login providers (GET /credentials/oidc)';
  const providers = withShapeCheck(() => {
    const items = expectArray(expectRecord(body, 'the document')['providers'], 'providers');
    const seen = new Set<string>();
    return items.map((item, i) => {
      const provider = parseProvider(item, `providers[${i}]`);
      if (seen.has(provider.id)) throw new ShapeError(`providers[${i}].id`, 'unique', provider.id);
      seen.add(provider.id);
      return provider;
    });
  }, { source, document });
  if (providers.length === 0) {
    throw new AuthTrayError('NO_OIDC_PROVIDER', `${capitalise(source)} lists no OpenID Connect login provider.`, {
      nextStep: 'This app signs in with OpenID Connect only; ask the backend operators how to sign in.',
    });
  }
  for (const p of providers) assertSecureUrl(p.issuer, `the issuer of login provider "${p.id}"`);
  return providers;
}

function parseProvider(item: unknown, at: string): OidcProvider {
  const o = expectRecord(item, at);
  const issuer = trimTrailingSlashes(expectString(o['issuer'], `${at}.issuer`, { nonEmpty: true }).trim());
  if (issuer.length > MAX_ISSUER_LENGTH) throw new ShapeError(`${at}.issuer`, `an address of at most ${MAX_ISSUER_LENGTH} characters`, issuer);
  if (!URL.canParse(issuer) || !/^https?:$/.test(new URL(issuer).protocol)) {
    throw new ShapeError(`${at}.issuer`, 'an absolute https URL', issuer);
  }
  const provider: OidcProvider = {
    id: expectString(o['id'], `${at}.id`, { pattern: PROVIDER_ID, maxLength: 20, patternHint: "1 to 20 letters, digits or '_'" }),
    issuer,
    title: capText(expectString(o['title'], `${at}.title`), MAX_DISPLAY_TEXT),
    scopes: o['scopes'] === undefined || o['scopes'] === null ? [] : expectStringArray(o['scopes'], `${at}.scopes`),
    defaultClients: (optionalArray(o['default_clients'], `${at}.default_clients`) ?? []).map((c, j) =>
      parseDefaultClient(c, `${at}.default_clients[${j}]`),
    ),
    links: parseLinks(o['links'], `${at}.links`),
  };
  const description = optionalString(o['description'], `${at}.description`);
  if (description !== undefined) provider.description = capText(description, MAX_DISPLAY_TEXT);
  return provider;
}

function parseDefaultClient(item: unknown, at: string): DefaultClient {
  const o = expectRecord(item, at);
  const grantTypes = expectStringArray(o['grant_types'], `${at}.grant_types`);
  if (grantTypes.length === 0) throw new ShapeError(`${at}.grant_types`, 'a list with at least one grant type', grantTypes);
  return {
    id: expectString(o['id'], `${at}.id`, { nonEmpty: true }),
    grantTypes,
    redirectUrls: o['redirect_urls'] === undefined || o['redirect_urls'] === null ? [] : expectStringArray(o['redirect_urls'], `${at}.redirect_urls`),
  };
}

/**
 * Reads the providers afresh (the spec: default clients must not be cached long-term).
 * A backend without `/credentials/oidc` (404) is `NO_OIDC_PROVIDER`.
 */
export async function fetchOidcProviders(backend: Pick<OpenEoBackend, 'apiUrl'>, deps: HttpDeps = {}): Promise<OidcProvider[]> {
  try {
    const res = await getJson(`${backend.apiUrl}/credentials/oidc`, { ...deps, peer: 'backend' });
    return parseOidcProviders(res.body, describePeer('backend', new URL(res.url)));
  } catch (e) {
    if (e instanceof PeerHttpError && e.status === 404) {
      throw new AuthTrayError('NO_OIDC_PROVIDER', `The backend at ${new URL(backend.apiUrl).host} does not offer OpenID Connect login.`, {
        cause: e,
        nextStep: 'This app signs in with OpenID Connect only; ask the backend operators how to sign in.',
      });
    }
    throw e;
  }
}

/**
 * Provider for a login: `explicit` > `OPENEO_AUTH_PROVIDER_ID` > the only one > the first
 * (the backend's default). An environment value naming no listed provider is ignored: the
 * variable is machine-wide, and other backends must keep working.
 * @throws AuthTrayError `UNKNOWN_PROVIDER` for an explicit id that is not listed.
 */
export function chooseProvider(providers: OidcProvider[], opts: { explicit?: string; env?: NodeJS.ProcessEnv } = {}): OidcProvider {
  const first = providers[0];
  if (first === undefined) {
    throw new AuthTrayError('NO_OIDC_PROVIDER', 'The backend lists no OpenID Connect login provider.', {
      nextStep: 'Ask the backend operators how to sign in.',
    });
  }
  const explicit = opts.explicit?.trim();
  if (explicit) {
    const found = providers.find((p) => p.id === explicit);
    if (found) return found;
    throw new AuthTrayError('UNKNOWN_PROVIDER', `The backend has no login provider "${explicit}".`, {
      nextStep: `Choose one of: ${providers.map((p) => `${p.id} (${p.title})`).join(', ')}.`,
    });
  }
  const fromEnv = (opts.env ?? process.env)['OPENEO_AUTH_PROVIDER_ID']?.trim();
  const envProvider = fromEnv ? providers.find((p) => p.id === fromEnv) : undefined;
  return envProvider ?? first;
}

/** The client chosen for one login. */
export interface ClientChoice {
  clientId: string;
  /**
   * Send PKCE (S256). Without a secret: always for browser logins and a user's own client;
   * for a default client's device login only when it lists the `+pkce` grant.
   */
  usePkce: boolean;
  /** As listed by the backend; empty for a user's own client (unknown). */
  grantTypes: string[];
  isDefaultClient: boolean;
  redirectUrls: string[];
}

const FLOW_GRANTS: Record<Exclude<LoginFlow, 'client-credentials'>, { plain: string; pkce: string; words: string }> = {
  device: { plain: GRANT.deviceCode, pkce: GRANT.deviceCodePkce, words: 'sign-in with a code (device login)' },
  browser: { plain: GRANT.authorizationCode, pkce: GRANT.authorizationCodePkce, words: 'sign-in in the browser' },
};

/**
 * Client for a login: a user-supplied `clientId` first (PKCE on when it has no secret), else the
 * first default client whose grant types allow `flow` (and `refresh_token` when `wantRefresh`).
 * @throws AuthTrayError `NO_SUITABLE_CLIENT` saying which grant is missing.
 */
export function chooseClient(
  provider: OidcProvider,
  opts: { flow: LoginFlow; wantRefresh: boolean; clientId?: string; hasSecret?: boolean },
): ClientChoice {
  const own = opts.clientId?.trim();
  if (opts.flow === 'client-credentials') {
    if (!own || !opts.hasSecret) {
      throw new AuthTrayError('NO_SUITABLE_CLIENT', 'Client credentials need your own client ID and client secret; the backend\'s default clients have no secret.', {
        nextStep: `Register an OAuth client with ${provider.title} and enter its id and secret.`,
      });
    }
    return { clientId: own, usePkce: false, grantTypes: [], isDefaultClient: false, redirectUrls: [] };
  }
  const grants = FLOW_GRANTS[opts.flow];
  if (own) {
    const listed = provider.defaultClients.find((c) => c.id === own);
    // A public client needs PKCE to be safe; a confidential one authenticates with its secret.
    return {
      clientId: own,
      usePkce: !opts.hasSecret,
      grantTypes: listed?.grantTypes ?? [],
      isDefaultClient: listed !== undefined,
      redirectUrls: listed?.redirectUrls ?? [],
    };
  }
  const allowsFlow = (c: DefaultClient) => c.grantTypes.includes(grants.plain) || c.grantTypes.includes(grants.pkce);
  const fits = (c: DefaultClient) => allowsFlow(c) && (!opts.wantRefresh || c.grantTypes.includes(GRANT.refreshToken));
  const client = provider.defaultClients.find(fits);
  if (client) {
    return {
      clientId: client.id,
      // Browser logins always use PKCE without a secret (OAuth 2.1; servers ignore it if unsupported);
      // device logins only when listed, as PKCE on the device grant is not standardised.
      usePkce: !opts.hasSecret && (opts.flow === 'browser' || client.grantTypes.includes(grants.pkce)),
      grantTypes: [...client.grantTypes],
      isDefaultClient: true,
      redirectUrls: [...client.redirectUrls],
    };
  }
  const others = providerFlows(provider).filter((f) => f !== opts.flow && f !== 'client-credentials');
  const alternative = others.length ? ` It does allow: ${others.map((f) => FLOW_GRANTS[f as 'device' | 'browser'].words).join(', ')}.` : '';
  const nextStep = `Use your own client ID registered with ${provider.title}, or another sign-in method.${alternative}`;
  if (provider.defaultClients.length === 0) {
    throw new AuthTrayError('NO_SUITABLE_CLIENT', `Login provider "${provider.id}" offers no default client, so the app needs your own client ID.`, { nextStep });
  }
  const missing = provider.defaultClients.some(allowsFlow)
    ? `no default client that allows both ${grants.words} and keeping the session (grant "${GRANT.refreshToken}")`
    : `no default client that allows ${grants.words} (grant "${grants.pkce}" or "${grants.plain}")`;
  throw new AuthTrayError('NO_SUITABLE_CLIENT', `Login provider "${provider.id}" has ${missing}.`, { nextStep });
}

/** The flows a provider's default clients allow, in order of preference; client credentials always. */
export function providerFlows(provider: OidcProvider): LoginFlow[] {
  const flows: LoginFlow[] = [];
  for (const flow of ['device', 'browser'] as const) {
    const g = FLOW_GRANTS[flow];
    if (provider.defaultClients.some((c) => c.grantTypes.includes(g.plain) || c.grantTypes.includes(g.pkce))) flows.push(flow);
  }
  flows.push('client-credentials');
  return flows;
}
