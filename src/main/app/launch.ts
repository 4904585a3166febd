/**
 * What one start of the installed app's binary is: the tray app, or one run of the command line.
 * The binary is the command line of every installed app (docs/command-line-install.md): its
 * launchers on the PATH call it with `--cli` first; called directly with a command
 * (`openeo-auth-tray status`, as the .deb's /usr/bin link does), it is the command line too.
 * Anything else (no arguments, a desktop's or the login item's switches) starts the tray app.
 * Decided from the arguments alone, before Electron makes anything.
 */
import { COMMAND_NAMES } from '../cli/command-names.ts';
import { CLI_FLAG, LINUX_HEADLESS_SWITCHES } from '../core/command-line/launchers.ts';

export type Launch = { mode: 'app' } | { mode: 'cli'; args: string[] };
const CLI_WORDS: ReadonlySet<string> = new Set<string>([...COMMAND_NAMES, 'help', '--help', '-h', '--version']);

/** The arguments the person gave: after the executable (packaged), or after `electron <app folder>`. */
export function userArgs(argv: readonly string[], isPackaged: boolean): string[] {
  return argv.slice(isPackaged ? 1 : 2);
}

/**
 * The app or the command line, from the person's arguments. Chromium switches may come first (the
 * launchers' headless ones, an AppImage runtime's `--no-sandbox`) and are passed over; the first
 * other argument decides.
 */
export function launchMode(args: readonly string[]): Launch {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === CLI_FLAG) return { mode: 'cli', args: args.slice(i + 1) };
    if (CLI_WORDS.has(arg)) return { mode: 'cli', args: args.slice(i) };
    if (!arg.startsWith('--')) break;
  }
  return { mode: 'app' };
}

/**
 * A command line started on Linux without a display and without the headless switches (the
 * .deb's link, from cron or ssh) must start again with them, or Chromium stops at "Missing X
 * server or $DISPLAY". Returns the arguments for that second start, or null when none is needed.
 */
export function headlessRelaunchArgs(launch: Launch, rawArgs: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] | null {
  if (launch.mode !== 'cli' || platform !== 'linux') return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  if (rawArgs.some((a) => a.startsWith('--ozone-platform'))) return null;
  // The switches must be on the command line itself: Chromium picks its display platform before
  // the app's code runs, which is why this start (whose code runs first) can still start again.
  return [...LINUX_HEADLESS_SWITCHES, CLI_FLAG, ...launch.args];
}
