import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import type { IpcRendererEvent } from 'electron';
import { createBridge, type BridgeIpc } from '../../src/preload/bridge.ts';
import { CHANNELS, PUSH_CHANNELS, type InvokeMethod } from '../../src/shared/channels.ts';
import type { OpenEoAuthApi } from '../../src/shared/api.ts';
import { compileFunction } from 'node:vm';

type Listener = (event: IpcRendererEvent, ...args: unknown[]) => void;

/** An ipcRenderer stand-in that records invokes and lets the test push events. */
function fakeIpc(answer: (channel: string, args: unknown[]) => Promise<unknown> = async () => ({ ok: true, value: null })) {
  const invokes: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new Map<string, Listener[]>();
  const ipc = {
    invoke: (channel: string, ...args: unknown[]) => {
      invokes.push({ channel, args });
      return answer(channel, args);
    },
    on(channel: string, listener: Listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      return this;
    },
    removeListener(channel: string, listener: Listener) {
      const list = listeners.get(channel) ?? [];
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
      return this;
    },
  };
  const push = (channel: string, payload: unknown) => {
    const event = { sender: 'the IPC event', senderId: 0 } as unknown as IpcRendererEvent;
    for (const l of [...(listeners.get(channel) ?? [])]) l(event, payload);
  };
  return { ipc: ipc as unknown as BridgeIpc & typeof ipc, invokes, listeners, push };
}

const ARGS: { [M in InvokeMethod]: Parameters<OpenEoAuthApi[M]> } = {
  listIdentities: [],
  discoverBackend: ['https://openeo.example'],
  startDeviceLogin: [{ backendUrl: 'https://openeo.example', providerId: 'CDSE' }],
  startBrowserLogin: [{ backendUrl: 'https://openeo.example' }],
  awaitLogin: ['l1'],
  cancelLogin: ['l1'],
  addServiceAccount: [{ backendUrl: 'https://openeo.example', clientId: 'c', clientSecret: 's' }],
  refreshNow: ['cdse-1'],
  signOut: ['cdse-1', true],
  renameIdentity: ['cdse-1', 'Work'],
  copy: ['cdse-1', 'bearer'],
  copyText: ['hello'],
  getCredits: ['cdse-1'],
  listJobs: ['cdse-1', { limit: 20 }],
  refreshJobs: ['cdse-1', ['j-20251129-ndvi']],
  getJob: ['cdse-1', 'j-20251129-ndvi'],
  getSettings: [],
  updateSettings: [{ theme: 'dark' }],
  openExternal: ['https://example.org/'],
  openLogFolder: [],
  setScriptAccess: ['cdse-1', 'deny'],
  listForwards: [],
  getAbout: [],
  checkForUpdates: [],
  installUpdate: [],
  installCommandLine: [],
  createForward: [['cdse-1'], 3600],
  stopForward: ['0a1b2c3d'],
};

describe('preload bridge', () => {
  test('each method invokes its own channel with exactly its arguments and returns the answer', async () => {
    const { ipc, invokes } = fakeIpc(async (channel, args) => ({ ok: true, value: { channel, args } }));
    const api = createBridge(ipc);
    for (const method of Object.keys(CHANNELS) as InvokeMethod[]) {
      const call = api[method] as (...a: unknown[]) => Promise<unknown>;
      const answer = await call(...ARGS[method]);
      assert.deepEqual(answer, { ok: true, value: { channel: CHANNELS[method], args: ARGS[method] } }, method);
      assert.deepEqual(invokes.at(-1), { channel: CHANNELS[method], args: ARGS[method] });
    }
    assert.equal(new Set(invokes.map((i) => i.channel)).size, Object.keys(CHANNELS).length, 'one channel per method');
  });

  test('exposes exactly the contract: the request methods and the two subscriptions', () => {
    const api = createBridge(fakeIpc().ipc);
    assert.deepEqual(Object.keys(api).sort(), [...Object.keys(CHANNELS), 'onIdentitiesChanged', 'onNavigate'].sort());
  });

  test('a failed invoke resolves with a Result instead of rejecting', async () => {
    const api = createBridge(fakeIpc(async () => { throw new Error("No handler registered for 'identities:list'"); }).ipc);
    const result = await api.listIdentities();
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, 'INTERNAL');
      assert.doesNotMatch(result.message, /handler/);
    }
  });

  test('push listeners get the payload only, never the IPC event', () => {
    const { ipc, push } = fakeIpc();
    const api = createBridge(ipc);
    const seen: unknown[][] = [];
    api.onIdentitiesChanged((...args: unknown[]) => seen.push(args));
    api.onNavigate((...args: unknown[]) => seen.push(args));
    push(PUSH_CHANNELS.identitiesChanged, []);
    push(PUSH_CHANNELS.navigate, { page: 'credits', identityId: 'cdse-1' });
    assert.deepEqual(seen, [[[]], [{ page: 'credits', identityId: 'cdse-1' }]]);
  });

  test('unsubscribe removes exactly that listener, once', () => {
    const { ipc, push, listeners } = fakeIpc();
    const api = createBridge(ipc);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = api.onNavigate((to) => a.push(to));
    api.onNavigate((to) => b.push(to));
    offA();
    offA();
    push(PUSH_CHANNELS.navigate, { page: 'settings' });
    assert.deepEqual(a, []);
    assert.deepEqual(b, [{ page: 'settings' }]);
    assert.equal(listeners.get(PUSH_CHANNELS.navigate)?.length, 1);
  });

  test('refuses a listener that is not a function', () => {
    const api = createBridge(fakeIpc().ipc);
    assert.throws(() => api.onNavigate('alert(1)' as never), TypeError);
  });
});

describe('preload bundle', () => {
  test('requires only electron and exposes one object, openeoAuth, without ipcRenderer', async () => {
    const out = await build({
      entryPoints: [new URL('../../src/preload/preload.ts', import.meta.url).pathname],
      bundle: true, format: 'cjs', platform: 'node', target: 'chrome130', external: ['electron'], write: false, logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    const required: string[] = [];
    const exposed: Array<[string, unknown]> = [];
    const { ipc } = fakeIpc();
    const electron = { contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.push([key, value]) }, ipcRenderer: ipc };
    const fakeRequire = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    };
    const module = { exports: {} };
    // The bundle runs as CommonJS does: a function of require, module and exports.
    compileFunction(code, ['require', 'module', 'exports'])(fakeRequire, module, module.exports);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.equal(exposed.length, 1);
    assert.equal(exposed[0]![0], 'openeoAuth');
    const api = exposed[0]![1] as Record<string, unknown>;
    assert.ok(!Object.values(api).includes(ipc), 'ipcRenderer itself is not exposed');
    assert.deepEqual(Object.keys(api).sort(), [...Object.keys(CHANNELS), 'onIdentitiesChanged', 'onNavigate'].sort());
  });
});
