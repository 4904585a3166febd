/** Which scopes to ask for, the way the openEO Python client does it. */

const OPENID = 'openid';
const OFFLINE = 'offline_access';

/**
 * `openid`, then the provider's listed scopes that the IdP supports (all of them when the IdP
 * does not say), then `offline_access` when a refresh token is wanted and the IdP supports it
 * (or does not say). `offline_access` in the provider's list counts only when a refresh is wanted.
 */
export function chooseScopes(providerScopes: string[], idpSupported: string[] | null, wantRefresh: boolean): string[] {
  const supported = idpSupported === null ? null : new Set(idpSupported);
  const scopes = [OPENID];
  for (const raw of providerScopes) {
    const scope = raw.trim();
    if (!scope || scope === OPENID || scope === OFFLINE || scopes.includes(scope)) continue;
    if (supported === null || supported.has(scope)) scopes.push(scope);
  }
  if (wantRefresh && (supported === null || supported.has(OFFLINE))) scopes.push(OFFLINE);
  return scopes;
}
