/**
 * Forwarding for real: `openeo-auth-tray forward` against the CLI's agent, then OpenSSH (Debian's
 * sshd on 127.0.0.1, test/helpers/sshd.ts) carries the forward's socket to the "remote" side with
 * `ssh -R /tmp/openeo-auth-tray-forward-<id>.sock:<local socket>`. A Python script there asks the
 * forwarded socket (plain JSON, and liboidcagent with OIDC_SOCK set to it) across several
 * access-token lifetimes (6 s tokens) and calls the backend with every token; after the forward
 * is stopped, or has ended, its requests fail at once instead of hanging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { signIn, startCliWorld } from '../e2e/cli-harness.ts';
import { runCli } from '../helpers/cli.ts';
import { agentRequest, deferrer, liboidcagentPython, peerOptions, requirePeer, startAgent, until } from '../helpers/agent.ts';
import { assertSshWorks, shellWord, sshMissing, startSshd } from '../helpers/sshd.ts';

const lib = liboidcagentPython();
const ssh = sshMissing();
const missing = ssh ?? lib.missing;
const ACCESS_TOKEN_TTL_S = 6;

/**
 * The remote side. Prints one JSON line per event and never a token (only a short hash of it).
 * argv: remote socket, account, backend API URL, seconds to keep asking. After the loop it prints
 * `waiting` and reads one line from stdin, then asks once more each way, bounded by socket
 * timeouts, and reports what each client saw.
 */
const REMOTE_SCRIPT = String.raw`
import hashlib, json, os, socket, stat, sys, time, urllib.error, urllib.request
import liboidcagent

sock_path, account, api_url, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
os.environ["OIDC_SOCK"] = sock_path
socket.setdefaulttimeout(10)

def say(**event):
    print(json.dumps(event), flush=True)

def plain(request):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.sendall(json.dumps(request).encode())
    data = b""
    while True:
        part = s.recv(4096)
        if not part:
            break
        data += part
    s.close()
    return data.decode()

def me(bearer):
    req = urllib.request.Request(api_url + "/me", headers={"Authorization": "Bearer " + bearer})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.load(res).get("user_id")
    except urllib.error.HTTPError as e:
        return e.code, None

say(event="socket", mode=oct(stat.S_IMODE(os.stat(sock_path).st_mode)), is_socket=stat.S_ISSOCK(os.stat(sock_path).st_mode))
start = time.time()
i = 0
while time.time() - start < seconds:
    if i % 2 == 0:
        answer = json.loads(plain({"request": "access_token", "account": account, "application_hint": "remote plain"}))
        token, bearer, exp = answer.get("access_token"), answer.get("bearer"), answer.get("expires_at")
        if answer.get("status") != "success":
            say(event="failure", via="plain", answer=answer)
            break
    else:
        token, _issuer, exp = liboidcagent.get_token_response(account, 0, "remote liboidcagent")
        bearer = "oidc/testidp/" + token
    status, user = me(bearer)
    say(event="token", via="plain" if i % 2 == 0 else "liboidcagent", token=hashlib.sha256(token.encode()).hexdigest()[:12],
        expires_at=exp, at=time.time(), me=status, user=user)
    i += 1
    time.sleep(1)

say(event="waiting")
sys.stdin.readline()
t0 = time.time()
try:
    text = plain({"request": "access_token", "account": account})
    say(event="after", via="plain", answer=text, seconds=time.time() - t0)
except OSError as e:
    say(event="after", via="plain", error=type(e).__name__ + ": " + str(e), seconds=time.time() - t0)
t0 = time.time()
try:
    liboidcagent.get_access_token(account, 0, "remote liboidcagent")
    say(event="after", via="liboidcagent", error=None, seconds=time.time() - t0)
except Exception as e:  # liboidcagent lets a reset through as ConnectionResetError
    say(event="after", via="liboidcagent", error=type(e).__name__ + ": " + str(e), seconds=time.time() - t0)
`;

interface RemoteEvent {
  event: string;
  [k: string]: unknown;
}

