/**
 * What every CLI command works with: the settings folder shared with the tray app, and the session
 * (the keychain, the identities and the token service). Reads go straight to the file (cheap); the conf store that validates
 * and migrates on write is opened only when something is written.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { createKeytarSecretStore } from '../core/keychain/keytar-store.ts';
import { logDir, settingsDir } from '../core/settings/paths.ts';
import { readSettingsFast } from '../core/settings/settings-file.ts';
import type { Settings } from '../core/settings/schema.ts';
import type { SettingsStore } from '../core/settings/store.ts';
import { systemClock } from '../core/ports.ts';
import { createLogger } from '../core/log.ts';
import type { Identity } from '../../shared/model.ts';
import type { IdentityRepository } from '../core/session/ports.ts';
import { requestTimeoutFromEnv, requestTimeoutProblem } from '../core/session/token-service.ts';
import { whileSaving } from './signals.ts';
import { createSessionContext, type SessionContext } from '../core/session/session-context.ts';
import { createDiscoveryCache } from '../core/oidc/discovery-cache.ts';
import type { PythonSyncDeps } from '../core/session/python-store-sync.ts';

export interface CliContext extends SessionContext {
  dir: string;
  settings(): Settings;
  thresholdsMs(): number[];
  /** The Python client's `refresh-tokens.json` (in `dirOverride` when given). */
  pythonStorePath(dirOverride?: string): Promise<string>;
  pythonSyncDeps(storePath: string): PythonSyncDeps;
}

/** Reads from the file each time; opens the validating store on the first write. */
class FileIdentityRepository implements IdentityRepository {
  private store: Promise<SettingsStore> | undefined;
  constructor(private readonly dir: string) {}

  listIdentities(): Identity[] {
    return readSettingsFast(this.dir).identities;
  }
  getIdentity(id: string): Identity | undefined {
    return this.listIdentities().find((i) => i.id === id);
  }
  writable(): Promise<SettingsStore> {
    // The direct writer keeps short commands fast; conf is loaded only to create or migrate the file.
    this.store ??= import('../core/settings/direct-store.ts').then(async (direct) =>
      direct.openDirectSettingsStore(this.dir) ?? (await import('../core/settings/store.ts')).openSettingsStore({ dir: this.dir }));
    return this.store;
  }
  async upsertIdentity(identity: Identity): Promise<unknown> {
    return (await this.writable()).upsertIdentity(identity);
  }
  async updateIdentity(id: string, patch: Partial<Omit<Identity, 'id'>>): Promise<Identity> {
    return (await this.writable()).updateIdentity(id, patch);
  }
  async removeIdentity(id: string): Promise<boolean> {
    return (await this.writable()).removeIdentity(id);
  }
}

export async function openContext(env: NodeJS.ProcessEnv = process.env): Promise<CliContext> {
  const dir = settingsDir(env);
  const identities = new FileIdentityRepository(dir);
  const secrets = createKeytarSecretStore();
  const log = createLogger({ file: join(logDir(env), 'cli.log'), level: 'warn' });
  const settings = () => readSettingsFast(dir).settings;
  const pythonSyncDeps = (storePath: string): PythonSyncDeps => ({ storePath, identities, clock: systemClock, log });
  const timeoutMs = requestTimeoutFromEnv(env);
  const timeoutProblem = requestTimeoutProblem(env);
  if (timeoutProblem) process.stderr.write(`openeo-auth-tray: ${timeoutProblem}\n`);
  const session = createSessionContext({
    // OPENEO_AUTH_TRAY_TIMEOUT: seconds to wait for one answer from an IdP or a backend.
    ...(timeoutMs ? { requestTimeoutMs: timeoutMs } : {}),
    identities,
    secrets,
    clock: systemClock,
    lockDir: join(dir, 'locks'),
    discoveryCache: createDiscoveryCache(join(dir, 'cache', 'discovery'), systemClock),
    log,
    // A one-shot process cannot keep a refused rotated token for later: signals wait, and a
    // keychain locked for a moment is asked again (about 8 s in all) before the login is lost.
    whileSaving,
    saveRetryDelaysMs: [250, 500, 1_000, 2_000, 4_000],
    // Loaded only when a refresh happens; the hooks do nothing for identities never shared.
    pythonSync: async () => {
      const [paths, sync] = await Promise.all([import('../core/python/paths.ts'), import('../core/session/python-store-sync.ts')]);
      const storePath = paths.pythonRefreshTokenStorePath(env, process.platform, homedir(), existsSync);
      return sync.createPythonSync(pythonSyncDeps(storePath));
    },
  });
  return {
    ...session,
    dir,
    settings,
    thresholdsMs: () => settings().warningThresholds.map((s) => s * 1000),
    pythonStorePath: async (dirOverride) => {
      const paths = await import('../core/python/paths.ts');
      return dirOverride ? paths.refreshTokenStorePathIn(dirOverride) : paths.pythonRefreshTokenStorePath(env, process.platform, homedir(), existsSync);
    },
    pythonSyncDeps,
  };
}
