/**
 * The one wrapper around `ipcMain`. For every channel in src/shared/channels.ts, and nothing
 * else, it registers a handler that
 *  1. drops the request unless it comes from our window's main frame showing our page,
 *  2. narrows the arguments with that method's guard (they are `unknown` until then),
 *  3. calls the core's API, which answers with a Result and never rejects.
 * Refusals are logged without the arguments (they may hold a secret).
 */
import type { IpcMain } from 'electron';
import type { OpenEoAuthApi, Result } from '../../shared/api.ts';
import { CHANNELS, INVOKE_CHANNELS, type InvokeMethod } from '../../shared/channels.ts';
import { guardArgs } from '../../shared/guards.ts';
import type { Logger } from '../core/log.ts';
import type { SenderFacts } from './windows.ts';

/** The part of `ipcMain` this module uses; Electron's handlers receive a full IpcMainInvokeEvent. */
export interface IpcElectron {
  ipcMain: Pick<IpcMain, 'removeHandler'> & {
    handle(channel: string, listener: (event: SenderFacts, ...args: unknown[]) => Promise<unknown>): void;
  };
}

export interface IpcOptions {
  api: OpenEoAuthApi;
  isOurSender(event: SenderFacts): boolean;
  log: Logger;
}

/** The answer to a request from anywhere but our window. */
export const FORBIDDEN: Result<never> = Object.freeze({
  ok: false,
  code: 'FORBIDDEN',
  message: 'This request did not come from the openEO Auth Tray window and was refused.',
});

const INTERNAL: Result<never> = Object.freeze({
  ok: false,
  code: 'INTERNAL',
  message: 'Something went wrong inside openEO Auth Tray.',
  nextStep: 'Try again; if it keeps happening, restart the app and look at its log.',
});

function invalid(reason: string): Result<never> {
  return {
    ok: false,
    code: 'INVALID_ARGUMENT',
    // Guards never echo a value in their reason, so it is safe to show.
    message: `The window sent a request the app cannot accept: ${reason}.`,
    nextStep: 'Reload the window (close it and open it again from the tray).',
  };
}

/** Answers one request: sender check, argument guard, then the core. Exported for tests. */
export async function answer(method: InvokeMethod, event: SenderFacts, args: unknown[], opts: IpcOptions): Promise<Result<unknown>> {
  let ours: boolean;
  try {
    ours = opts.isOurSender(event);
  } catch {
    ours = false; // a destroyed frame throws on access: not ours
  }
  if (!ours) {
    opts.log('warn', `IPC: refused ${CHANNELS[method]} from a sender that is not the app window.`);
    return FORBIDDEN;
  }
  const guarded = guardArgs(method, args);
  if (!guarded.ok) {
    opts.log('warn', `IPC: refused ${CHANNELS[method]}: ${guarded.reason}.`);
    return invalid(guarded.reason);
  }
  try {
    const call = opts.api[method].bind(opts.api) as (...a: unknown[]) => Promise<Result<unknown>>;
    return await call(...guarded.args);
  } catch (e) {
    // The core promises never to reject; if it does anyway, the window still gets a Result.
    opts.log('error', `IPC: ${CHANNELS[method]} failed unexpectedly.`, e);
    return INTERNAL;
  }
}

/** Registers one handler per request channel. Returns a function that removes them all. */
export function setupIpc(electron: IpcElectron, opts: IpcOptions): () => void {
  for (const method of Object.keys(CHANNELS) as InvokeMethod[]) {
    electron.ipcMain.handle(CHANNELS[method], (event, ...args) => answer(method, event, args, opts));
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) electron.ipcMain.removeHandler(channel);
  };
}
