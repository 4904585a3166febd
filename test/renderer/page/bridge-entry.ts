/**
 * Runs inside the test page before the window's own script (an init script, bundled by the
 * harness): the real preload bridge (src/preload/bridge.ts) on an `ipcRenderer` stand-in whose
 * `invoke` is a Playwright binding into the test process.
 */
import { createBridge, type BridgeIpc } from '../../../src/preload/bridge.ts';

type Listener = (event: unknown, payload: unknown) => void;
interface TestWindow {
  __openeoIpcInvoke(channel: string, args: unknown[]): Promise<unknown>;
}

const testWindow = window as unknown as Window & TestWindow;
const listeners = new Map<string, Set<Listener>>();
const ipc = {
  invoke: (channel: string, ...args: unknown[]) => testWindow.__openeoIpcInvoke(channel, args),
  on(channel: string, listener: Listener) {
    if (!listeners.has(channel)) listeners.set(channel, new Set());
    listeners.get(channel)?.add(listener);
    return ipc;
  },
  removeListener(channel: string, listener: Listener) {
    listeners.get(channel)?.delete(listener);
    return ipc;
  },
};

/** main's `webContents.send`: the event object stays here, as in Electron's preload. */
function push(channel: string, payload: unknown): number {
  const now = [...(listeners.get(channel) ?? [])];
  for (const listener of now) listener({ sender: 'ipcRenderer' }, payload);
  return now.length;
}

Object.defineProperty(window, '__openeoIpcPush', { value: push });
// Like contextBridge: the page gets a frozen object it cannot rewire.
Object.defineProperty(window, 'openeoAuth', { value: Object.freeze(createBridge(ipc as unknown as BridgeIpc)), enumerable: true });
