/**
 * What the session's operations (sign-in, import, sign-out, export) work with: the settings
 * file's identities, the keychain, the clock and the token service, all of one piece. Built once,
 * where the token service is built, so that every operation sees the same stores as the refreshes.
 */
import type { Clock, SecretStore } from '../ports.ts';
import type { DiscoveryCache } from '../oidc/discovery-cache.ts';
import type { IdentityRepository, LogFn } from './ports.ts';
import { TokenService, type RefreshTokenSync, type TokenServiceDeps } from './token-service.ts';

export interface SessionContext {
  readonly identities: IdentityRepository;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  /** Access tokens, refreshes, the refresh lock and the HTTP layer. */
  readonly tokens: TokenService;
  /** Issuers' discovery documents kept between processes; a sign-in refreshes its entry. */
  readonly discoveryCache?: DiscoveryCache;
  /** The Python client's store sync (it acts only for shared identities); null when there is none. */
  pythonSync(): Promise<RefreshTokenSync | null>;
  readonly log?: LogFn;
}

/** The token service for `deps` and the session context around it. */
export function createSessionContext(deps: TokenServiceDeps): SessionContext {
  const { identities, secrets, clock, discoveryCache, log } = deps;
  return {
    identities,
    secrets,
    clock,
    tokens: new TokenService(deps),
    ...(discoveryCache ? { discoveryCache } : {}),
    ...(log ? { log } : {}),
    pythonSync: async () => (await deps.pythonSync?.()) ?? null,
  };
}
