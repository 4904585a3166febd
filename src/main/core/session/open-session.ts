/**
 * The one session factory, for the tray app and the CLI alike: where the refresh locks and the
 * discovery documents live in the settings folder, the request timeout from the environment, and
 * where the openEO Python client's store is. Both front ends differ only in what they pass:
 * the app its settings store and abort signal, the CLI its signal deferral and keychain retries.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Clock, FetchLike, SecretStore } from '../ports.ts';
import { createDiscoveryCache } from '../oidc/discovery-cache.ts';
import type { IdentityRepository, LogFn } from './ports.ts';
import { createSessionContext, type SessionContext } from './session-context.ts';
import { requestTimeoutFromEnv, requestTimeoutProblem, type TokenServiceDeps } from './token-service.ts';
import type { PythonSyncDeps } from './python-store-sync.ts';

export interface OpenSessionDeps {
  /** The settings folder: `locks/` and `cache/discovery/` live in it. */
  dir: string;
  env: NodeJS.ProcessEnv;
  identities: IdentityRepository;
  secrets: SecretStore;
  clock: Clock;
  log?: LogFn;
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** The Python client's store; default its own location rules (python/paths.ts). */
  pythonStorePath?: string;
  whileSaving?: TokenServiceDeps['whileSaving'];
  saveRetryDelaysMs?: readonly number[];
  platform?: NodeJS.Platform;
  home?: string;
}

export interface OpenedSession extends SessionContext {
  /** The Python client's own `refresh-tokens.json`, or `refresh-tokens.json` in `dirOverride`. */
  pythonStorePath(dirOverride?: string): Promise<string>;
  pythonSyncDeps(storePath: string): PythonSyncDeps;
  /** A sentence when `OPENEO_AUTH_TRAY_TIMEOUT` is set but not used as it is, else null. */
  readonly timeoutProblem: string | null;
}

export function openSession(deps: OpenSessionDeps): OpenedSession {
  const { dir, env, identities, clock, log } = deps;
  const platform = deps.platform ?? process.platform;
  const home = deps.home ?? homedir();
  // Loaded only when asked: the CLI's cached-token path needs none of the Python store's code.
  const pythonStorePath = async (dirOverride?: string): Promise<string> => {
    const paths = await import('../python/paths.ts');
    if (dirOverride) return paths.refreshTokenStorePathIn(dirOverride);
    return deps.pythonStorePath ?? paths.pythonRefreshTokenStorePath(env, platform, home, existsSync);
  };
  const pythonSyncDeps = (storePath: string): PythonSyncDeps => ({ storePath, identities, clock, ...(log ? { log } : {}) });
  const timeoutMs = requestTimeoutFromEnv(env);
  const session = createSessionContext({
    identities,
    secrets: deps.secrets,
    clock,
    lockDir: join(dir, 'locks'),
    discoveryCache: createDiscoveryCache(join(dir, 'cache', 'discovery'), clock),
    ...(timeoutMs ? { requestTimeoutMs: timeoutMs } : {}),
    ...(log ? { log } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.whileSaving ? { whileSaving: deps.whileSaving } : {}),
    ...(deps.saveRetryDelaysMs ? { saveRetryDelaysMs: deps.saveRetryDelaysMs } : {}),
    // The hooks act only for identities shared with the Python client.
    pythonSync: async () => (await import('./python-store-sync.ts')).createPythonSync(pythonSyncDeps(await pythonStorePath())),
  });
  return { ...session, pythonStorePath, pythonSyncDeps, timeoutProblem: requestTimeoutProblem(env) };
}
