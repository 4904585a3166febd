/**
 * What the tray app's parts share: the dependencies the Electron layer passes in, and the services
 * createAppCore builds from them for the window API and the credits view. Kept apart from
 * app-core.ts so that those modules depend on this shape, not on the module that builds them.
 */
import type Conf from 'conf';
import type { Navigation } from '../../../shared/api.ts';
import type { IdentityStatus } from '../../../shared/model.ts';
import type { ClipboardGuard, ClipboardPort } from '../clipboard/clipboard-guard.ts';
import type { JobTracker } from '../jobs/job-tracker.ts';
import type { TokenLifecycle } from '../lifecycle/lifecycle.ts';
import type { Logger } from '../log.ts';
import type { TrayNotification } from '../notifications/notification.ts';
import type { NotifiableEvent } from '../notifications/events.ts';
import type { Clock, FetchLike, KeychainHealth, SecretStore, Timers } from '../ports.ts';
import type { SessionContext } from '../session/session-context.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { LoginRegistry } from './logins.ts';
import type { AskFn } from '../agent/script-access.ts';
import type { TokenAgent } from '../agent/token-agent.ts';
import type { UpdaterPort } from '../updates/updater-port.ts';
import type { UpdateChecker } from '../updates/update-checker.ts';
import type { CommandLine, CommandLineDeps } from './about.ts';

export interface AppCoreDeps {
  dir: string;
  secrets: SecretStore;
  clock: Clock;
  timers: Timers;
  fetch?: FetchLike;
  /** conf's class, or electron-store's (same options). */
  Store?: typeof Conf;
  log: Logger;
  clipboard: ClipboardPort;
  /** Called only with URLs already checked to be https (or loopback http). */
  openExternal(url: string): Promise<void>;
  notify(n: TrayNotification): void;
  setStartAtLogin(enabled: boolean): void;
  /** Opens the app's log folder in the system's file manager (the Electron layer's shell.openPath); absent where there is none. */
  openLogFolder?(): Promise<void>;
  /** The Python client's store; default: its own location rules. */
  pythonStorePath?: string;
  env?: NodeJS.ProcessEnv;
  /** The command scripts call for a token (the Python snippet); default `openeo-auth-tray`. */
  cliCommand?: string[];
  /**
   * The token agent, served while the app runs: its private folder (agent-folder.ts `agentDir`)
   * and how to ask the person about a new script. Absent: no agent (tests, Windows).
   */
  agent?: { dir: string; ask?: AskFn };
  /** The installed app's command line (core/command-line): where it is, and installing it where the app offers that. */
  commandLine?: CommandLineDeps;
  /**
   * Updates (core/updates): the updater (null: this build has none), whether this is an installed
   * app, and the question with the release notes before a restart. Absent: no updates at all.
   */
  updates?: { updater: UpdaterPort | null; isPackaged: boolean; confirm(update: { version: string; notes: string }): Promise<boolean> };
}

/** Everything window-api.ts and credits.ts need; built once by createAppCore. */
export interface AppServices {
  deps: AppCoreDeps;
  store: () => SettingsStore;
  session: () => SessionContext;
  lifecycle: () => TokenLifecycle;
  jobs: () => JobTracker;
  clipboard: ClipboardGuard;
  logins: LoginRegistry;
  statuses(): IdentityStatus[];
  changed(): void;
  navigate(to: Navigation): void;
  announce(event: NotifiableEvent): void;
  keychainHealth(): KeychainHealth;
  /** The token agent, when the app serves one. */
  agent(): TokenAgent | undefined;
  /** Why the agent is not running (its folder is unsafe, …), or null. */
  agentProblem(): { code: string; message: string } | null;
  checkKeychain(): Promise<KeychainHealth>;
  /** The updates, once started (absent where the app has none). */
  updates(): UpdateChecker | undefined;
  commandLine: CommandLine;
  onChange(listener: () => void): () => void;
  onNavigate(listener: (to: Navigation) => void): () => void;
}
