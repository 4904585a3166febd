/**
 * Turning refresh tokens found in the openEO Python client's store into identities.
 *
 * A refresh token cannot be checked without spending it on an IdP that rotates them, and the
 * Python side may still need it. So the import TAKES THE TOKEN OVER: it refreshes once (that is
 * the check: a dead token fails with nothing lost), writes the rotated token back to the store at
 * once so the Python side keeps working, and keeps the two in sync from then on.
 */
import { AuthTrayError } from '../errors.ts';
import { trimTrailingSlashes } from '../../../shared/format/peer-text.ts';
import type { Identity } from '../../../shared/model.ts';
import { getStoredRefreshToken, readRefreshTokenStore, writeRefreshToken } from '../python/refresh-token-store.ts';
import { refreshTokenFingerprint } from '../python/sync-policy.ts';
import { saveLogin, type LoginPlan } from './login.ts';
import type { SessionContext } from './session-context.ts';

export interface ImportRequest {
  backendUrl: string;
  storePath: string;
  issuer: string;
  clientId: string;
  label?: string;
}

/** Imports one store entry as a personal identity on `backendUrl` (whose provider has that issuer). */
export async function importFromPythonStore(session: SessionContext, req: ImportRequest): Promise<Identity> {
  const http = session.tokens.http();
  const { discoverBackend } = await import('../openeo/discovery.ts');
  const { fetchOidcProviders } = await import('../openeo/providers.ts');
  const { connectIssuer, chooseScopes, refreshTokens } = await import('../oidc/index.ts');
  const backend = await discoverBackend(req.backendUrl, http);
  const providers = await fetchOidcProviders(backend, http);
  const want = trimTrailingSlashes(req.issuer);
  const provider = providers.find((p) => p.issuer === want);
  if (!provider) {
    throw new AuthTrayError('UNKNOWN_PROVIDER', `The backend ${backend.inputUrl} has no login provider with issuer ${want}.`, {
      nextStep: `Choose the backend this login belongs to; its providers are: ${providers.map((p) => `${p.id} (${p.issuer})`).join(', ')}`,
    });
  }
  const contents = await readRefreshTokenStore(req.storePath);
  const entry = contents ? getStoredRefreshToken(contents, req.issuer, req.clientId) : null;
  if (!entry) {
    throw new AuthTrayError('PYTHON_STORE_INVALID', `The Python client's store has no refresh token for client ${req.clientId} at ${want}.`, {
      nextStep: 'Run `openeo-auth-tray import-python` to list what it holds.',
    });
  }
  const conn = await connectIssuer(provider.issuer, req.clientId, http);
  const tokens = await refreshTokens(conn, entry.refreshToken, { clock: session.clock });
  const now = session.clock.now();
  // The old token is spent: give the Python side the rotated one before anything else.
  if (tokens.refreshToken) await writeRefreshToken(req.storePath, provider.issuer, req.clientId, tokens.refreshToken, now);
  const plan: LoginPlan = {
    backend,
    provider,
    client: { clientId: req.clientId, usePkce: false, grantTypes: [], isDefaultClient: provider.defaultClients.some((c) => c.id === req.clientId), redirectUrls: [] },
    conn,
    scopes: chooseScopes(provider.scopes, conn.supportedScopes, true),
    flow: 'device',
  };
  const identity = await saveLogin(session, plan, tokens, { backendUrl: req.backendUrl, ...(req.label ? { label: req.label } : {}) }, 'personal');
  return await session.identities.updateIdentity(identity.id, {
    pythonSync: tokens.refreshToken ? { enabled: true, fingerprint: refreshTokenFingerprint(tokens.refreshToken), writtenAt: now } : { enabled: true, fingerprint: null, writtenAt: null },
  });
}
