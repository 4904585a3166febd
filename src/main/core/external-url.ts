/** Which URLs may be handed to the system browser (shell.openExternal, xdg-open). */
import { isLoopbackHost } from './net/loopback.ts';

/** True for parsed `https:` URLs, and `http:` only on loopback hosts. */
export function isOpenableUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.username || u.password) return false;
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  } catch {
    return false;
  }
}
