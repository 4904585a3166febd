/** Opens a URL in the user's browser, for https (or loopback http) URLs only. */
import { spawn } from 'node:child_process';
import { isOpenableUrl } from '../core/external-url.ts';

/** Best effort: returns false when no opener could be started (the URL is printed anyway). */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): boolean {
  if (!isOpenableUrl(url)) return false;
  const [cmd, args] = platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
