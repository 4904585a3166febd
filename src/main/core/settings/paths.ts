/**
 * Where the tray and the CLI keep their settings and logs: the same folder for both, following
 * each OS's convention, overridable with OPENEO_AUTH_TRAY_HOME (tests, portable installs).
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

export const APP_FOLDER_NAME = 'openeo-auth-tray';
export const HOME_ENV = 'OPENEO_AUTH_TRAY_HOME';

/** A set, non-empty variable; XDG variables must also be absolute (the spec says to ignore others). */
function envPath(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform, mustBeAbsolute = false): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (mustBeAbsolute && !pathFor(platform).isAbsolute(value)) return undefined;
  return value;
}

function pathFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/**
 * The settings folder: `$OPENEO_AUTH_TRAY_HOME` if set; otherwise
 * Linux `$XDG_CONFIG_HOME` (or `~/.config`) `/openeo-auth-tray`,
 * macOS `~/Library/Application Support/openeo-auth-tray`, Windows `%APPDATA%\openeo-auth-tray`.
 */
export function settingsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const p = pathFor(platform);
  const override = envPath(env, HOME_ENV, platform);
  if (override) return override;
  if (platform === 'darwin') return p.join(home, 'Library', 'Application Support', APP_FOLDER_NAME);
  if (platform === 'win32') return p.join(envPath(env, 'APPDATA', platform) ?? p.join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME);
  return p.join(envPath(env, 'XDG_CONFIG_HOME', platform, true) ?? p.join(home, '.config'), APP_FOLDER_NAME);
}

/**
 * The log folder: `$OPENEO_AUTH_TRAY_HOME/logs` if that is set; otherwise
 * Linux `$XDG_STATE_HOME` (or `~/.local/state`) `/openeo-auth-tray/logs`,
 * macOS `~/Library/Logs/openeo-auth-tray`, Windows `%LOCALAPPDATA%\openeo-auth-tray\logs`.
 */
export function logDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const p = pathFor(platform);
  const override = envPath(env, HOME_ENV, platform);
  if (override) return p.join(override, 'logs');
  if (platform === 'darwin') return p.join(home, 'Library', 'Logs', APP_FOLDER_NAME);
  if (platform === 'win32') return p.join(envPath(env, 'LOCALAPPDATA', platform) ?? p.join(home, 'AppData', 'Local'), APP_FOLDER_NAME, 'logs');
  return p.join(envPath(env, 'XDG_STATE_HOME', platform, true) ?? p.join(home, '.local', 'state'), APP_FOLDER_NAME, 'logs');
}
