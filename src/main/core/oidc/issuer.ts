/**
 * Connecting to an OpenID Provider: discovery through openid-client, with the https rule,
 * the issuer check, the client's authentication method, and a short in-process cache.
 */
import * as oidc from 'openid-client';
import { AuthTrayError } from '../errors.ts';
import { trimTrailingSlashes } from '../../../shared/format/peer-text.ts';
import { systemClock, type FetchLike } from '../ports.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { createDiscoveryCache, type DiscoveryCache } from './discovery-cache.ts';
import { loginCancelled, oidcError } from './errors.ts';
import { boundedFetch } from '../net/http.ts';
import { isLoopbackHost } from '../net/loopback.ts';

/** A discovered IdP plus one client at it. Holds the client secret only inside `configuration`. */
export interface IssuerConnection {
  /** The issuer as configured (trailing slash removed), equal to the discovery document's. */
  readonly issuer: string;
  readonly clientId: string;
  /** `scopes_supported` of the IdP, or null when it does not say. */
  readonly supportedScopes: string[] | null;
  /** What the IdP offers, so callers can choose a flow before starting it. */
  readonly capabilities: { deviceFlow: boolean; revocation: boolean; pkceS256: boolean };
  /** The openid-client configuration (server + client metadata, fetch, insecure-http switch). */
  readonly configuration: oidc.Configuration;
}

interface ConnectionInternals {
  clientSecret: string | undefined;
  clientAuth: oidc.ClientAuth;
  fetch: FetchLike | undefined;
  insecure: boolean;
  /** The connection's own signal (ConnectOptions.signal): every request of it stops with it. */
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
  timeoutSeconds: number | undefined;
}

const internals = new WeakMap<IssuerConnection, ConnectionInternals>();

/** Documents of connections made without a session's cache (a sign-in's first steps, tests): kept 5 minutes. */
let processCache: DiscoveryCache = createDiscoveryCache(null, systemClock, 5 * 60_000);

/** Forget the documents of connections made without a session's cache (tests). */
export function forgetDiscoveredIssuers(): void {
  processCache = createDiscoveryCache(null, systemClock, 5 * 60_000);
}

export { isLoopbackHost };

