/**
 * The window's preload (bundled to dist/preload/preload.cjs: sandboxed preloads cannot load
 * modules). It exposes exactly one object, `window.openeoAuth`, and never `ipcRenderer` itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { OpenEoAuthApi } from '../shared/api.ts';
import { createBridge } from './bridge.ts';

const api = createBridge(ipcRenderer);

/** The bridge's type, for code that wants the exact shape rather than the contract. */
export type Api = typeof api;

// Compile-time proof that the bridge is the contract, no more and no less.
api satisfies OpenEoAuthApi;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<Api, OpenEoAuthApi>;

contextBridge.exposeInMainWorld('openeoAuth', api);
