/**
 * Ctrl-C, SIGTERM and SIGHUP while a refresh is being saved: a one-shot process killed between
 * the identity provider rotating the refresh token and the keychain saving the new one would end
 * the login for good. So from sending a refresh until its token is saved these signals wait; then
 * the process ends the way the first of them asked (as if it had arrived then).
 */
const DEFERRED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

let depth = 0;
let caught: NodeJS.Signals | null = null;
let said = false;

function hold(signal: NodeJS.Signals): void {
  caught ??= signal;
  if (!said) {
    said = true;
    process.stderr.write('openeo-auth-tray: stopping as soon as the renewed login is saved (so that it is not lost).\n');
  }
}

/** Runs `work` with SIGINT, SIGTERM and SIGHUP deferred until it has settled. */
export async function whileSaving<T>(work: () => Promise<T>): Promise<T> {
  if (depth++ === 0) for (const s of DEFERRED) process.on(s, hold);
  try {
    return await work();
  } finally {
    if (--depth === 0) {
      for (const s of DEFERRED) process.off(s, hold);
      const signal = caught;
      caught = null;
      said = false;
      // No handler left: the signal now does what it would have done (the process ends).
      if (signal) process.kill(process.pid, signal);
    }
  }
}
