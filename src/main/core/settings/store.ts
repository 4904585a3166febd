/**
 * The settings store as the app opens it: written through conf, or electron-store's class
 * passed in by the Electron layer (same engine, same options): schema check on every write,
 * atomic writes, defaults, and migrations of older formats at opening.
 */
import * as confModule from 'conf';
import type Conf from 'conf';
import { createSettingsStore, FILE_MODE, type SettingsStore, type SettingsWriter } from './store-core.ts';
import { CONF_SCHEMA, defaultDocument, MIGRATIONS, PROJECT_VERSION, type SettingsDocument } from './schema.ts';

export { SETTINGS_LOCK_NAME, type IdentityPatch, type SettingsStore } from './store-core.ts';

export interface OpenSettingsStoreOptions {
  dir: string;
  /** conf's class, or electron-store's (same options) passed in by the Electron layer. */
  Store?: typeof Conf;
  /** Longest wait for another process's change to finish. Default 10 s. */
  lockTimeoutMs?: number;
  /** Clock for naming a damaged file kept aside. */
  now?: () => number;
}

/**
 * conf's class. Loaded natively it is the module's default export; in the CLI's CommonJS bundle
 * (require of an ES module, Node >= 20.19) the default is the module namespace, whose own
 * default is the class.
 */
const DefaultConf: typeof Conf = (() => {
  const d: unknown = confModule.default;
  return (typeof d === 'function' ? d : (d as { default: typeof Conf }).default) as typeof Conf;
})();

type ConfOptions = NonNullable<ConstructorParameters<typeof Conf<SettingsDocument>>[0]>;

function confOptions(dir: string): ConfOptions {
  return {
    cwd: dir,
    configName: 'settings',
    fileExtension: 'json',
    configFileMode: FILE_MODE,
    schema: CONF_SCHEMA,
    defaults: defaultDocument(),
    migrations: MIGRATIONS,
    projectVersion: PROJECT_VERSION,
    clearInvalidConfig: false, // a damaged file is kept aside by us, never emptied
    accessPropertiesByDotNotation: false,
    watch: false,
  };
}

/** conf (or electron-store) as the writer: constructing it creates or migrates the file. */
export function confWriter(Store: typeof Conf = DefaultConf): (dir: string) => SettingsWriter {
  return (dir) => {
    let conf: Conf<SettingsDocument> | undefined;
    return {
      open() {
        // electron-store names the file by `name`, conf by `configName`: give both.
        conf = new Store<SettingsDocument>({ ...confOptions(dir), name: 'settings' } as ConfOptions);
      },
      write(data) {
        if (!conf) throw new Error('the settings writer was not opened');
        conf.store = data as SettingsDocument;
      },
    };
  };
}

/** Opens (creating or migrating when needed) the settings file in `dir`. */
export function openSettingsStore(opts: OpenSettingsStoreOptions): SettingsStore {
  return createSettingsStore({
    dir: opts.dir,
    writer: confWriter(opts.Store),
    ...(opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
}
