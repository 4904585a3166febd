/**
 * IPC channel names: one per bridge method, plus the two channels main pushes on.
 * The preload invokes only these, and main's IPC wrapper accepts only these.
 */
import type { OpenEoAuthApi } from './api.ts';

/** Bridge methods that main pushes events through instead of answering a request. */
export type PushMethod = 'onIdentitiesChanged' | 'onNavigate';

/** Bridge methods that are a request to main answered with a Result. */
export type InvokeMethod = Exclude<keyof OpenEoAuthApi, PushMethod>;

/** Method name → channel name for every request the window can make. */
export const CHANNELS = {
  listIdentities: 'identities:list',
  discoverBackend: 'backend:discover',
  startDeviceLogin: 'login:start-device',
  startBrowserLogin: 'login:start-browser',
  awaitLogin: 'login:await',
  cancelLogin: 'login:cancel',
  addServiceAccount: 'identities:add-service-account',
  refreshNow: 'identities:refresh',
  signOut: 'identities:sign-out',
  renameIdentity: 'identities:rename',
  copy: 'clipboard:copy-secret',
  copyText: 'clipboard:copy-text',
  getCredits: 'credits:get',
  listJobs: 'jobs:list',
  refreshJobs: 'jobs:refresh',
  getJob: 'jobs:get',
  getSettings: 'settings:get',
  updateSettings: 'settings:update',
  openExternal: 'shell:open-external',
  openLogFolder: 'shell:open-log-folder',
  setScriptAccess: 'scripts:set-access',
  listForwards: 'forwards:list',
  createForward: 'forwards:create',
  stopForward: 'forwards:stop',
  getAbout: 'about:get',
  checkForUpdates: 'updates:check',
  installUpdate: 'updates:install',
  installCommandLine: 'command-line:install',
} as const satisfies Record<InvokeMethod, string>;

export type InvokeChannel = (typeof CHANNELS)[InvokeMethod];

/** Channels main sends on (webContents.send) and the preload listens to. */
export const PUSH_CHANNELS = {
  identitiesChanged: 'identities:changed',
  navigate: 'navigate',
} as const;

export type PushChannel = (typeof PUSH_CHANNELS)[keyof typeof PUSH_CHANNELS];

const methodByChannel: ReadonlyMap<string, InvokeMethod> = new Map(
  (Object.keys(CHANNELS) as InvokeMethod[]).map((method) => [CHANNELS[method], method]),
);

/** The bridge method a channel belongs to, or undefined for a channel we do not serve. */
export function methodForChannel(channel: unknown): InvokeMethod | undefined {
  return typeof channel === 'string' ? methodByChannel.get(channel) : undefined;
}

/** Every request channel, for registering handlers in main. */
export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.freeze(Object.values(CHANNELS));
