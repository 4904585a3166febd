/**
 * How a child process finds this CLI again: on the PATH, or through `OPENEO_AUTH_TRAY_CLI`, a
 * command line the Python bridge splits with `shlex` (POSIX rules; on Windows `posix=False`).
 */
import { posix, win32 } from 'node:path';

/** True when `name` is an executable file in one of the PATH's folders (with PATHEXT on Windows). */
export function isOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, isFile: (path: string) => boolean): boolean {
  const path = Object.entries(env).find(([k]) => k.toUpperCase() === 'PATH')?.[1] ?? '';
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const paths = platform === 'win32' ? win32 : posix;
  for (const dir of path.split(paths.delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) if (isFile(paths.join(dir, `${name}${ext}`))) return true;
  }
  return false;
}

/** One argument quoted so that `shlex.split` gives it back unchanged. */
function quote(arg: string, platform: NodeJS.Platform): string {
  if (platform === 'win32') return `"${arg.replaceAll('"', '""')}"`;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`;
}

/** A command line for `argv`, for `OPENEO_AUTH_TRAY_CLI`. */
export function commandLine(argv: readonly string[], platform: NodeJS.Platform): string {
  return argv.map((a) => quote(a, platform)).join(' ');
}
