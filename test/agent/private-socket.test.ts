/**
 * The agent's socket is closed to other local users, and the agent refuses folders that would
 * open it. Another user is played by `runuser -u nobody` (the tests run as root); a connection
 * attempt is made with the system's Python. Since a 0700 folder anywhere above the socket keeps
 * others out on its own, one test places the agent under a world-traversable (0711) parent, so
 * that only the agent's folder and then only the socket file's own mode stand in the way — and a
 * control shows that the same probe does get through when nothing stands in the way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signIn, startCliWorld, theErrorLine } from '../e2e/cli-harness.ts';
import { runCli } from '../helpers/cli.ts';
import { deferrer, nobodyIds, otherUserMissing, peerOptions, requirePeer, startAgent, SYSTEM_PYTHON } from '../helpers/agent.ts';

const otherUser = otherUserMissing();

/** Connects to `socket` as the user nobody and asks for the agent's info. */
const CONNECT_SCRIPT = String.raw`
import errno, json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(sys.argv[1])
    s.sendall(b'{"request": "openeo-auth-tray/info"}')
    data = b""
    while True:
        part = s.recv(4096)
        if not part:
            break
        data += part
    print(json.dumps({"connected": True, "answer": data.decode()}))
except OSError as e:
    print(json.dumps({"connected": False, "errno": errno.errorcode.get(e.errno, str(e.errno))}))
`;

function asNobody(socket: string): Promise<{ connected: boolean; errno?: string; answer?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', 'nobody', '--', SYSTEM_PYTHON, '-c', CONNECT_SCRIPT, socket], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the probe as nobody failed (${code}): ${err}`));
      else resolve(JSON.parse(out) as { connected: boolean; errno?: string; answer?: string });
    });
  });
}

const mode = (path: string): number => lstatSync(path).mode & 0o777;

/**
 * A folder under `root` whose agent.sock path is `bytes` long. Made of short words, not one long
 * run of letters, which the CLI's redaction would take for a secret and hide in its messages.
 */
function folderOfLength(root: string, bytes: number): string {
  let dir = root;
  const rest = (): number => bytes - Buffer.byteLength(`${dir}/agent.sock`);
  while (rest() > 6) dir += '/deep';
  dir += `/${'d'.repeat(rest() - 1)}`;
  assert.equal(Buffer.byteLength(`${dir}/agent.sock`), bytes);
  return dir;
}

test('another local user cannot connect to the agent in its default folder ($XDG_RUNTIME_DIR/openeo-auth-tray)', peerOptions(otherUser), async (t) => {
  requirePeer(otherUser);
  const defer = deferrer(t);
  const world = await startCliWorld();
  defer(() => world.stop());
  const agent = await startAgent(world.env);
  defer(() => agent.stop());
  assert.equal(agent.socket, join(world.env.XDG_RUNTIME_DIR!, 'openeo-auth-tray', 'agent.sock'));
  assert.ok(lstatSync(agent.socket).isSocket());
  assert.equal(mode(agent.socket), 0o600, 'the socket is 0600');
  assert.equal(mode(join(world.env.XDG_RUNTIME_DIR!, 'openeo-auth-tray')), 0o700, 'its folder is 0700');
  assert.deepEqual(await asNobody(agent.socket), { connected: false, errno: 'EACCES' });
});

test('under a world-traversable parent, the folder\'s own 0700 and then the socket\'s own 0600 keep another user out (main socket and a forward)', peerOptions(otherUser), async (t) => {
  requirePeer(otherUser);
  const defer = deferrer(t);
  const world = await startCliWorld();
  defer(() => world.stop());
  const id = await signIn(world);
  const parent = mkdtempSync(join(tmpdir(), 'oat-agent-parent-'));
  defer(() => rmSync(parent, { recursive: true, force: true }));
  chmodSync(parent, 0o711);
  const dir = join(parent, 'agent');
  const env = { ...world.env, OPENEO_AUTH_TRAY_AGENT_DIR: dir };
  const agent = await startAgent(env);
  defer(() => agent.stop());
  assert.equal(agent.socket, join(dir, 'agent.sock'));
  assert.equal(mode(dir), 0o700, 'the agent made its folder 0700');
  assert.equal(lstatSync(dir).uid, process.getuid!());
  assert.equal(mode(agent.socket), 0o600);

  const forward = await runCli(['forward', id, '--for', '10m', '--json'], { env });
  assert.equal(forward.code, 0, forward.stderr);
  const forwardSocket = (JSON.parse(forward.stdout) as { socket: string }).socket;
  assert.equal(forwardSocket.startsWith(`${dir}/forward-`), true, forwardSocket);
  assert.equal(mode(forwardSocket), 0o600, 'the forward\'s socket is 0600 too');

  for (const socket of [agent.socket, forwardSocket]) {
    assert.deepEqual(await asNobody(socket), { connected: false, errno: 'EACCES' }, `the folder keeps nobody from ${socket}`);
  }
  // The folder opened up after the start (by hand, say): the socket's own mode is all that is left.
  chmodSync(dir, 0o711);
  defer(() => chmodSync(dir, 0o700));
  for (const socket of [agent.socket, forwardSocket]) {
    assert.deepEqual(await asNobody(socket), { connected: false, errno: 'EACCES' }, `the socket's 0600 keeps nobody from ${socket}`);
  }
  // Control: with the socket opened too, the same probe gets an answer, so the refusals above were the modes'.
  chmodSync(agent.socket, 0o666);
  const open = await asNobody(agent.socket);
  chmodSync(agent.socket, 0o600);
  assert.equal(open.connected, true, `the probe reaches an open socket (${JSON.stringify(open)})`);
  assert.equal((JSON.parse(open.answer ?? '{}') as { pid?: number }).pid, agent.pid);
});

