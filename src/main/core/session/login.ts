/**
 * Logins end to end: discover the backend and its providers (afresh each time, as the spec asks),
 * pick the client, run the flow, learn the user id from `/me`, and save the identity: secrets to
 * the keychain first, the record to the settings file after, so a failure leaves nothing half-made.
 */
import { AuthTrayError } from '../errors.ts';
import type { Identity, IdentityKind, LoginFlow, OidcProvider, TokenSet } from '../../../shared/model.ts';
import { secretKey } from '../../../shared/model.ts';
import { registerSecret } from '../../../shared/redact.ts';
import type { DiscoveredBackend } from '../openeo/discovery.ts';
import type { ClientChoice } from '../openeo/providers.ts';
import type { IssuerConnection, DeviceAuthorization } from '../oidc/index.ts';
import { displayText, hostOf } from '../../../shared/format/display-text.ts';
import { findSameIdentity, identityFromLogin, newIdentityId, renewalMismatch } from './identity-records.ts';
import type { SessionContext } from './session-context.ts';

export interface LoginRequest {
  backendUrl: string;
  providerId?: string;
  clientId?: string;
  label?: string;
  /** Renew this identity ("Sign in again") instead of matching by user. */
  identityId?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface LoginPlan {
  backend: DiscoveredBackend;
  provider: OidcProvider;
  client: ClientChoice;
  conn: IssuerConnection;
  scopes: string[];
  flow: LoginFlow;
}

/** Discovery, provider, client and scopes for one login. */
export async function planLogin(session: SessionContext, req: LoginRequest, flow: LoginFlow, clientSecret?: string): Promise<LoginPlan> {
  await requireUsableKeychain(session);
  const http = session.tokens.http(req.signal);
  const { discoverBackend } = await import('../openeo/discovery.ts');
  const { fetchOidcProviders, chooseProvider, chooseClient } = await import('../openeo/providers.ts');
  const { connectIssuer, chooseScopes } = await import('../oidc/index.ts');
  const backend = await discoverBackend(req.backendUrl, http);
  const providers = await fetchOidcProviders(backend, http);
  const provider = chooseProvider(providers, { ...(req.providerId ? { explicit: req.providerId } : {}), env: req.env ?? process.env });
  const wantRefresh = flow !== 'client-credentials';
  const client = chooseClient(provider, {
    flow,
    wantRefresh,
    ...(req.clientId ? { clientId: req.clientId } : {}),
    hasSecret: clientSecret !== undefined && clientSecret !== '',
  });
  const kept = session.discoveryCache;
  const conn = await connectIssuer(provider.issuer, client.clientId, {
    ...(clientSecret ? { clientSecret } : {}),
    ...http,
    // A sign-in discovers the IdP afresh, and keeps the document for the refreshes to come.
    ...(kept ? { discoveryCache: { ...kept, get: () => null } } : {}),
  });
  const scopes = chooseScopes(provider.scopes, conn.supportedScopes, wantRefresh);
  return { backend, provider, client, conn, scopes, flow };
}

/**
 * Tokens that cannot be kept make a sign-in pointless (and at the IdP they would be spent for
 * nothing), so a locked or missing keychain stops the login before the person is asked anything.
 */
async function requireUsableKeychain(session: SessionContext): Promise<void> {
  const health = await session.secrets.health();
  if (!health.ok) throw new AuthTrayError(health.reason === 'locked' ? 'KEYCHAIN_LOCKED' : 'KEYCHAIN_UNAVAILABLE', health.message);
}

export interface DeviceLoginHandle {
  authorization: DeviceAuthorization;
  /** Resolves with the saved identity; rejects with AuthTrayError (refused, expired, cancelled…). */
  done: Promise<Identity>;
}

/** Starts a device login; `done` settles when the user has approved (or not). */
export async function startDeviceIdentityLogin(session: SessionContext, req: LoginRequest): Promise<DeviceLoginHandle> {
  const plan = await planLogin(session, req, 'device');
  const { startDeviceLogin } = await import('../oidc/index.ts');
  const login = await startDeviceLogin(plan.conn, {
    scopes: plan.scopes,
    usePkce: plan.client.usePkce,
    clock: session.clock,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  const done = login.result.then((tokens) => saveLogin(session, plan, tokens, req, 'personal'));
  done.catch(() => undefined); // the caller observes it; avoid an unhandled rejection in between
  return { authorization: login.authorization, done };
}

/** Authorization code + PKCE on a loopback redirect; `openBrowser` shows the IdP's page. */
export async function browserIdentityLogin(session: SessionContext, req: LoginRequest & { openBrowser: (url: string) => void | Promise<void>; timeoutMs?: number }): Promise<Identity> {
  const plan = await planLogin(session, req, 'browser');
  const { browserLogin } = await import('../oidc/index.ts');
  const tokens = await browserLogin(plan.conn, {
    scopes: plan.scopes,
    openBrowser: req.openBrowser,
    clock: session.clock,
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
  });
  return saveLogin(session, plan, tokens, req, 'personal');
}

/** A service account (client credentials): checks the secret works, then keeps it in the keychain. */
export async function addServiceAccount(session: SessionContext, req: LoginRequest & { clientId: string; clientSecret: string }): Promise<Identity> {
  if (!req.clientId.trim() || !req.clientSecret) {
    throw new AuthTrayError('INVALID_ARGUMENT', 'A service account needs both a client ID and a client secret.', {
      nextStep: 'Enter the client ID and secret of your OAuth client.',
    });
  }
  registerSecret(req.clientSecret);
  const plan = await planLogin(session, req, 'client-credentials', req.clientSecret);
  const { clientCredentialsLogin } = await import('../oidc/index.ts');
  const tokens = await clientCredentialsLogin(plan.conn, { scopes: plan.scopes, clock: session.clock });
  return saveLogin(session, plan, tokens, req, 'client-credentials', req.clientSecret);
}

export async function saveLogin(session: SessionContext, plan: LoginPlan, tokens: TokenSet, req: LoginRequest, kind: IdentityKind, clientSecret?: string): Promise<Identity> {
  const { identities, clock, log } = session;
  const now = clock.now();
  const jwtBearer = plan.backend.jwtBearer;
  const userId = await lookUpUserId(session, plan, tokens.accessToken, jwtBearer).catch((e: unknown) => {
    log?.('warn', `could not read /me after signing in at ${plan.backend.apiUrl}`, e);
    return tokens.subject;
  });
  const all = identities.listIdentities();
  const facts = {
    issuer: plan.provider.issuer, clientId: plan.client.clientId, kind, backendUrl: plan.backend.inputUrl, apiUrl: plan.backend.apiUrl,
    ...(userId ? { userId } : {}),
  };
  const existing = req.identityId ? all.find((i) => i.id === req.identityId) : findSameIdentity(all, facts);
  const mismatch = req.identityId && existing ? renewalMismatch(existing, { ...facts, ...(tokens.subject ? { subject: tokens.subject } : {}) }) : null;
  if (mismatch) {
    // Nothing is saved: the tokens of another person (or backend) must not replace this login's.
    throw new AuthTrayError('LOGIN_REFUSED', mismatch, {
      nextStep: `Sign in again as the person of "${existing!.label}", or use Add account for this one.`,
    });
  }
  const id = existing?.id ?? newIdentityId(plan.backend.inputUrl, plan.provider.id, new Set(all.map((i) => i.id)));
  // Under the identity's refresh lock: a refresh of the old login under way (in any process)
  // finishes first, and cannot write its rotated token over the new login's afterwards.
  return session.tokens.underRefreshLock(id, () => saveLoginLocked(session, plan, tokens, req, kind, { id, existing, all, userId, jwtBearer, now }, clientSecret));
}

interface SaveTarget {
  id: string;
  existing: Identity | undefined;
  all: Identity[];
  userId: string | undefined;
  jwtBearer: boolean;
  now: number;
}

async function saveLoginLocked(session: SessionContext, plan: LoginPlan, tokens: TokenSet, req: LoginRequest, kind: IdentityKind, target: SaveTarget, clientSecret?: string): Promise<Identity> {
  const { identities, secrets, log } = session;
  const { id, all, userId, jwtBearer, now } = target;
  // As it is now, under the lock; gone if it was signed out while this sign-in ran (then this
  // becomes a new login under the same id).
  const existing = target.existing ? identities.getIdentity(target.existing.id) : undefined;

  // Secrets first: if the keychain refuses, the settings file is untouched.
  if (tokens.refreshToken) await secrets.set(secretKey(id, 'refresh_token'), tokens.refreshToken);
  else if (existing) await secrets.delete(secretKey(id, 'refresh_token'));
  await secrets.set(secretKey(id, 'access_token'), tokens.accessToken);
  if (clientSecret) await secrets.set(secretKey(id, 'client_secret'), clientSecret);

  const identity = identityFromLogin(
    id,
    {
      kind,
      flow: plan.flow,
      label: existing?.label ?? uniqueLabel(req.label?.trim() || defaultLabel(plan, kind), all),
      backendUrl: plan.backend.inputUrl,
      apiUrl: plan.backend.apiUrl,
      providerId: plan.provider.id,
      issuer: plan.provider.issuer,
      clientId: plan.client.clientId,
      scopes: plan.scopes,
      jwtBearer,
      ...(userId ? { userId } : existing?.userId ? { userId: existing.userId } : {}),
      ...(tokens.subject ? { subject: tokens.subject } : existing?.subject ? { subject: existing.subject } : {}),
    },
    tokens,
    now,
  );
  if (existing) identity.createdAt = existing.createdAt;
  if (existing?.pythonSync) identity.pythonSync = existing.pythonSync;
  await identities.upsertIdentity(identity);
  // A new login of an identity shared with the Python client: give the store the new token too.
  if (identity.pythonSync?.enabled && tokens.refreshToken) {
    await (await session.pythonSync())?.saved(identity, tokens.refreshToken).catch((e: unknown) => {
      log?.('warn', `${id}: could not write the new refresh token to the Python client's store`, e);
    });
  }
  return identity;
}

async function lookUpUserId(session: SessionContext, plan: LoginPlan, accessToken: string, jwtBearer: boolean): Promise<string | undefined> {
  const { getMe, openEoBearer } = await import('../openeo/api.ts');
  const me = await getMe(plan.backend.apiUrl, openEoBearer({ providerId: plan.provider.id, jwtBearer }, accessToken), session.tokens.http());
  return me.userId;
}

function defaultLabel(plan: LoginPlan, kind: IdentityKind): string {
  return defaultIdentityLabel({ backendUrl: plan.backend.inputUrl, ...(plan.backend.title ? { backendTitle: plan.backend.title } : {}) }, kind);
}

/**
 * The name a login gets when the person gives none: the backend's own title from its
 * capabilities ("Copernicus Data Space Ecosystem"), else its host; a service account adds
 * "service account". The window shows the same name as the placeholder of the name field.
 */
export function defaultIdentityLabel(backend: { backendUrl: string; backendTitle?: string }, kind: IdentityKind): string {
  const title = displayText(backend.backendTitle ?? '', 80) || hostOf(backend.backendUrl);
  return (kind === 'client-credentials' ? `${title} service account` : title).slice(0, 100);
}

function uniqueLabel(label: string, all: Identity[]): string {
  const taken = new Set(all.map((i) => i.label));
  if (!taken.has(label)) return label;
  for (let n = 2; ; n++) if (!taken.has(`${label} (${n})`)) return `${label} (${n})`;
}
