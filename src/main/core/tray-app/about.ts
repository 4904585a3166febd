/**
 * What the window's About and the tray's last entries need: the version, the updates, and the
 * installed app's command line (whether "Install command line tool…" is offered here, and what
 * is on disk now). Built once by createAppCore; plain Node.
 */
import type { AboutView, CommandLineView } from '../../../shared/api.ts';
import type { TrayConfirmation } from '../tray/menu-item.ts';
import { AuthTrayError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TrayNotification } from '../notifications/notification.ts';
import { VERSION } from '../../../shared/version.ts';
import {
  commandLineHow, commandLinePlan, commandLineState, installCommandLine, type CommandLinePlan, type CommandLineState, type InstallContext, type InstallDeps,
} from '../command-line/install.ts';
import type { UpdateChecker } from '../updates/update-checker.ts';
import type { UpdateView } from '../../../shared/api.ts';

export interface CommandLineDeps {
  context: InstallContext;
  install: InstallDeps;
}

/** The command line's part: its plan here, what is on disk, and installing it. */
export class CommandLine {
  readonly plan: CommandLinePlan | null;
  private state: CommandLineState | null = null;

  constructor(private readonly deps: CommandLineDeps | undefined, private readonly log: Logger, private readonly changed: () => void) {
    this.plan = deps ? commandLinePlan(deps.context) : null;
  }

  /** Reads what is on disk (at start, and after an install). */
  async look(): Promise<void> {
    if (!this.plan) return;
    this.state = await commandLineState(this.plan);
    this.changed();
  }

  view(): CommandLineView {
    if (!this.plan || !this.deps) return { offered: false, how: this.deps ? commandLineHow(this.deps.context) : 'This run has no command line of its own.' };
    return { offered: true, state: this.state ?? 'missing', path: this.plan.destination, onPath: this.plan.onPath };
  }

  /** The tray's entry, where the app offers it. */
  menuEntry(): { label: string; confirm: TrayConfirmation } | undefined {
    const plan = this.plan;
    if (!plan) return undefined;
    const label = this.state === 'installed' ? 'Reinstall command line tool…' : 'Install command line tool…';
    const confirm: TrayConfirmation = plan.kind === 'macos'
      ? {
        message: `Put the openeo-auth-tray command in ${plan.destination}?`,
        detail: 'Shells, R, cron jobs and scripts can then use your logins through it. macOS asks for an administrator\'s password to write there.',
        confirmLabel: 'Install',
      }
      : {
        message: `Put the openeo-auth-tray command in ${plan.destination}?`,
        detail: `It runs this AppImage (${plan.target}). If you move the AppImage, install the command again from its new place.`,
        confirmLabel: 'Install',
      };
    return { label, confirm };
  }

  /** Writes the launcher; the notification says where, and what to do when its folder is not on the PATH. */
  async install(notify: (n: TrayNotification) => void): Promise<CommandLineView> {
    const plan = this.plan;
    if (!plan || !this.deps) {
      throw new AuthTrayError('COMMAND_LINE_INSTALL_FAILED', 'This installation does not install the command line tool itself.', { nextStep: this.view().offered ? undefined : (this.view() as { how: string }).how });
    }
    try {
      await installCommandLine(plan, this.deps.install);
    } catch (e) {
      this.log('warn', 'Installing the command line tool failed.', e);
      throw new AuthTrayError('COMMAND_LINE_INSTALL_FAILED', `openeo-auth-tray could not be written to ${plan.destination}.`, {
        cause: e,
        nextStep: plan.kind === 'macos' ? 'Try again and enter an administrator\'s password when macOS asks.' : 'Check that you may write to that folder, then try again.',
      });
    }
    await this.look();
    const folder = plan.destination.slice(0, plan.destination.lastIndexOf('/'));
    notify({
      title: 'Command line tool installed',
      body: plan.onPath
        ? `openeo-auth-tray is in ${folder}. Open a new terminal and try: openeo-auth-tray status`
        : `openeo-auth-tray is in ${folder}, which is not on your PATH yet: add it in your shell's profile (export PATH="${folder}:$PATH").`,
      onClick: { page: 'settings' },
      urgency: 'normal',
    });
    return this.view();
  }
}

/** About's view: package.json's version, the updates' state, the command line's. */
export function aboutView(updates: UpdateChecker | undefined, commandLine: CommandLine): AboutView {
  const off: UpdateView = { kind: 'off', reason: 'development', message: 'Updates are off in this run.' };
  return { version: VERSION, updates: updates?.state() ?? off, commandLine: commandLine.view() };
}
