/** What the session layer needs from the settings file (the settings store satisfies it). */
import type { Identity } from '../../../shared/model.ts';

export interface IdentityRepository {
  listIdentities(): Identity[];
  getIdentity(id: string): Identity | undefined;
  upsertIdentity(identity: Identity): Promise<unknown>;
  /** `undefined` in the patch removes an optional field. */
  updateIdentity(id: string, patch: Partial<Omit<Identity, 'id'>>): Promise<Identity>;
  removeIdentity(id: string): Promise<boolean>;
}

/** Optional log sink; messages are redacted by the logger itself. */
export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string, error?: unknown) => void;