/** Parses and checks an issuer URL; returns it without trailing slash, and whether http is in use. */
export function checkIssuerUrl(issuer: string): { issuer: string; url: URL; insecure: boolean } {
  let url: URL;
  try {
    url = new URL(issuer.trim());
  } catch (e) {
    throw new AuthTrayError('INVALID_URL', `“${issuer}” is not a valid identity provider address.`, {
      cause: e,
      nextStep: 'Check the provider settings of the backend.',
    });
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new AuthTrayError('INVALID_URL', `“${issuer}” is not a valid identity provider address.`, {
      nextStep: 'An issuer has no query, fragment or user name; check the provider settings of the backend.',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AuthTrayError('INVALID_URL', `The identity provider address ${url.protocol}//${url.host} must use https.`, {
      nextStep: 'Check the provider settings of the backend.',
    });
  }
  const insecure = url.protocol === 'http:';
  if (insecure && !isLoopbackHost(url.hostname)) {
    throw new AuthTrayError('INSECURE_URL', `The identity provider at ${url.host} does not use https, so it was not contacted.`, {
      nextStep: 'Only https is allowed (plain http only for a provider on this computer).',
    });
  }
  const normalised = trimTrailingSlashes(url.href);
  return { issuer: normalised, url: new URL(normalised), insecure };
}

/** client_secret_basic when the IdP allows it (also the spec's default), else client_secret_post. */
function clientAuthFor(metadata: oidc.ServerMetadata, secret: string | undefined): oidc.ClientAuth {
  if (secret === undefined) return oidc.None();
  const methods = metadata.token_endpoint_auth_methods_supported;
  if (!methods || methods.includes('client_secret_basic')) return oidc.ClientSecretBasic(secret);
  return oidc.ClientSecretPost(secret);
}

/**
 * openid-client's fetch hook: every request to the IdP goes through the one HTTP layer
 * (`boundedFetch`): a deadline covering the body, a size cap, and the caller's signal.
 */
function customFetchFor(fetchImpl: FetchLike | undefined, signal: AbortSignal | undefined, timeoutMs: number | undefined): oidc.CustomFetch {
  const f = boundedFetch({
    peer: 'idp',
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    ...(signal ? { signal } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  // CustomFetchOptions is RequestInit-shaped; its body union is a subset of BodyInit.
  return (url, options) => f(url, options);
}

/** Discoveries under way, per cache and issuer: callers at the same moment share one request. */
const discoveries = new WeakMap<DiscoveryCache, Map<string, Promise<oidc.ServerMetadata>>>();

/**
 * The issuer's discovery document: the cache's, or one request shared by everyone who asks while
 * it runs (after a wake-up the lifecycle and the job listing both want it). A caller whose own
 * signal aborts stops waiting; one that joined a request whose starter cancelled asks itself.
 */
async function discover(url: URL, issuer: string, opts: ConnectOptions): Promise<oidc.ServerMetadata> {
  const cache = opts.discoveryCache ?? processCache;
  const kept = cache.get(issuer);
  if (kept) return kept.metadata as unknown as oidc.ServerMetadata;
  let running = discoveries.get(cache);
  if (!running) {
    running = new Map<string, Promise<oidc.ServerMetadata>>();
    discoveries.set(cache, running);
  }
  const shared = running.get(issuer);
  if (shared) {
    try {
      return await untilAborted(shared, opts.signal);
    } catch (e) {
      if (opts.signal?.aborted || !(e instanceof AuthTrayError && e.code === 'LOGIN_CANCELLED')) throw e;
    }
  }
  const own = fetchDiscovery(url, issuer, opts, cache);
  running.set(issuer, own);
  const done = () => {
    if (running.get(issuer) === own) running.delete(issuer);
  };
  own.then(done, done);
  return await own;
}

/** `promise`, or LOGIN_CANCELLED as soon as `signal` aborts (the promise itself runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(loginCancelled(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(loginCancelled(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function fetchDiscovery(url: URL, issuer: string, opts: ConnectOptions, cache: DiscoveryCache): Promise<oidc.ServerMetadata> {
  const options: oidc.DiscoveryRequestOptions = {
    [oidc.customFetch]: customFetchFor(opts.fetch, opts.signal, opts.timeoutMs),
    // Plain http reaches this point only for a loopback issuer (checked above). openid-client marks
    // allowInsecureRequests deprecated to make it stand out, not because it goes away.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
    ...(opts.timeoutMs === undefined ? {} : { timeout: Math.max(1, Math.ceil(opts.timeoutMs / 1000)) }),
  };
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(url, 'discovery-only', undefined, oidc.None(), options);
  } catch (e) {
    const named = mismatchedIssuer(e);
    if (named !== undefined) {
      throw new AuthTrayError('ISSUER_MISMATCH',
        `The identity provider at ${url.host} calls itself “${named.slice(0, 200)}”, not ${issuer} as configured.`,
        { cause: e, nextStep: 'The backend’s sign-in settings look wrong; tell its support.' });
    }
    throw oidcError(e, 'discovery', issuer);
  }
  const metadata = plainMetadata(config);
  cache.put(issuer, metadata);
  return metadata;
}

/** Server metadata without openid-client's helper functions (Configuration structured-clones it). */
function plainMetadata(config: oidc.Configuration): oidc.ServerMetadata {
  return JSON.parse(JSON.stringify(config.serverMetadata())) as oidc.ServerMetadata;
}

/** The issuer a discovery document named when openid-client rejected it as a mismatch. */
function mismatchedIssuer(e: unknown): string | undefined {
  const err = e as { code?: unknown; cause?: { attribute?: unknown; body?: { issuer?: unknown } } };
  if (err?.code !== 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' || err.cause?.attribute !== 'issuer') return undefined;
  const named = err.cause.body?.issuer;
  return typeof named === 'string' ? named : '(unnamed)';
}

export interface ConnectOptions {
  clientSecret?: string;
  fetch?: FetchLike;
  /** Per-request timeout, body included (default 30 s, as openid-client's). */
  timeoutMs?: number;
  /** Stops every request of this connection (discovery included) at once. */
  signal?: AbortSignal;
  /** The session's discovery documents (discovery-cache.ts); default: this process's, 5 minutes. */
  discoveryCache?: DiscoveryCache;
}

/**
 * Discovers `issuer` and prepares `clientId` for the flows. https only, except loopback http.
 * Throws AuthTrayError: INVALID_URL, INSECURE_URL, ISSUER_MISMATCH, IDP_UNREACHABLE,
 * IDP_INVALID_RESPONSE, IDP_ERROR, LOGIN_CANCELLED (signal).
 */
export async function connectIssuer(issuer: string, clientId: string, opts: ConnectOptions = {}): Promise<IssuerConnection> {
  const checked = checkIssuerUrl(issuer);
  if (!clientId.trim()) {
    throw new AuthTrayError('INVALID_ARGUMENT', 'No client ID was given for the identity provider.', {
      nextStep: 'Enter the client ID, or let the backend suggest its default client.',
    });
  }
  registerSecret(opts.clientSecret);
  const metadata = await discover(checked.url, checked.issuer, opts);
  const clientAuth = clientAuthFor(metadata, opts.clientSecret);
  const inner: ConnectionInternals = {
    clientSecret: opts.clientSecret,
    clientAuth,
    fetch: opts.fetch,
    insecure: checked.insecure,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    timeoutSeconds: opts.timeoutMs === undefined ? undefined : Math.max(1, Math.ceil(opts.timeoutMs / 1000)),
  };
  const scopes = metadata.scopes_supported;
  const connection: IssuerConnection = {
    issuer: checked.issuer,
    clientId,
    supportedScopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : null,
    capabilities: {
      deviceFlow: typeof metadata.device_authorization_endpoint === 'string',
      revocation: typeof metadata.revocation_endpoint === 'string',
      pkceS256: metadata.code_challenge_methods_supported?.includes('S256') ?? false,
    },
    configuration: buildConfiguration(metadata, clientId, inner, undefined),
  };
  internals.set(connection, inner);
  return connection;
}

function buildConfiguration(
  metadata: oidc.ServerMetadata, clientId: string, inner: ConnectionInternals, signal: AbortSignal | undefined,
): oidc.Configuration {
  const config = new oidc.Configuration(metadata, clientId, inner.clientSecret, inner.clientAuth);
  const signals = [inner.signal, signal].filter((s): s is AbortSignal => s !== undefined);
  const combined = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  config[oidc.customFetch] = customFetchFor(inner.fetch, combined, inner.timeoutMs);
  if (inner.timeoutSeconds !== undefined) config.timeout = inner.timeoutSeconds;
  // Loopback issuers only (see above).
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (inner.insecure) oidc.allowInsecureRequests(config);
  return config;
}

/**
 * The connection's configuration, or a copy whose requests also stop when `signal` aborts
 * (openid-client's own calls take no signal except the device poll).
 */
export function configurationFor(conn: IssuerConnection, signal?: AbortSignal): oidc.Configuration {
  const inner = internals.get(conn);
  if (!signal || !inner) return conn.configuration;
  return buildConfiguration(plainMetadata(conn.configuration), conn.clientId, inner, signal);
}

/** Whether this connection authenticates with a client secret (confidential client). */
export function hasClientSecret(conn: IssuerConnection): boolean {
  return internals.get(conn)?.clientSecret !== undefined;
}
