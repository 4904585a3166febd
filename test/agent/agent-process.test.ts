/**
 * `openeo-auth-tray agent` as a process: `--detach` (and `eval "$(openeo-auth-tray agent)"` in a
 * shell, where its output is captured) prints lines for eval and returns while the agent serves
 * on; a second `agent` says where the first one is and exits 0; SIGTERM and `agent --stop` stop it
 * and remove its socket, after an answer under way was finished and saved; a socket left behind
 * by a killed agent does not keep the next one from starting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { me, signIn, startCliWorld, type CliWorld } from '../e2e/cli-harness.ts';
import { CLI_PATH, runCli } from '../helpers/cli.ts';
import { agentRequest, deferrer, refreshTokenActive, shellValue, startAgent, until } from '../helpers/agent.ts';

const SOCKET_LINES = /^OIDC_SOCK=(\S+); export OIDC_SOCK;\nOPENEO_AUTH_TRAY_SOCK=\1; export OPENEO_AUTH_TRAY_SOCK;\nOPENEO_AUTH_TRAY_AGENT_PID=(\d+); export OPENEO_AUTH_TRAY_AGENT_PID;\necho openEO Auth Tray agent pid \2;\n$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a detached agent by its pid (bounded); nothing when it is gone already. */
async function stopDetached(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  await until(() => !alive(pid), `the detached agent ${pid} stopped`);
}

async function world(t: { after(fn: () => Promise<void>): void }): Promise<{ w: CliWorld; id: string; defer: (fn: () => unknown) => void; socket: string }> {
  const defer = deferrer(t);
  const w = await startCliWorld();
  defer(() => w.stop());
  const id = await signIn(w);
  return { w, id, defer, socket: `${w.env.XDG_RUNTIME_DIR!}/openeo-auth-tray/agent.sock` };
}

