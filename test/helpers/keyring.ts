/**
 * A private, real Secret Service for tests: its own D-Bus session bus and gnome-keyring-daemon
 * with a known password, in throwaway folders. The keyring of the person running the tests is
 * never touched. `lock()`/`unlock()` play a screen-locked keyring; `keyringAbsentEnv()` an OS
 * with no Secret Service at all.
 *
 * keytar (libsecret) picks its bus from DBUS_SESSION_BUS_ADDRESS at its first call, so give `env`
 * to child processes, or copy DBUS_SESSION_BUS_ADDRESS into process.env before keytar's first use.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export interface PrivateKeyring {
  /** Environment for child processes: the private bus, XDG folders, no DISPLAY. */
  env: NodeJS.ProcessEnv;
  /** Locks the `login` collection, as a screen lock or `secret-tool lock` would. */
  lock(): Promise<void>;
  /** Unlocks it with the known password, the way pam_gnome_keyring does at login. */
  unlock(): Promise<void>;
  /** Ends the daemon and the bus and removes the folders. */
  stop(): Promise<void>;
}

const PASSWORD = 'test-keyring-password';
const LOGIN = '/org/freedesktop/secrets/collection/login';
const STEP_TIMEOUT_MS = 10_000;

/** Without DISPLAY a locked keyring fails fast instead of starting a prompter that waits forever. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'GNOME_KEYRING_CONTROL']) delete env[k];
  return env;
}

/** Starts a private bus and an unlocked gnome-keyring on it. */
export async function startPrivateKeyring(): Promise<PrivateKeyring> {
  const root = mkdtempSync(join(tmpdir(), 'openeo-keyring-'));
  const runtime = join(root, 'runtime');
  mkdirSync(join(root, 'data'));
  mkdirSync(join(root, 'config'));
  mkdirSync(runtime, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_RUNTIME_DIR: runtime,
  };
  let bus: ChildProcess | undefined;
  let daemonPid: number | undefined;

  // Should the test process end without stop(), do not leave the daemons behind.
  const onExit = (): void => {
    if (daemonPid !== undefined) killQuietly(daemonPid);
    bus?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    if (daemonPid !== undefined) killQuietly(daemonPid);
    if (bus && bus.exitCode === null && bus.signalCode === null) {
      const exited = new Promise((r) => bus?.once('exit', r));
      bus.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };

  try {
    bus = spawn('dbus-daemon', ['--session', '--nofork', `--address=unix:path=${join(root, 'bus')}`, '--print-address=1'], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    env.DBUS_SESSION_BUS_ADDRESS = await firstLine(bus, 'dbus-daemon');

    const log = openSync(join(root, 'keyring.log'), 'w');
    const keyring = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets', '--daemonize'], {
      env,
      stdio: ['pipe', log, log],
    });
    closeSync(log);
    keyring.stdin?.end(PASSWORD);
    const code = await exitCode(keyring, 'gnome-keyring-daemon');
    if (code !== 0) throw new Error(`gnome-keyring-daemon exited with ${code}; see ${join(root, 'keyring.log')}`);
    daemonPid = await secretServicePid(env);
    if (await isLocked(env)) throw new Error('the private keyring did not start unlocked');
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    env,
    async lock() {
      await gdbus(env, ['--dest', 'org.freedesktop.secrets', '--object-path', '/org/freedesktop/secrets', '--method', 'org.freedesktop.Secret.Service.Lock', `['${LOGIN}']`]);
      if (!(await isLocked(env))) throw new Error('locking the private keyring had no effect');
    },
    async unlock() {
      const result = await controlUnlock(join(runtime, 'keyring', 'control'), PASSWORD);
      if (result !== 0) throw new Error(`gnome-keyring refused to unlock (control result ${result})`);
      if (await isLocked(env)) throw new Error('unlocking the private keyring had no effect');
    },
    stop,
  };
}

/** An environment in which no D-Bus session (hence no Secret Service) can be found. */
export function keyringAbsentEnv(): NodeJS.ProcessEnv {
  const nowhere = join(tmpdir(), `openeo-no-bus-${randomUUID()}`);
  return { ...baseEnv(), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(nowhere, 'bus')}`, XDG_RUNTIME_DIR: nowhere };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone (it exits with its bus)
  }
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what} printed no address within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${what} (install the Debian packages dbus and gnome-keyring): ${e.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited early with ${code}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        resolve(text.slice(0, nl).trim());
      }
    });
  });
}

function exitCode(child: ChildProcess, what: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${what} (install the Debian package gnome-keyring): ${e.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function gdbus(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('gdbus', ['call', '--session', ...args], { env, timeout: STEP_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) reject(new Error(`gdbus ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** The daemon's pid, asked of the bus; retried briefly while the daemon claims its name. */
async function secretServicePid(env: NodeJS.ProcessEnv): Promise<number> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    try {
      const out = await gdbus(env, ['--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'org.freedesktop.secrets']);
      const pid = Number(/uint32 (\d+)/.exec(out)?.[1]);
      if (Number.isInteger(pid) && pid > 0) return pid;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function isLocked(env: NodeJS.ProcessEnv): Promise<boolean> {
  const out = await gdbus(env, ['--dest', 'org.freedesktop.secrets', '--object-path', LOGIN, '--method', 'org.freedesktop.DBus.Properties.Get', 'org.freedesktop.Secret.Collection', 'Locked']);
  return out.includes('true');
}

/**
 * gnome-keyring's control-socket UNLOCK (op 1), as pam_gnome_keyring sends it: one credentials
 * byte, then big-endian [packet length][op][password length][password]; the answer is
 * [8][result] with 0 = unlocked, 1 = wrong password. (`gnome-keyring-daemon --unlock` would start
 * a second daemon instead of unlocking the running one.)
 */
function controlUnlock(socketPath: string, password: string): Promise<number> {
  const pw = Buffer.from(password, 'utf8');
  const msg = Buffer.alloc(13 + pw.length);
  msg.writeUInt32BE(12 + pw.length, 1);
  msg.writeUInt32BE(1, 5);
  msg.writeUInt32BE(pw.length, 9);
  pw.copy(msg, 13);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(socketPath, () => socket.write(msg));
    socket.setTimeout(STEP_TIMEOUT_MS, () => socket.destroy(new Error('gnome-keyring control socket did not answer')));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (Buffer.concat(chunks).length >= 8) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const reply = Buffer.concat(chunks);
      if (reply.length < 8) reject(new Error('gnome-keyring control socket gave no answer'));
      else resolve(reply.readUInt32BE(4));
    });
  });
}
