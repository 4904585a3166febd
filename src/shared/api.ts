/**
 * The IPC contract between the window and the main process: one method per operation.
 * The preload exposes exactly this shape as `window.openeoAuth`; main implements it
 * (src/main/core/tray-app/window-api.ts) and wires it to IPC channels named in ./channels.ts.
 * Everything here is plain data (structured-clone safe) and free of secrets, except the
 * client secret the user types into `addServiceAccount`, which goes straight to the keychain.
 */
import type { Result } from './result.ts';
import type { Settings } from './settings.ts';
import type { IdentityStatus, LoginFlow, BatchJob, RefreshTokenExpiry, JobLogEntry, JobResults, ScriptsView } from './model.ts';

export type { Result, IdentityStatus, LoginFlow, BatchJob, RefreshTokenExpiry, JobLogEntry, JobResults, ScriptsView };

export interface ProviderChoice {
  id: string;
  title: string;
  issuer: string;
  description?: string;
  /** Flows the provider's default client allows (`client-credentials` is always offered). */
  flows: LoginFlow[];
  isDefault: boolean;
}

export interface BackendChoice {
  backendUrl: string;
  apiUrl: string;
  apiVersion: string;
  title?: string;
  providers: ProviderChoice[];
  /** The names a login here gets when the name field is left empty (the backend's own title). */
  defaultLabels: { personal: string; serviceAccount: string };
}

export interface DeviceLoginStarted {
  loginId: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  userCode: string;
  /** Epoch ms when the user code stops working. */
  expiresAt: number;
  /** Seconds between polls. */
  interval: number;
  /** Set when the sign-in page is not on the identity provider's own host (or not https): show it beside the code. */
  warning?: string;
}

export interface LoginRequest {
  backendUrl: string;
  providerId?: string;
  label?: string;
  /** For "Sign in again": the identity to renew. */
  identityId?: string;
}

export type CopyWhat = 'access-token' | 'bearer' | 'authorization-header' | 'python-snippet' | 'refresh-token';

export interface CreditsView {
  identityId: string;
  kind: 'personal' | 'client-credentials';
  /** `/me` budget when the backend gives one. */
  budget: number | null;
  billingUrl: string | null;
  serviceAccount: null | {
    clientId: string;
    userId: string | null;
    personalUserId: string | null;
    personalLabel: string | null;
    /** The message for support: only facts (IDs, what the job list shows). */
    supportMessage: string;
    /** Where the message goes: CDSE's help center, else the backend's own page when it names one. */
    support: { name: string; url: string | null };
    /**
     * How linking works there: CDSE's documented process (one batch job first, then a request to
     * its help center), or not known to this app (the backend's operators say whether they link at all).
     */
    process: 'cdse' | 'ask-operators';
    /**
     * What the service account's own job list says: jobs started (queued or further) and
     * finished. CDSE links credits only after one batch job has run. Null: the list could not be read.
     */
    batchJobs: { started: number; finished: number } | null;
  };
}

/**
 * Which page of an account's batch jobs to read: the first (`limit` jobs at most, the spec's
 * optional pagination), or the one the backend's `next` link of the previous page names.
 */
export interface JobPageRequest {
  limit: number;
  /** The `next` link of the previous page, exactly as {@link JobList.next} gave it. */
  next?: string;
}

/** The Jobs page: one page of an account's batch jobs, and the unit their costs are in. */
export interface JobList {
  jobs: BatchJob[];
  /** The backend's billing currency (`GET /` `billing.currency`), e.g. "EUR" or "credits"; null when it names none. */
  currency: string | null;
  /** The backend's link to the next page, or null when this is the last (or the backend does not page). */
  next: string | null;
}

/** A browser login under way: its id, and the sign-in page the browser was sent to (to open again or copy). */
export interface BrowserLoginStarted {
  loginId: string;
  /** The identity provider's sign-in page for this login; no secret (PKCE keeps the verifier in the app). */
  signInUrl: string;
  /** Whether the system opened it in a browser; when not, the person opens or copies it from the window. */
  browserOpened: boolean;
}

/** One job in full: its metadata, the first page of its logs, and its results' signed links. */
export interface JobDetails {
  job: BatchJob & { description?: string };
  currency: string | null;
  logs: { ok: true; entries: JobLogEntry[]; more: boolean } | { ok: false; message: string };
  /** Null while the job has not finished (the API gives results only then). */
  results: null | ({ ok: true } & JobResults) | { ok: false; message: string };
}

/** The settings the window shows and changes: exactly the settings file's (src/shared/settings.ts). */
export type SettingsView = Settings;

/** Whether scripts may use a login through the token agent: yes, after asking the person, or no. */
export type ScriptAccess = ScriptsView['access'];
export const SCRIPT_ACCESS_VALUES: readonly ScriptAccess[] = ['allow', 'ask', 'deny'];

/** One forward of the token agent: a socket a remote machine reaches through `ssh -R`. */
export interface ForwardView {
  /** Eight hex digits. */
  id: string;
  /** The only logins it serves (access tokens only). */
  identities: Array<{ id: string; label: string }>;
  /** When it ends, epoch ms. */
  until: number;
  /** The command that connects a remote machine to it; `HOST` stands for that machine. No secret. */
  ssh: string;
}

/** The token agent as the window sees it. */
export interface ForwardList {
  /** The app serves the token agent now. */
  running: boolean;
  /** Why it does not, when it could not start; null otherwise (and where the app has no agent). */
  problem: { code: string; message: string } | null;
  forwards: ForwardView[];
}

/**
 * The app's updates (electron-updater, from the project's GitHub Releases). `automatic`: the
 * `checkForUpdates` setting (a daily look). `lastCheckedAt`: epoch ms.
 */
