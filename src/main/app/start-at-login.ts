/**
 * "Start at login". macOS and Windows have Electron's login items; on Linux that API does
 * nothing, so an XDG autostart entry (`~/.config/autostart/openeo-auth-tray.desktop`) is written
 * or removed instead. A start at login passes `--hidden`: the app then stays in the tray and
 * opens no window.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { App } from 'electron';
import { AuthTrayError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { APP_FOLDER_NAME } from '../core/settings/paths.ts';

/** Given on the command line of a start at login. */
export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE_NAME = `${APP_FOLDER_NAME}.desktop`;

/** The Electron parts this module uses. */
export interface StartAtLoginElectron {
  app: Pick<App, 'setLoginItemSettings' | 'getLoginItemSettings' | 'isPackaged' | 'getAppPath'>;
}

export interface StartAtLoginOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The Electron executable (`process.execPath`). */
  execPath: string;
  home?: string;
  log: Logger;
}

/**
 * The command that starts this app hidden. Packaged: the executable (for an AppImage, the
 * AppImage file, since the executable lives in a temporary mount). In development: Electron
 * plus the app folder.
 */
export function loginCommand(o: { execPath: string; appPath: string; isPackaged: boolean; env: NodeJS.ProcessEnv }): string[] {
  const appImage = o.env.APPIMAGE;
  if (o.isPackaged) return [appImage && isAbsolute(appImage) ? appImage : o.execPath, HIDDEN_ARG];
  return [o.execPath, o.appPath, HIDDEN_ARG];
}

/** One argument of a desktop entry's `Exec=` (Desktop Entry Specification, "The Exec key"). */
export function execArgument(arg: string): string {
  if (/[\n\r]/.test(arg)) throw new Error('A command-line argument with a line break cannot go into a desktop entry.');
  let quoted = arg.replaceAll('%', '%%');
  if (quoted === '' || /[\s"'\\><~|&;$*?#()`]/.test(quoted)) {
    quoted = `"${quoted.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  }
  // The key file itself escapes backslashes once more.
  return quoted.replaceAll('\\', '\\\\');
}

/** The autostart desktop entry that runs `command`. */
export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=openEO Auth Tray',
    'Comment=Keeps your openEO logins alive',
    `Exec=${command.map(execArgument).join(' ')}`,
    `Icon=${APP_FOLDER_NAME}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** `$XDG_CONFIG_HOME/autostart/openeo-auth-tray.desktop` (`~/.config` when unset or relative). */
export function autostartPath(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const configHome = env.XDG_CONFIG_HOME?.trim();
  const base = configHome && isAbsolute(configHome) ? configHome : join(home, '.config');
  return join(base, 'autostart', AUTOSTART_FILE_NAME);
}

/** The AppCore's `setStartAtLogin` dependency for this platform. */
export function setupStartAtLogin(electron: StartAtLoginElectron, opts: StartAtLoginOptions): (enabled: boolean) => void {
  const { app } = electron;
  const command = (): string[] =>
    loginCommand({ execPath: opts.execPath, appPath: app.getAppPath(), isPackaged: app.isPackaged, env: opts.env });

  return (enabled) => {
    try {
      if (opts.platform === 'linux') {
        const file = autostartPath(opts.env, opts.home);
        if (enabled) {
          mkdirSync(join(file, '..'), { recursive: true });
          writeFileSync(file, autostartEntry(command()), { mode: 0o644 });
        } else {
          rmSync(file, { force: true });
        }
      } else if (opts.platform === 'win32') {
        const [path, ...args] = command();
        app.setLoginItemSettings({ openAtLogin: enabled, ...(path ? { path } : {}), args });
      } else {
        // macOS: no arguments; `wasOpenedAtLogin` tells a start at login apart.
        app.setLoginItemSettings({ openAtLogin: enabled });
      }
      opts.log('info', `Start at login ${enabled ? 'switched on' : 'switched off'}.`);
    } catch (e) {
      opts.log('error', 'Start at login could not be changed.', e);
      const where = opts.platform === 'linux' ? ` (${autostartPath(opts.env, opts.home)})` : '';
      throw new AuthTrayError('SETTINGS_WRITE_FAILED', `Start at login could not be ${enabled ? 'switched on' : 'switched off'}${where}.`, {
        cause: e,
        nextStep: 'Check that your user may change its startup programs, then try again.',
      });
    }
  };
}

/** Whether this launch was a start at login (then no window opens by itself). */
export function launchedAtLogin(argv: readonly string[], electron: StartAtLoginElectron, platform: NodeJS.Platform): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  return platform === 'darwin' && electron.app.getLoginItemSettings().wasOpenedAtLogin;
}