/** `agent <args>` with the agent's folder at `dir`; must exit on its own. */
async function agentIn(dir: string, home: string, args: string[] = ['--foreground']): Promise<{ code: number | null; line: string; stdout: string }> {
  const run = await runCli(['agent', ...args], { env: { ...process.env, OPENEO_AUTH_TRAY_HOME: home, OPENEO_AUTH_TRAY_AGENT_DIR: dir }, timeoutMs: 30_000 });
  return { code: run.code, line: theErrorLine(run), stdout: run.stdout };
}

test('an unsafe folder (another owner, mode 0755, a symlink) or a socket path too long: the agent does not start and says which folder and what to do', peerOptions(otherUser), async (t) => {
  requirePeer(otherUser);
  const root = mkdtempSync(join(tmpdir(), 'oat-unsafe-'));
  deferrer(t)(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  const { uid, gid } = nobodyIds();

  const foreign = join(root, 'foreign');
  mkdirSync(foreign, { mode: 0o700 });
  chownSync(foreign, uid, gid);
  const wide = join(root, 'wide');
  mkdirSync(wide);
  chmodSync(wide, 0o755);
  const target = join(root, 'target');
  mkdirSync(target, { mode: 0o700 });
  const link = join(root, 'link');
  symlinkSync(target, link);

  const cases = [
    { dir: foreign, why: `its folder ${foreign} belongs to another user (uid ${uid}), so other users could reach its socket.`, fix: 'Remove it as that user or root, or choose another folder with OPENEO_AUTH_TRAY_AGENT_DIR.' },
    { dir: wide, why: `its folder ${wide} has mode 0755, so other users could reach its socket.`, fix: `Make it private: chmod 700 ${wide}` },
    { dir: link, why: `its folder ${link} is a symbolic link, so other users could reach its socket.`, fix: `Remove the link (rm ${link}) and start the agent again; it creates a private folder.` },
  ];
  for (const c of cases) {
    for (const args of [['--foreground'], ['--detach']]) {
      const run = await agentIn(c.dir, home, args);
      assert.equal(run.code, 1, `${c.dir} ${args[0]}`);
      assert.equal(run.stdout, '', 'no lines for eval');
      // --detach passes on what the detached agent reported, word for word.
      assert.equal(run.line, `openeo-auth-tray: The token agent did not start: ${c.why} ${c.fix}`);
    }
  }
  for (const dir of [foreign, wide, target]) assert.deepEqual(readdirSync(dir), [], `no socket was made in ${dir}`);
  assert.equal(lstatSync(link).isSymbolicLink(), true, 'the link is left as it was');

  // sun_path holds 108 bytes on Linux and 104 on macOS: the agent allows 103.
  const longer = folderOfLength(root, 104);
  const refused = await agentIn(longer, home);
  assert.equal(refused.code, 1);
  assert.equal(refused.line, `openeo-auth-tray: The token agent's socket path is too long for this system (104 bytes, at most 103): ${longer}/agent.sock `
    + 'Choose a shorter folder with OPENEO_AUTH_TRAY_AGENT_DIR, e.g. OPENEO_AUTH_TRAY_AGENT_DIR=/tmp/oat-$(id -u).');
  assert.equal(existsSync(join(longer, 'agent.sock')), false);
});

test('a socket path of 103 bytes is served; a forward whose socket path would be longer is refused with a sentence', async (t) => {
  const defer = deferrer(t);
  const world = await startCliWorld();
  defer(() => world.stop());
  const id = await signIn(world);
  const root = mkdtempSync(join(tmpdir(), 'oat-long-'));
  defer(() => rmSync(root, { recursive: true, force: true }));
  const dir = folderOfLength(root, 103);
  const env = { ...world.env, OPENEO_AUTH_TRAY_AGENT_DIR: dir };
  const agent = await startAgent(env);
  defer(() => agent.stop());
  assert.equal(Buffer.byteLength(agent.socket), 103);
  // forward-<8 hex>.sock is 11 bytes longer than agent.sock.
  const forward = await runCli(['forward', id, '--for', '10m'], { env });
  assert.equal(forward.code, 1, forward.stderr);
  assert.match(theErrorLine(forward), new RegExp(`^openeo-auth-tray: The token agent's socket path is too long for this system \\(114 bytes, at most 103\\): ${dir}/forward-[0-9a-f]{8}\\.sock `));
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('forward-')), [], 'no forward socket was left');
  const after = await runCli(['forward', '--list', '--json'], { env });
  assert.deepEqual(JSON.parse(after.stdout), [], 'and no forward is listed');
});