export type UpdateView =
  /** `development`: not an installed app (`npm start`); `unavailable`: this build cannot update itself. */
  | { kind: 'off'; reason: 'development' | 'unavailable'; message: string }
  | { kind: 'idle'; automatic: boolean; lastCheckedAt: number | null }
  | { kind: 'checking'; automatic: boolean; lastCheckedAt: number | null }
  | { kind: 'up-to-date'; automatic: boolean; lastCheckedAt: number }
  /** A newer release was found and is being downloaded; `notes` are its release notes as plain text. */
  | { kind: 'downloading'; automatic: boolean; lastCheckedAt: number; version: string; notes: string }
  /** Downloaded: `installUpdate()` shows the notes and restarts when the person agrees. */
  | { kind: 'ready'; automatic: boolean; lastCheckedAt: number; version: string; notes: string }
  | { kind: 'failed'; automatic: boolean; lastCheckedAt: number; message: string };

/** The `openeo-auth-tray` command of this installed app (docs/command-line-install.md). */
export type CommandLineView =
  /** The app does not put it on the PATH itself: `how` says where it is (the .deb, Windows) or how to get it. */
  | { offered: false; how: string }
  /** macOS and the AppImage: "Install command line tool…" writes `path`; `state` of what is there now. */
  | { offered: true; state: 'installed' | 'missing' | 'outdated' | 'other'; path: string; onPath: boolean };

/** What the window's About shows. */
export interface AboutView {
  /** package.json's version, as the CLI's `--version` and the agent's info say it. */
  version: string;
  updates: UpdateView;
  commandLine: CommandLineView;
}

export type Page = 'accounts' | 'add' | 'credits' | 'jobs' | 'settings';
export interface Navigation {
  page: Page;
  identityId?: string;
}

/** The one bridge object. Every method resolves (never rejects) with a Result. */
export interface OpenEoAuthApi {
  listIdentities(): Promise<Result<IdentityStatus[]>>;
  discoverBackend(backendUrl: string): Promise<Result<BackendChoice>>;
  startDeviceLogin(request: LoginRequest): Promise<Result<DeviceLoginStarted>>;
  /** Resolves once the browser was sent to the sign-in page (or the login could not start). */
  startBrowserLogin(request: LoginRequest): Promise<Result<BrowserLoginStarted>>;
  /** Resolves when the login started by startDevice/BrowserLogin ends (success or failure). */
  awaitLogin(loginId: string): Promise<Result<{ identityId: string }>>;
  cancelLogin(loginId: string): Promise<Result<null>>;
  addServiceAccount(request: LoginRequest & { clientId: string; clientSecret: string }): Promise<Result<{ identityId: string }>>;
  refreshNow(identityId: string): Promise<Result<IdentityStatus>>;
  signOut(identityId: string, revoke: boolean): Promise<Result<null>>;
  /** Gives a login a new name (unique among the logins, as the settings file requires); answers its row. */
  renameIdentity(identityId: string, label: string): Promise<Result<IdentityStatus>>;
  copy(identityId: string, what: CopyWhat): Promise<Result<{ clearsInSeconds: number }>>;
  copyText(text: string): Promise<Result<{ clearsInSeconds: number }>>;
  getCredits(identityId: string): Promise<Result<CreditsView>>;
  listJobs(identityId: string, page: JobPageRequest): Promise<Result<JobList>>;
  /** The jobs named, as the backend has them now (for running jobs on screen); jobs it no longer has are left out. */
  refreshJobs(identityId: string, jobIds: string[]): Promise<Result<{ jobs: BatchJob[] }>>;
  getJob(identityId: string, jobId: string): Promise<Result<JobDetails>>;
  getSettings(): Promise<Result<SettingsView>>;
  updateSettings(patch: Partial<SettingsView>): Promise<Result<SettingsView>>;
  openExternal(url: string): Promise<Result<null>>;
  /** Opens the folder with the app's log files in the system's file manager. */
  openLogFolder(): Promise<Result<null>>;
  /**
   * Whether scripts may use this login through the token agent (`allow`, `ask` first for a script
   * not seen in the last hour, or `deny`); answers the login's row. Earlier answers to questions
   * about it are forgotten.
   */
  setScriptAccess(identityId: string, access: ScriptAccess): Promise<Result<IdentityStatus>>;
  listForwards(): Promise<Result<ForwardList>>;
  /** Opens a forward for `identityIds` lasting `forSeconds` (at most a week). */
  createForward(identityIds: string[], forSeconds: number): Promise<Result<ForwardView>>;
  /** Ends a forward; `stopped` is false when it had ended already. */
  stopForward(forwardId: string): Promise<Result<{ stopped: boolean }>>;
  /** The version, the updates' state and the command line's, for About. */
  getAbout(): Promise<Result<AboutView>>;
  /** Looks for an update now (also when the daily look is off); resolves after the look. */
  checkForUpdates(): Promise<Result<UpdateView>>;
  /**
   * For a downloaded update: the app shows its notes in a native dialog and restarts into it when
   * the person agrees (`restarting`); false when they chose Later or nothing is ready.
   */
  installUpdate(): Promise<Result<{ restarting: boolean }>>;
  /** macOS and the AppImage: puts `openeo-auth-tray` on the PATH (macOS asks for an administrator). */
  installCommandLine(): Promise<Result<CommandLineView>>;
  /** Main pushes status changes and navigation requests (from the tray or a notification). */
  onIdentitiesChanged(listener: (identities: IdentityStatus[]) => void): () => void;
  onNavigate(listener: (to: Navigation) => void): () => void;
}