test('agent --detach prints lines for eval and returns; the agent serves on; a second agent says where it is and exits 0; agent --stop stops it', async (t) => {
  const { w, id, defer, socket } = await world(t);
  const started = await w.cli(['agent', '--detach'], { timeoutMs: 30_000 });
  assert.equal(started.code, 0, started.stderr);
  assert.equal(started.stderr, '');
  const m = SOCKET_LINES.exec(started.stdout);
  assert.ok(m, `ssh-agent's form of lines:\n${started.stdout}`);
  assert.equal(m[1], socket);
  const pid = Number(m[2]);
  defer(() => stopDetached(pid));
  assert.ok(alive(pid), 'the detached agent runs after the command returned');

  const info = await agentRequest(socket, { request: 'openeo-auth-tray/info' });
  assert.equal(info.pid, pid);
  assert.equal(info.served_by, 'cli');
  const answer = await agentRequest(socket, { request: 'access_token', account: id });
  assert.equal(answer.status, 'success');
  assert.equal((await me(w.backend, String(answer.bearer))).status, 200);

  for (const args of [['--detach'], ['--foreground'], []]) {
    const second = await w.cli(['agent', ...args], { timeoutMs: 30_000 });
    assert.equal(second.code, 0, `a second agent ${args.join(' ')}: ${second.stderr}`);
    assert.equal(second.stdout, started.stdout, 'the same lines: where the first one is');
    assert.equal(second.stderr, `openEO Auth Tray's agent is already running at ${socket} (the command line, pid ${pid}).\n`);
  }
  const csh = await w.cli(['agent', '--csh'], { timeoutMs: 30_000 });
  assert.equal(csh.stdout, `setenv OIDC_SOCK ${socket};\nsetenv OPENEO_AUTH_TRAY_SOCK ${socket};\nsetenv OPENEO_AUTH_TRAY_AGENT_PID ${pid};\necho openEO Auth Tray agent pid ${pid};\n`);
  assert.equal((await agentRequest(socket, { request: 'openeo-auth-tray/info' })).pid, pid, 'still the first one');

  const stop = await w.cli(['agent', '--stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(stop.stderr, `Asked the agent (pid ${pid}) to stop.\n`);
  await until(() => !alive(pid), 'the agent stopped');
  assert.equal(existsSync(socket), false, 'its socket is gone');
  const again = await w.cli(['agent', '--stop']);
  assert.equal(again.code, 0);
  assert.equal(again.stderr, `No openEO Auth Tray agent is running at ${socket}.\n`);
});

test('eval "$(openeo-auth-tray agent)" in a shell: the shell gets OIDC_SOCK and its clients get tokens', async (t) => {
  const { w, id, defer, socket } = await world(t);
  const client = `const s = require('node:net').connect(process.env.OIDC_SOCK); let t = '';
s.on('connect', () => s.write(JSON.stringify({ request: 'access_token', account: process.argv[1] })));
s.on('data', (d) => (t += d)); s.on('end', () => console.log(JSON.parse(t).status));`;
  const script = `eval "$("$NODE" "$CLI" agent)" || exit 9
echo "sock=$OIDC_SOCK ours=$OPENEO_AUTH_TRAY_SOCK pid=$OPENEO_AUTH_TRAY_AGENT_PID"
"$NODE" -e "$CLIENT" "$ID"`;
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile('sh', ['-c', script], { env: { ...w.env, NODE: process.execPath, CLI: CLI_PATH, CLIENT: client, ID: id }, timeout: 40_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
  const pid = Number(/pid=(\d+)/.exec(run.stdout)?.[1]);
  if (pid) defer(() => stopDetached(pid));
  assert.equal(run.code, 0, `the shell: ${run.stderr}`);
  const lines = run.stdout.split('\n');
  assert.equal(lines[0], `openEO Auth Tray agent pid ${pid}`, 'the eval ran its echo');
  assert.equal(lines[1], `sock=${socket} ours=${socket} pid=${pid}`);
  assert.equal(lines[2], 'success', 'a client of that shell got a token');
  assert.ok(alive(pid), 'the agent outlives the shell that started it');
});

test('SIGTERM while a refresh is under way: the socket goes at once, the refresh finishes and is saved, then the agent exits 0', async (t) => {
  const defer = deferrer(t);
  const w = await startCliWorld({ idpProxy: true });
  defer(() => w.stop());
  const id = await signIn(w);
  const agent = await startAgent(w.env);
  defer(() => agent.stop());
  const rtBefore = await w.secret(`${id}/refresh_token`);
  assert.ok(rtBefore);

  const proxy = w.idpProxy!;
  proxy.inject({ path: '/token', method: 'POST', fault: { kind: 'delay', ms: Infinity, forward: 'before' }, times: 1 });
  const tokenRequests = proxy.count('/token');
  const asked = agentRequest(agent.socket, { request: 'access_token', account: id, min_valid_period: 400 }, 30_000);
  await until(() => proxy.count('/token') > tokenRequests, 'the agent asked the IdP for a refresh');
  await until(async () => !(await refreshTokenActive(w.idp, rtBefore)), 'the IdP rotated the refresh token');

  agent.child.kill('SIGTERM');
  await until(() => !existsSync(agent.socket), 'the socket was removed at the signal');
  assert.equal(agent.child.exitCode, null, 'the agent waits for the answer under way');
  proxy.release();
  const answer = await asked;
  assert.equal(answer.status, 'success', 'the client under way got its token');
  const exit = await agent.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  const rtAfter = await w.secret(`${id}/refresh_token`);
  assert.ok(rtAfter && rtAfter !== rtBefore && (await refreshTokenActive(w.idp, rtAfter)), 'the rotated refresh token was saved before the exit');
});

test('SIGINT and SIGHUP stop a foreground agent too; a socket left by a killed agent does not keep the next one from starting', async (t) => {
  const { w, defer, socket } = await world(t);
  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    const agent = await startAgent(w.env);
    defer(() => agent.stop());
    assert.deepEqual(await agent.stop(signal), { code: 0, signal: null }, `${signal}: exit 0`);
    assert.equal(existsSync(socket), false, `${signal}: the socket is gone`);
  }
  const killed = await startAgent(w.env);
  await killed.stop('SIGKILL');
  assert.equal(existsSync(socket), true, 'SIGKILL leaves the socket file behind');
  const status = await runCli(['agent', '--stop'], { env: w.env });
  assert.equal(status.stderr, `No openEO Auth Tray agent is running at ${socket}.\n`, 'a socket nobody listens on is no agent');
  const next = await startAgent(w.env);
  defer(() => next.stop());
  assert.equal(next.socket, socket);
  assert.equal(shellValue(next.stdout(), 'OPENEO_AUTH_TRAY_AGENT_PID'), String(next.pid));
});

/**
 * The headless agent in a terminal (a pseudo-terminal, driven by Python's pty module): a login that
 * asks first puts the question on the agent's terminal; "y" lets the script in for the hour, "n"
 * refuses it. Prints one JSON object with what it saw.
 */
const TERMINAL_DRIVER = String.raw`
import json, os, pty, re, signal, socket, sys, threading, time
cli = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cli[0], cli)
seen = ""
def read_until(pattern, seconds=20):
    global seen
    end = time.time() + seconds
    while time.time() < end:
        m = re.search(pattern, seen)
        if m:
            return m
        try:
            seen += os.read(fd, 4096).decode("utf-8", "replace")
        except OSError:
            break
    raise SystemExit(json.dumps({"error": "not seen: " + pattern, "seen": seen[-2000:]}))
sock = read_until(r"OIDC_SOCK=([^;\s]+);").group(1)
read_until(r"Ctrl-C stops it")
def ask(hint, out):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(sock)
    s.sendall(json.dumps({"request": "access_token", "application_hint": hint}).encode())
    data = b""
    while True:
        part = s.recv(4096)
        if not part:
            break
        data += part
    out.append(json.loads(data))
results = {}
for hint, reply in (("python (pty-yes.py)", "y"), ("python (pty-no.py)", "n")):
    out = []
    t = threading.Thread(target=ask, args=(hint, out))
    t.start()
    q = read_until(r'\n([^\n]*' + re.escape(hint) + r'[^\n]*\[y/N\] )')
    os.write(fd, (reply + "\n").encode())
    t.join(30)
    results[reply] = {"question": q.group(1), "answer": {k: out[0].get(k) for k in ("status", "code")} if out else None}
os.kill(pid, signal.SIGTERM)
os.waitpid(pid, 0)
print(json.dumps(results))
`;

test('in a terminal, the headless agent asks there before a new script uses a login that asks first: y lets it in, n refuses it', async (t) => {
  const { w, id } = await world(t);
  assert.equal((await runCli(['script-access', id, 'ask'], { env: w.env })).code, 0);
  const out = await new Promise<string>((resolve, reject) => {
    execFile('python3', ['-c', TERMINAL_DRIVER, process.execPath, CLI_PATH, 'agent', '--foreground'], { env: w.env, timeout: 90_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout)));
  });
  const seen = JSON.parse(out) as Record<'y' | 'n', { question: string; answer: { status: string; code?: string } | null }>;
  t.diagnostic(`asked: ${seen.y.question}`);
  assert.match(seen.y.question, /"python \(pty-yes\.py\)" \(the name it gives itself; not verified\) asks for a token of .* \(.+\)\. Allow for 1 hour\? \[y\/N\] $/);
  assert.deepEqual(seen.y.answer, { status: 'success', code: null });
  assert.deepEqual(seen.n.answer, { status: 'failure', code: 'SCRIPT_ACCESS_DENIED' });
});
