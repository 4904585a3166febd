/**
 * The `openeo-auth-tray` command of an installed app: small launcher scripts that run the app's
 * binary in its command-line mode (src/main/app/launch.ts). No Node is needed; the binary is the
 * app's own, so the command is always the app's version. docs/command-line-install.md says which
 * platform gets which, and why.
 */

/** What the launchers pass first: the binary's command-line mode. */
export const CLI_FLAG = '--cli';
/** Chromium switches for a run without a window on Linux (cron, ssh: no display). */
export const LINUX_HEADLESS_SWITCHES: readonly string[] = ['--ozone-platform=headless', '--disable-gpu'];
/** The first line after the shebang of every launcher the app writes: how it recognises its own. */
export const LAUNCHER_MARK = "# openEO Auth Tray's command line, written by the app (Install command line tool…).";

/** A word for a POSIX shell, single-quoted (a `'` inside becomes `'\''`). */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

export interface PosixLauncher {
  /** The file the launcher runs: the AppImage itself (`$APPIMAGE`, which stays where the person put it), or the app bundle's binary on macOS. */
  target: string;
  platform: 'linux' | 'darwin';
  /** Said when the target is gone: what to do. */
  whenGone: string;
}

/**
 * A POSIX shell launcher (`#!/bin/sh`): runs `target` with `--cli` and the arguments as given,
 * replacing itself (exit code, signals and standard streams are the binary's). On Linux it adds
 * the headless switches.
 */
export function posixLauncher(l: PosixLauncher): string {
  const switches = l.platform === 'linux' ? `${LINUX_HEADLESS_SWITCHES.join(' ')} ` : '';
  return [
    '#!/bin/sh',
    LAUNCHER_MARK,
    `app=${shellQuote(l.target)}`,
    'if [ ! -x "$app" ]; then',
    `  printf '%s\\n' ${shellQuote(`openeo-auth-tray: ${l.whenGone}`)} >&2`,
    '  exit 127',
    'fi',
    `exec "$app" ${switches}${CLI_FLAG} "$@"`,
    '',
  ].join('\n');
}

/** The target a launcher written by the app runs, or null for any other file. */
export function launcherTarget(text: string): string | null {
  const lines = text.split('\n');
  if (lines[1] !== LAUNCHER_MARK) return null;
  const m = /^app='((?:[^']|'\\'')*)'$/.exec(lines[2] ?? '');
  return m ? m[1]!.replaceAll("'\\''", "'") : null;
}

/**
 * The Windows launcher, `bin\openeo-auth-tray.cmd` beside the installed app (the NSIS installer
 * puts that folder on the user's PATH). `%*` passes the arguments as cmd.exe received them.
 */
export const WINDOWS_LAUNCHER = [
  '@echo off',
  "rem openEO Auth Tray's command line: the installed app's binary in its command-line mode.",
  `"%~dp0..\\openeo-auth-tray.exe" ${CLI_FLAG} %*`,
  'exit /b %ERRORLEVEL%',
  '',
].join('\r\n');
