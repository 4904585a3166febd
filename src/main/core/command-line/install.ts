/**
 * "Install command line tool…": where the installed app can put `openeo-auth-tray` on the PATH by
 * itself, and doing it. Offered for the AppImage (a launcher in ~/.local/bin that runs
 * `$APPIMAGE`: the AppImage's mount point changes at every start, its file does not) and on
 * macOS (a launcher in /usr/local/bin, written with the system's administrator prompt). The .deb
 * and the Windows installer put the command on the PATH themselves; a development run has none.
 */
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { launcherTarget, posixLauncher, shellQuote } from './launchers.ts';

export type CommandLinePlan =
  | { kind: 'appimage'; target: string; destination: string; onPath: boolean }
  | { kind: 'macos'; target: string; destination: string; onPath: boolean };

export interface InstallContext {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The running binary (`process.execPath`). */
  execPath: string;
  isPackaged: boolean;
  home: string;
}

export const MACOS_DESTINATION = '/usr/local/bin/openeo-auth-tray';

function onPath(env: NodeJS.ProcessEnv, folder: string): boolean {
  return (env.PATH ?? '').split(delimiter).some((p) => p.replace(/\/+$/, '') === folder);
}

/** What "Install command line tool…" would do here, or null where the app does not offer it. */
export function commandLinePlan(ctx: InstallContext): CommandLinePlan | null {
  if (!ctx.isPackaged) return null;
  if (ctx.platform === 'linux') {
    const appImage = ctx.env.APPIMAGE;
    if (!appImage || !appImage.startsWith('/')) return null; // the .deb has /usr/bin/openeo-auth-tray
    const bin = join(ctx.home, '.local', 'bin');
    return { kind: 'appimage', target: appImage, destination: join(bin, 'openeo-auth-tray'), onPath: onPath(ctx.env, bin) };
  }
  if (ctx.platform === 'darwin') {
    return { kind: 'macos', target: ctx.execPath, destination: MACOS_DESTINATION, onPath: onPath(ctx.env, dirname(MACOS_DESTINATION)) };
  }
  return null;
}

/** The launcher's text for a plan. */
export function launcherFor(plan: CommandLinePlan): string {
  return plan.kind === 'appimage'
    ? posixLauncher({ target: plan.target, platform: 'linux', whenGone: `${plan.target} is gone (moved or deleted). Start openEO Auth Tray from its new place and choose "Install command line tool…" again.` })
    : posixLauncher({ target: plan.target, platform: 'darwin', whenGone: `${plan.target} is gone. Open openEO Auth Tray and choose "Install command line tool…" in its menu again.` });
}

export type CommandLineState = 'installed' | 'missing' | 'outdated' | 'other';

/** Whether the launcher there is ours and runs this app ('outdated': ours, for an app that moved; 'other': not ours). */
export async function commandLineState(plan: CommandLinePlan): Promise<CommandLineState> {
  let text: string;
  try {
    text = await readFile(plan.destination, 'utf8');
  } catch {
    return 'missing';
  }
  const target = launcherTarget(text);
  if (target === null) return 'other';
  return target === plan.target ? 'installed' : 'outdated';
}

/**
 * The shell command that moves the prepared launcher into place as root (macOS: run by
 * `osascript … with administrator privileges`, which shows the system's password prompt).
 */
export function adminInstallCommand(prepared: string, destination: string): string {
  const folder = dirname(destination);
  return `mkdir -p ${shellQuote(folder)} && install -m 0755 ${shellQuote(prepared)} ${shellQuote(destination)} && rm -f ${shellQuote(prepared)}`;
}

/** `osascript` arguments that run a shell command with the administrator prompt. */
export function osascriptArgs(shellCommand: string): string[] {
  const appleScriptString = `"${shellCommand.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return ['-e', `do shell script ${appleScriptString} with administrator privileges`];
}

export interface InstallDeps {
  /** Runs a program to its end; rejects when it fails (e.g. the person cancelled the prompt). */
  run(file: string, args: string[]): Promise<void>;
  tmpdir: string;
}

/** Writes the launcher. The AppImage's goes to ~/.local/bin directly; macOS's through the administrator prompt. */
export async function installCommandLine(plan: CommandLinePlan, deps: InstallDeps): Promise<void> {
  const text = launcherFor(plan);
  if (plan.kind === 'appimage') {
    await mkdir(dirname(plan.destination), { recursive: true });
    const part = `${plan.destination}.${process.pid}.part`;
    await writeFile(part, text, { mode: 0o755 });
    await chmod(part, 0o755);
    await rename(part, plan.destination);
    return;
  }
  const prepared = join(deps.tmpdir, `openeo-auth-tray-cli-${process.pid}-${Date.now()}`);
  await writeFile(prepared, text, { mode: 0o755 });
  await deps.run('/usr/bin/osascript', osascriptArgs(adminInstallCommand(prepared, plan.destination)));
  await access(plan.destination, constants.X_OK);
}

/** Where the command is when the app does not offer to install it (the window's About says it). */
export function commandLineHow(ctx: InstallContext): string {
  if (!ctx.isPackaged) return 'A development run: from the checkout, `npm link` puts openeo-auth-tray on your PATH (or run `node dist/cli/openeo-auth-tray.cjs`).';
  if (ctx.platform === 'win32') return 'The installer put openeo-auth-tray on your PATH: open a new terminal and run `openeo-auth-tray status`.';
  if (ctx.platform === 'linux') return 'The .deb installed the command as /usr/bin/openeo-auth-tray: run `openeo-auth-tray status` in a terminal.';
  return `Run \`${ctx.execPath} --cli status\`.`;
}