/** The remote command line: the test's Python running REMOTE_SCRIPT (base64, so no quoting can break it). */
function remoteCommand(python: string, args: string[]): string {
  const b64 = Buffer.from(REMOTE_SCRIPT).toString('base64');
  return [python, '-c', 'import base64, sys; exec(base64.b64decode(sys.argv.pop(1)))', b64, ...args].map(shellWord).join(' ');
}

async function forwardedWorld(t: { after(fn: () => Promise<void>): void }): Promise<{
  defer: (fn: () => unknown) => void;
  world: Awaited<ReturnType<typeof startCliWorld>>;
  id: string;
  agent: Awaited<ReturnType<typeof startAgent>>;
  sshd: Awaited<ReturnType<typeof startSshd>>;
}> {
  const defer = deferrer(t);
  const world = await startCliWorld({ idp: { accessTokenTtl: ACCESS_TOKEN_TTL_S } });
  defer(() => world.stop());
  const id = await signIn(world);
  const agent = await startAgent(world.env);
  defer(() => agent.stop());
  const sshd = await startSshd();
  defer(() => sshd.stop());
  await assertSshWorks(sshd);
  return { defer, world, id, agent, sshd };
}

/** Runs the remote script over ssh with the forward; `whenWaiting` runs when it waits, then it is let go. */
async function remoteSession(
  sshd: Awaited<ReturnType<typeof startSshd>>,
  forward: { remote: string; local: string },
  args: { id: string; apiUrl: string; seconds: number },
  whenWaiting: () => Promise<void>,
  defer: (fn: () => unknown) => void,
): Promise<{ events: RemoteEvent[]; code: number | null; stderr: string }> {
  defer(() => rmSync(forward.remote, { force: true }));
  const child = sshd.spawn(remoteCommand(lib.python!, [forward.remote, args.id, args.apiUrl, String(args.seconds)]), { forwards: [forward], keepStdin: true });
  defer(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const events: RemoteEvent[] = [];
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), (args.seconds + 40) * 1000);
  let failed: Error | undefined;
  lines.on('line', (line) => {
    const e = JSON.parse(line) as RemoteEvent;
    events.push(e);
    if (e.event === 'waiting') {
      void whenWaiting().then(() => child.stdin.end('go\n'), (err: unknown) => {
        failed = err instanceof Error ? err : new Error(JSON.stringify(err));
        child.kill('SIGKILL');
      });
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  if (failed) throw failed;
  return { events, code, stderr };
}

/** Checks the remote requests after a forward is gone: each ended at once, none got a token. */
function assertFailsAtOnce(events: RemoteEvent[], t: { diagnostic(m: string): void }): void {
  const after = events.filter((e) => e.event === 'after');
  assert.deepEqual(after.map((e) => e.via), ['plain', 'liboidcagent'], JSON.stringify(events.slice(-3)));
  for (const e of after) {
    t.diagnostic(`after the forward, ${String(e.via)} saw: ${JSON.stringify(e.answer ?? e.error)} in ${Number(e.seconds).toFixed(2)} s`);
    assert.ok(Number(e.seconds) < 5, `${String(e.via)}: a failure at once, not a wait for a timeout (${Number(e.seconds).toFixed(1)} s)`);
    assert.ok(!(typeof e.answer === 'string' && e.answer.includes('"success"')), `${String(e.via)}: no token after the forward`);
  }
  // The remote side's sshd accepts the connection, ssh cannot reach the forward's socket on this
  // side and closes the channel: the remote client sees the connection reset (or an empty
  // answer), never a token. What it says is the client's own wording.
  const plain = after[0]!;
  assert.ok(plain.answer === '' || /^(ConnectionResetError|BrokenPipeError)/.test(String(plain.error)), `plain: an empty answer or a reset (${JSON.stringify(plain)})`);
  assert.match(String(after[1]!.error), /^(ConnectionResetError|BrokenPipeError|OidcAgent\w*Error): /, 'liboidcagent raises');
}

test('a Python script on the far side of ssh -R gets tokens from a forward across several token lifetimes, plain and with liboidcagent; after forward --stop it fails at once', peerOptions(missing), async (t) => {
  requirePeer(missing);
  const { defer, world, id, agent, sshd } = await forwardedWorld(t);
  const made = await runCli(['forward', id, '--for', '10m', '--json'], { env: world.env });
  assert.equal(made.code, 0, made.stderr);
  const forward = JSON.parse(made.stdout) as { id: string; socket: string; remote_socket: string; ssh: string; identities: Array<{ id: string }> };
  assert.equal(forward.remote_socket, `/tmp/openeo-auth-tray-forward-${forward.id}.sock`);
  assert.equal(forward.ssh, `ssh -R ${forward.remote_socket}:${forward.socket} <host>`);
  assert.deepEqual(forward.identities.map((i) => i.id), [id]);

  const seconds = 3 * ACCESS_TOKEN_TTL_S + 2;
  const session = await remoteSession(sshd, { remote: forward.remote_socket, local: forward.socket }, { id, apiUrl: world.backend.apiUrl, seconds }, async () => {
    const stop = await runCli(['forward', '--stop', forward.id], { env: world.env });
    assert.equal(stop.code, 0, stop.stderr);
    const list = await agentRequest(agent.socket, { request: 'openeo-auth-tray/forwards' });
    assert.deepEqual(list.forwards, [], 'the forward is gone at once');
  }, defer);
  assert.equal(session.code, 0, `the remote script failed: ${session.stderr}\n${JSON.stringify(session.events.slice(-3))}`);

  const sock = session.events.find((e) => e.event === 'socket');
  assert.deepEqual(sock, { event: 'socket', mode: '0o600', is_socket: true }, 'OpenSSH made the remote socket 0600');
  const tokens = session.events.filter((e) => e.event === 'token');
  assert.equal(session.events.some((e) => e.event === 'failure'), false, JSON.stringify(session.events.find((e) => e.event === 'failure')));
  for (const e of tokens) {
    assert.equal(e.me, 200, `the backend accepts every token (${String(e.via)} at ${String(e.at)})`);
    assert.equal(e.user, 'alice');
    assert.ok(Number(e.expires_at) > Number(e.at), 'never a token already expired');
  }
  const distinct = new Set(tokens.map((e) => e.token));
  const span = Number(tokens.at(-1)!.at) - Number(tokens[0]!.at);
  t.diagnostic(`${tokens.length} requests over ${span.toFixed(1)} s, ${distinct.size} distinct tokens`);
  assert.ok(span >= 3 * ACCESS_TOKEN_TTL_S, `asked across three token lifetimes (${span.toFixed(1)} s)`);
  assert.ok(distinct.size >= 3, `renewed as they ran out (${distinct.size} tokens)`);
  assert.ok(tokens.some((e) => e.via === 'plain') && tokens.some((e) => e.via === 'liboidcagent'), 'both clients were served');
  assertFailsAtOnce(session.events, t);
});

test('a forward that reached its end: the far side\'s requests fail at once', peerOptions(missing), async (t) => {
  requirePeer(missing);
  const { defer, world, id, agent, sshd } = await forwardedWorld(t);
  // The CLI's shortest forward is a minute; the protocol takes seconds.
  const made = await agentRequest(agent.socket, { request: 'openeo-auth-tray/forward', identities: [id], for_seconds: 4 });
  assert.equal(made.status, 'success', String(made.error));
  const forward = made.forward as { id: string; socket: string; remote_socket: string; until: number };
  const session = await remoteSession(sshd, { remote: forward.remote_socket, local: forward.socket }, { id, apiUrl: world.backend.apiUrl, seconds: 1 }, async () => {
    const forwards = async (): Promise<unknown[]> => (await agentRequest(agent.socket, { request: 'openeo-auth-tray/forwards' })).forwards as unknown[];
    await until(async () => (await forwards()).length === 0, 'the agent ended the forward at its end', 15_000);
    // `until` is in whole seconds, rounded down.
    assert.ok(Date.now() / 1000 >= forward.until, 'not before its end');
  }, defer);
  assert.equal(session.code, 0, `the remote script failed: ${session.stderr}\n${JSON.stringify(session.events.slice(-3))}`);
  assert.ok(session.events.some((e) => e.event === 'token' && e.me === 200), 'it served before its end');
  assertFailsAtOnce(session.events, t);
});

/** The remote side with the Python bridge: an openEO connection through the forward, across token lifetimes. */
const BRIDGE_SCRIPT = String.raw`
import json, sys, time
import openeo_auth_tray
backend, account, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
def say(**event):
    print(json.dumps(event), flush=True)
connection = openeo_auth_tray.connect(backend, identity=account)
start, seen = time.time(), set()
while time.time() - start < seconds:
    me = connection.describe_account()
    seen.add(connection.auth.source.token.expires_at)
    say(event="me", user=me["user_id"], at=time.time())
    time.sleep(1)
say(event="waiting")
sys.stdin.readline()
time.sleep(float(sys.argv[4]))  # the token in hand runs out: the next request needs a new one
try:
    connection.describe_account()
    say(event="after", error=None)
except openeo_auth_tray.AuthTrayError as e:
    say(event="after", error=type(e).__name__, message=str(e))
say(event="done", tokens=len(seen))
`;

test('the Python bridge on the far side of ssh -R: an openEO connection that renews itself through the forward; after the forward ends, a clear error', peerOptions(missing), async (t) => {
  requirePeer(missing);
  const { defer, world, id, sshd } = await forwardedWorld(t);
  const made = await runCli(['forward', id, '--for', '10m', '--json'], { env: world.env });
  assert.equal(made.code, 0, made.stderr);
  const forward = JSON.parse(made.stdout) as { id: string; socket: string; remote_socket: string };
  defer(() => rmSync(forward.remote_socket, { force: true }));
  const seconds = 3 * ACCESS_TOKEN_TTL_S + 2;
  // The remote login shell knows nothing of this test: the forwarded socket comes in
  // OPENEO_AUTH_TRAY_SOCK (the README's ~/.profile line), and no CLI is on its PATH.
  const b64 = Buffer.from(BRIDGE_SCRIPT).toString('base64');
  const command = ['env', `OPENEO_AUTH_TRAY_SOCK=${forward.remote_socket}`, 'PATH=/usr/bin:/bin', 'PYTHONDONTWRITEBYTECODE=1',
    lib.python!, '-c', 'import base64, sys; exec(base64.b64decode(sys.argv.pop(1)))', b64, world.backend.url, id, String(seconds), String(ACCESS_TOKEN_TTL_S)].map(shellWord).join(' ');
  const child = sshd.spawn(command, { forwards: [{ remote: forward.remote_socket, local: forward.socket }], keepStdin: true });
  defer(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const events: RemoteEvent[] = [];
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line) as RemoteEvent;
    events.push(e);
    if (e.event === 'waiting') {
      void runCli(['forward', '--stop', forward.id], { env: world.env }).then(() => child.stdin.end('go\n'));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  assert.equal(code, 0, `the remote script failed: ${stderr}`);
  const calls = events.filter((e) => e.event === 'me');
  assert.ok(calls.length >= 3 * ACCESS_TOKEN_TTL_S - 2 && calls.every((e) => e.user === 'alice'), `every request as alice (${calls.length})`);
  const span = Number(calls.at(-1)!.at) - Number(calls[0]!.at);
  assert.ok(span >= 3 * ACCESS_TOKEN_TTL_S, `across three token lifetimes (${span.toFixed(1)} s)`);
  const done = events.find((e) => e.event === 'done')!;
  assert.ok(Number(done.tokens) >= 3, `the token renewed itself as it ran out (${String(done.tokens)} tokens)`);
  const after = events.find((e) => e.event === 'after')!;
  t.diagnostic(`after the forward: ${String(after.error)}: ${String(after.message)}`);
  assert.equal(after.error, 'NoTokenSource');
  assert.match(String(after.message), /forward/i);
});
