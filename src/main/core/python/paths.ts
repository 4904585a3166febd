/**
 * Where the openEO Python client keeps its refresh-token store, by its own rules
 * (`openeo/config.py` `get_user_data_dir`): candidates from highest to lowest priority,
 * the first existing directory wins; when none exists, the first candidate (the one the Python
 * client would create).
 */
import path from 'node:path';

/** The folder name the Python client appends to every platform root (not to `$OPENEO_CONFIG_HOME`). */
export const PYTHON_APP_NAME = 'openeo-python-client';
/** File name of the Python client's refresh-token store inside its data directory. */
export const REFRESH_TOKEN_STORE_FILENAME = 'refresh-tokens.json';

/** Tells whether a path exists and is a directory. Passed in so the rules can be tested without a disk. */
export type DirectoryExists = (p: string) => boolean;

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Python's `Path.expanduser` for the forms the client uses: `~` alone or followed by a separator. */
function expandUser(p: string, home: string, platform: NodeJS.Platform): string {
  if (p === '~') return home;
  const sepFollows = p.startsWith('~/') || (platform === 'win32' && p.startsWith('~\\'));
  return sepFollows ? pathApi(platform).join(home, p.slice(2)) : p;
}

/**
 * Candidate data directories of the openEO Python client, highest priority first.
 * Empty variables count as unset, as in the client (`if r`).
 */
export function pythonDataDirCandidates(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
): string[] {
  const linuxFallback = '~/.local/share';
  let roots: Array<string | undefined>;
  if (platform === 'win32') roots = [env['APPDATA'], '~\\AppData\\Roaming', linuxFallback];
  else if (platform === 'darwin') roots = [env['XDG_DATA_HOME'], '~/Library', linuxFallback];
  else roots = [env['XDG_DATA_HOME'], linuxFallback];

  const p = pathApi(platform);
  const dirs = roots
    .filter((r): r is string => typeof r === 'string' && r.length > 0)
    .map((r) => p.join(expandUser(r, home, platform), PYTHON_APP_NAME));
  const configHome = env['OPENEO_CONFIG_HOME'];
  // $OPENEO_CONFIG_HOME is used as given: no `~` expansion, no app-name suffix.
  if (configHome) dirs.unshift(configHome);
  return dirs;
}

/**
 * The openEO Python client's data directory: the first candidate that exists as a directory,
 * else the first candidate (where the client itself would create it).
 */
export function pythonDataDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
  exists: DirectoryExists,
): string {
  const candidates = pythonDataDirCandidates(env, platform, home);
  const found = candidates.find((dir) => exists(dir));
  // There is always at least the Linux fallback, so candidates[0] is defined.
  return found ?? (candidates[0] as string);
}

/** Full path of `refresh-tokens.json` by the Python client's rules. */
export function pythonRefreshTokenStorePath(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
  exists: DirectoryExists,
): string {
  return pathApi(platform).join(pythonDataDir(env, platform, home, exists), REFRESH_TOKEN_STORE_FILENAME);
}

/** Path of the store inside a folder the user named (`--dir DIR`), like the client's `PrivateJsonFile(dir)`. */
export function refreshTokenStorePathIn(dir: string, platform: NodeJS.Platform = process.platform): string {
  return pathApi(platform).join(dir, REFRESH_TOKEN_STORE_FILENAME);
}
