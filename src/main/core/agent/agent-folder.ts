/**
 * Where the token agent's sockets live, and the check that makes them private: the folder must be
 * ours, mode 0700 and not a symlink, or the agent does not start. A Unix socket is only as private
 * as its folder and its own mode (0600); there is no other protection, as with oidc-agent and
 * ssh-agent.
 *
 * Default folder: `$OPENEO_AUTH_TRAY_AGENT_DIR`; else Linux `$XDG_RUNTIME_DIR/openeo-auth-tray`
 * (private to the user and cleared at logout), macOS `$TMPDIR/openeo-auth-tray` (a per-user
 * folder there); else the settings folder's `agent/`. Windows has no agent (see the README):
 * Node cannot restrict a named pipe to the current user.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { posix } from 'node:path';
import { AuthTrayError } from '../errors.ts';
import { APP_FOLDER_NAME, settingsDir } from '../settings/paths.ts';

export const AGENT_DIR_ENV = 'OPENEO_AUTH_TRAY_AGENT_DIR';
/** Where scripts look for the agent first (set by `eval "$(openeo-auth-tray agent)"`). */
export const AGENT_SOCK_ENV = 'OPENEO_AUTH_TRAY_SOCK';
export const AGENT_SOCKET_NAME = 'agent.sock';
/** Longest socket path: `sun_path` holds 108 bytes on Linux and 104 on macOS, with the final NUL. */
export const MAX_SOCKET_PATH_BYTES = 103;

/** The agent's folder for this user, or null on Windows (no agent there). */
export function agentDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  const override = env[AGENT_DIR_ENV]?.trim();
  if (override) return override;
  const runtime = env.XDG_RUNTIME_DIR?.trim();
  if (platform !== 'darwin' && runtime && posix.isAbsolute(runtime)) return posix.join(runtime, APP_FOLDER_NAME);
  const tmp = env.TMPDIR?.trim();
  if (platform === 'darwin' && tmp && posix.isAbsolute(tmp)) return posix.join(tmp, APP_FOLDER_NAME);
  return posix.join(settingsDir(env, platform), 'agent');
}

/** The main socket's path for this user (null on Windows). */
export function agentSocketPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const dir = agentDir(env, platform);
  return dir === null ? null : posix.join(dir, AGENT_SOCKET_NAME);
}

function unsafe(dir: string, why: string, fix: string): AuthTrayError {
  return new AuthTrayError('AGENT_FOLDER_UNSAFE', `The token agent did not start: its folder ${dir} ${why}, so other users could reach its socket.`, { nextStep: fix });
}

/**
 * Creates the folder (0700) when it is missing and checks that it is private: a directory (not a
 * symlink), owned by this user, with no access for group or others. Throws AGENT_FOLDER_UNSAFE
 * with what is wrong and how to fix it.
 */
export function ensurePrivateFolder(dir: string, uid: number | undefined = process.getuid?.()): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new AuthTrayError('AGENT_FOLDER_UNSAFE', `The token agent did not start: its folder ${dir} could not be created (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, {
        cause: e,
        nextStep: `Create it (mkdir -m 700 ${dir}) or choose another with ${AGENT_DIR_ENV}.`,
      });
    }
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw unsafe(dir, 'is a symbolic link', `Remove the link (rm ${dir}) and start the agent again; it creates a private folder.`);
  if (!st.isDirectory()) throw unsafe(dir, 'is not a folder', `Remove it (rm ${dir}) and start the agent again.`);
  if (uid !== undefined && st.uid !== uid) throw unsafe(dir, `belongs to another user (uid ${st.uid})`, `Remove it as that user or root, or choose another folder with ${AGENT_DIR_ENV}.`);
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) throw unsafe(dir, `has mode ${mode.toString(8).padStart(4, '0')}`, `Make it private: chmod 700 ${dir}`);
}

/** Throws when `path` is too long for a Unix socket, naming the variable that moves it. */
export function checkSocketPathLength(path: string): void {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new AuthTrayError('AGENT_FOLDER_UNSAFE', `The token agent's socket path is too long for this system (${Buffer.byteLength(path)} bytes, at most ${MAX_SOCKET_PATH_BYTES}): ${path}`, {
      nextStep: `Choose a shorter folder with ${AGENT_DIR_ENV}, e.g. ${AGENT_DIR_ENV}=/tmp/oat-$(id -u).`,
    });
  }
}
