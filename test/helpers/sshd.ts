/**
 * A real OpenSSH server on 127.0.0.1 for tests of socket forwarding (`ssh -R`): Debian's sshd on a
 * free port with its own config, a throwaway host key and user key made with ssh-keygen, and the
 * test's own authorized_keys file. The "remote machine" is this machine, reached as the current
 * user; nothing of the system's sshd or ssh configuration is used or changed.
 *
 *   const sshd = await startSshd();
 *   const run = await sshd.run('python3 -c …', { forwards: [{ remote, local }] });
 *   await sshd.stop();
 *
 * `StreamLocalBindUnlink yes` lets a new `ssh -R` replace a socket a previous session left at the
 * same remote path; `StreamLocalBindMask 0177` makes forwarded sockets 0600.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';
const START_MS = 10_000;
/** sshd (as root) refuses to start without its privilege separation folder; Debian's service makes it at boot. */
const PRIVSEP_DIR = '/run/sshd';

/** Why sshd and ssh cannot be used here, or null. */
export function sshMissing(): string | null {
  for (const [cmd, args] of [[SSHD, ['-V']], ['ssh', ['-V']], ['ssh-keygen', ['-?']]] as const) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
    if (r.error) return `${cmd} is not installed (Debian packages openssh-server, openssh-client): ${r.error.message}`;
  }
  if (process.getuid?.() !== 0) return 'the SSH tests run sshd as root (its privilege separation needs root)';
  return null;
}

/** A local socket forwarded to the remote side: `ssh -R remote:local`. */
export interface SocketForward {
  remote: string;
  local: string;
}

export interface SshOptions {
  forwards?: SocketForward[];
  /** Written to the remote command's stdin (then closed), unless `keepStdin`. */
  input?: string;
  keepStdin?: boolean;
  /** ssh options beyond the fixed ones (e.g. `-o ServerAliveInterval=1`). */
  extraArgs?: string[];
}

export interface SshRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The user sessions log in as (the current one). */
  user: string;
  /** The client's private key. */
  identity: string;
  /** ssh's arguments up to the destination, for a command line of one's own. */
  sshArgs(opts?: SshOptions): string[];
  /** Starts `ssh … user@127.0.0.1 <remoteCommand>` (a command line for the remote shell). */
  spawn(remoteCommand: string, opts?: SshOptions): ChildProcessWithoutNullStreams;
  /** Runs it to the end (SIGKILL after `timeoutMs`) and collects its output. */
  run(remoteCommand: string, opts?: SshOptions & { timeoutMs?: number }): Promise<SshRun>;
  /** What sshd logged so far (`-e`: to stderr). */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when something on the port speaks SSH (its banner), false when the bound passes. */
function banner(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let text = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      c.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    c.setEncoding('latin1');
    c.on('data', (d: string) => {
      text += d;
      if (text.startsWith('SSH-2.0-')) done(true);
    });
    c.on('error', () => done(false));
    c.on('close', () => done(false));
  });
}

/** POSIX quoting for one word of the remote shell's command line. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Starts sshd on a free 127.0.0.1 port (trying a few ports should one be taken meanwhile). */
export async function startSshd(opts: { extraConfig?: string[] } = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'oat-sshd-'));
  chmodSync(dir, 0o700);
  const hostKey = join(dir, 'host_ed25519');
  const identity = join(dir, 'user_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'openeo-auth-tray test host', '-f', hostKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'openeo-auth-tray test user', '-f', identity]);
  const authorized = join(dir, 'authorized_keys');
  copyFileSync(`${identity}.pub`, authorized);
  chmodSync(authorized, 0o600);
  if (!existsSync(PRIVSEP_DIR)) mkdirSync(PRIVSEP_DIR, { mode: 0o755 });
  const config = join(dir, 'sshd_config');
  writeFileSync(config, [
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    'PidFile none',
    `AuthorizedKeysFile ${authorized}`,
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'AllowStreamLocalForwarding yes',
    'StreamLocalBindUnlink yes',
    'StreamLocalBindMask 0177',
    'X11Forwarding no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    ...(opts.extraConfig ?? []),
    '',
  ].join('\n'), { mode: 0o600 });

  let sshd: ChildProcess | undefined;
  let log = '';
  let port = 0;
  for (let attempt = 0; attempt < 5 && !sshd; attempt++) {
    port = await freePort();
    const child = spawn(SSHD, ['-D', '-e', '-f', config, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let exited = false;
    child.once('exit', () => (exited = true));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (log.length < 1_000_000) log += d;
    });
    const deadline = Date.now() + START_MS;
    while (!exited && Date.now() < deadline && !(await banner(port, 1_000))) await new Promise((r) => setTimeout(r, 50));
    if (!exited && Date.now() < deadline) sshd = child;
    else if (!exited) child.kill('SIGKILL');
  }
  if (!sshd) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sshd did not start on 127.0.0.1; its log:\n${log}`);
  }
  const server = sshd;
  const gone = new Promise<void>((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) resolve();
    else server.once('exit', () => resolve());
  });
  const onExit = (): void => {
    server.kill('SIGKILL');
  };
  process.once('exit', onExit);

  const user = userInfo().username;
  const sshArgs = (o: SshOptions = {}): string[] => [
    '-F', '/dev/null',
    '-i', identity,
    '-p', String(port),
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'LogLevel=ERROR',
    '-o', 'ExitOnForwardFailure=yes',
    ...(o.forwards ?? []).flatMap((f) => ['-R', `${f.remote}:${f.local}`]),
    ...(o.extraArgs ?? []),
    `${user}@127.0.0.1`,
  ];
  const spawnSsh = (remoteCommand: string, o: SshOptions = {}): ChildProcessWithoutNullStreams => {
    const child = spawn('ssh', [...sshArgs(o), remoteCommand], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (o.input !== undefined) child.stdin.write(o.input);
    if (!o.keepStdin) child.stdin.end();
    return child;
  };

  return {
    host: '127.0.0.1',
    port,
    user,
    identity,
    sshArgs,
    spawn: spawnSsh,
    run(remoteCommand, o = {}) {
      return new Promise((resolve, reject) => {
        const child = spawnSsh(remoteCommand, o);
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
      });
    },
    log: () => log,
    async stop() {
      process.removeListener('exit', onExit);
      server.kill('SIGTERM');
      const bound = new Promise<'timeout'>((r) => setTimeout(r, 10_000, 'timeout').unref());
      if ((await Promise.race([gone, bound])) === 'timeout') {
        server.kill('SIGKILL');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts that a session works at all (a plain command), with sshd's log in the message if not. */
export async function assertSshWorks(sshd: Sshd): Promise<void> {
  const r = await sshd.run('echo ok', { timeoutMs: 20_000 });
  assert.equal(r.stdout, 'ok\n', `ssh to 127.0.0.1:${sshd.port} failed (${r.code}): ${r.stderr}\nsshd log:\n${sshd.log()}`);
}
