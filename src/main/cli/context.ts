/**
 * What every CLI command works with: the settings folder shared with the tray app, and the session
 * (the keychain, the identities and the token service). Reads go straight to the file (cheap); the conf store that validates
 * and migrates on write is opened only when something is written.
 */
import { join } from 'node:path';
import { createKeytarSecretStore } from '../core/keychain/keytar-store.ts';
import { logDir, settingsDir } from '../core/settings/paths.ts';
import { readSettingsFast } from '../core/settings/settings-file.ts';
import type { Settings } from '../core/settings/schema.ts';
import type { SettingsStore } from '../core/settings/store.ts';
import { systemClock } from '../core/ports.ts';
import { createLogger } from '../core/log.ts';
import type { Identity } from '../../shared/model.ts';
import type { IdentityRepository } from '../core/session/ports.ts';
import { openSession, type OpenedSession } from '../core/session/open-session.ts';
import { warningThresholdsMs } from '../../shared/settings.ts';
import { whileSaving } from './signals.ts';

export interface CliContext extends OpenedSession {
  dir: string;
  settings(): Settings;
  thresholdsMs(): number[];
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
  const settings = () => readSettingsFast(dir).settings;
  const session = openSession({
    dir,
    env,
    identities,
    secrets: createKeytarSecretStore(),
    clock: systemClock,
    log: createLogger({ file: join(logDir(env), 'cli.log'), level: 'warn' }),
    // A one-shot process cannot keep a refused rotated token for later: signals wait, and a
    // keychain locked for a moment is asked again (about 8 s in all) before the login is lost.
    whileSaving,
    saveRetryDelaysMs: [250, 500, 1_000, 2_000, 4_000],
  });
  if (session.timeoutProblem) process.stderr.write(`openeo-auth-tray: ${session.timeoutProblem}\n`);
  return { ...session, dir, settings, thresholdsMs: () => warningThresholdsMs(settings()) };
}
