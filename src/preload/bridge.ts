/**
 * The one bridge object the window gets as `window.openeoAuth`: one method per operation, each a
 * single `invoke` on the channel named in src/shared/channels.ts. Kept apart from preload.ts so
 * it can be tested (and reused by the browser test harness) without Electron.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { OpenEoAuthApi, Result } from '../shared/api.ts';
import { CHANNELS, PUSH_CHANNELS, type InvokeMethod, type PushChannel } from '../shared/channels.ts';

/** The part of `ipcRenderer` the bridge uses. */
export type BridgeIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

type Answer<M extends InvokeMethod> = ReturnType<OpenEoAuthApi[M]>;

/** What the window sees when main did not answer (no handler, or the handler threw). */
const NO_ANSWER: Result<never> = {
  ok: false,
  code: 'INTERNAL',
  message: 'The app did not answer this request.',
  nextStep: 'Try again; if it keeps happening, restart openEO Auth Tray.',
};

/** Builds the bridge on an `ipcRenderer`. Every method resolves with a Result; none rejects. */
export function createBridge(ipc: BridgeIpc) {
  function invoke<M extends InvokeMethod>(method: M, ...args: Parameters<OpenEoAuthApi[M]>): Answer<M> {
    return ipc.invoke(CHANNELS[method], ...args).catch(() => NO_ANSWER) as Answer<M>;
  }

  /** Subscribes `listener` to a push channel; the IPC event object never reaches the window. */
  function subscribe<T>(channel: PushChannel, listener: (payload: T) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const forward = (_event: IpcRendererEvent, payload: T): void => listener(payload);
    ipc.on(channel, forward);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, forward);
    };
  }

  const api = {
    listIdentities: () => invoke('listIdentities'),
    discoverBackend: (backendUrl: string) => invoke('discoverBackend', backendUrl),
    startDeviceLogin: (request: Parameters<OpenEoAuthApi['startDeviceLogin']>[0]) => invoke('startDeviceLogin', request),
    startBrowserLogin: (request: Parameters<OpenEoAuthApi['startBrowserLogin']>[0]) => invoke('startBrowserLogin', request),
    awaitLogin: (loginId: string) => invoke('awaitLogin', loginId),
    cancelLogin: (loginId: string) => invoke('cancelLogin', loginId),
    addServiceAccount: (request: Parameters<OpenEoAuthApi['addServiceAccount']>[0]) => invoke('addServiceAccount', request),
    refreshNow: (identityId: string) => invoke('refreshNow', identityId),
    signOut: (identityId: string, revoke: boolean) => invoke('signOut', identityId, revoke),
    renameIdentity: (identityId: string, label: string) => invoke('renameIdentity', identityId, label),
    copy: (identityId: string, what: Parameters<OpenEoAuthApi['copy']>[1]) => invoke('copy', identityId, what),
    copyText: (text: string) => invoke('copyText', text),
    getCredits: (identityId: string) => invoke('getCredits', identityId),
    listJobs: (identityId: string, page: Parameters<OpenEoAuthApi['listJobs']>[1]) => invoke('listJobs', identityId, page),
    refreshJobs: (identityId: string, jobIds: string[]) => invoke('refreshJobs', identityId, jobIds),
    getJob: (identityId: string, jobId: string) => invoke('getJob', identityId, jobId),
    getSettings: () => invoke('getSettings'),
    updateSettings: (patch: Parameters<OpenEoAuthApi['updateSettings']>[0]) => invoke('updateSettings', patch),
    openExternal: (url: string) => invoke('openExternal', url),
    openLogFolder: () => invoke('openLogFolder'),
    setScriptAccess: (identityId: string, access: Parameters<OpenEoAuthApi['setScriptAccess']>[1]) => invoke('setScriptAccess', identityId, access),
    listForwards: () => invoke('listForwards'),
    createForward: (identityIds: string[], forSeconds: number) => invoke('createForward', identityIds, forSeconds),
    stopForward: (forwardId: string) => invoke('stopForward', forwardId),
    getAbout: () => invoke('getAbout'),
    checkForUpdates: () => invoke('checkForUpdates'),
    installUpdate: () => invoke('installUpdate'),
    installCommandLine: () => invoke('installCommandLine'),
    onIdentitiesChanged: (listener: Parameters<OpenEoAuthApi['onIdentitiesChanged']>[0]) =>
      subscribe(PUSH_CHANNELS.identitiesChanged, listener),
    onNavigate: (listener: Parameters<OpenEoAuthApi['onNavigate']>[0]) => subscribe(PUSH_CHANNELS.navigate, listener),
  } satisfies OpenEoAuthApi;
  return api;
}
