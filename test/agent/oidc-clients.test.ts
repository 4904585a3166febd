/**
 * Unmodified oidc-agent clients get tokens from the CLI's headless agent, and the fixture backend
 * accepts them: `liboidcagent` 0.6.0 from PyPI (with its NaCl key exchange, in the test venv) and
 * Debian's `oidc-token` (package oidc-agent-cli 4.2.6, the C client on libsodium). Each is skipped
 * with the reason when it is missing here, and fails under CI, which installs both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { me } from '../e2e/cli-harness.ts';
import { liboidcagentPython, oidcTokenPeer, peerOptions, requirePeer, servedLogin, SYSTEM_PYTHON } from '../helpers/agent.ts';
import { runPython } from '../helpers/python.ts';

const lib = liboidcagentPython();
const oidcToken = oidcTokenPeer();

/** A world with one login (label alice) and the CLI's agent serving it; all stopped after the test. */
const servedAlice = (t: { after(fn: () => Promise<void>): void }) => servedLogin(t, ['--label', 'alice']);

/** The script-use record the agent keeps in the settings folder (written at the latest when it stops). */
function lastHint(home: string, id: string): unknown {
  const all = JSON.parse(readFileSync(join(home, 'script-use.json'), 'utf8')) as Record<string, { last_hint?: unknown } | undefined>;
  return all[id]?.last_hint;
}

/** liboidcagent's calls, as a script makes them; prints one JSON object (tokens only to the test). */
const LIBOIDCAGENT_SCRIPT = String.raw`
import json, sys, time
import liboidcagent as agent
account, issuer = sys.argv[1], sys.argv[2]
out = {}
token, iss, exp = agent.get_token_response(account, 60, "liboidcagent-test")
out["by_account"] = {"token": token, "issuer": iss, "expires_at": exp}
out["same_again"] = agent.get_access_token(account, 60, "liboidcagent-test")
# Longer than the IdP's 300 s access tokens: the agent must refresh.
token, iss, exp = agent.get_token_response(account, 400, "liboidcagent-test")
out["forced"] = {"token": token, "issuer": iss, "expires_at": exp}
out["by_issuer"] = agent.get_access_token_by_issuer_url(issuer, 0, "liboidcagent-test")
for name, call in (("unknown", lambda: agent.get_access_token("no-such-login", 0, "liboidcagent-test")),
                   ("unknown_issuer", lambda: agent.get_access_token_by_issuer_url("https://issuer.invalid/realms/x", 0, "x"))):
    try:
        call()
        out[name] = None
    except agent.OidcAgentError as e:
        out[name] = {"type": type(e).__name__, "message": e.message, "help": e.help}
out["now"] = time.time()
print(json.dumps(out))
`;

test('liboidcagent 0.6.0 (PyPI, NaCl key exchange) gets tokens from the agent by account and by issuer; the backend accepts them', peerOptions(lib.missing), async (t) => {
  requirePeer(lib.missing);
  const { world, id, agent } = await servedAlice(t);
  const refreshesBefore = world.idp.counters.byGrant.refresh_token ?? 0;

  const run = await runPython(lib.python!, ['-c', LIBOIDCAGENT_SCRIPT, id, world.idp.issuer], { ...world.env, OIDC_SOCK: agent.socket }, 30_000);
  assert.equal(run.code, 0, `the liboidcagent script failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as {
    by_account: { token: string; issuer: string; expires_at: number };
    same_again: string;
    forced: { token: string; issuer: string; expires_at: number };
    by_issuer: string;
    unknown: { type: string; message: string; help: string | null } | null;
    unknown_issuer: { type: string; message: string; help: string | null } | null;
    now: number;
  };

  assert.equal(out.by_account.issuer, world.idp.issuer, 'the issuer, as oidc-agent gives it');
  const left = out.by_account.expires_at - out.now;
  assert.ok(left > 60 && left <= 301, `expires_at is epoch seconds within the IdP's 300 s (${left.toFixed(0)} s left)`);
  assert.ok(out.same_again === out.by_account.token, 'a second request within min_valid_period gets the cached token');
  assert.ok(out.forced.token !== out.by_account.token, 'min_valid_period beyond the token\'s life gets a new token');
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshesBefore + 1, 'exactly one refresh, for the longer min_valid_period');
  assert.ok(out.by_issuer === out.forced.token, 'by issuer: the only login there, its current token');

  for (const [what, token] of [['by account', out.by_account.token], ['refreshed', out.forced.token]] as const) {
    const answer = await me(world.backend, `oidc/testidp/${token}`);
    assert.equal(answer.status, 200, `the backend accepts the token (${what})`);
    assert.equal(answer.body.user_id, 'alice');
  }

  assert.ok(out.unknown, 'an unknown account raises');
  assert.equal(out.unknown.type, 'OidcAgentError');
  assert.equal(out.unknown.message, 'No login is called "no-such-login".');
  assert.match(out.unknown.help ?? '', new RegExp(`^Known logins: ${id} \\(alice\\)`));
  assert.ok(out.unknown_issuer, 'an unknown issuer raises');
  assert.equal(out.unknown_issuer.message, 'There is no login at https://issuer.invalid/realms/x.');

  await agent.stop();
  assert.equal(lastHint(world.home, id), 'liboidcagent-test', 'the application hint is what the agent recorded');
});

interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function oidcTokenRun(socket: string, env: NodeJS.ProcessEnv, args: string[]): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile('oidc-token', args, { env: { ...env, OIDC_SOCK: socket }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

test(`oidc-token (Debian's oidc-agent-cli ${oidcToken.version || '4.2.6'}) gets tokens with --time, --name, -a, -c, -i, -e; errors for an unknown account or issuer; oidc-add --loaded lists the login`, peerOptions(oidcToken.missing), async (t) => {
  requirePeer(oidcToken.missing);
  const { world, id, agent } = await servedAlice(t);
  const token = (...args: string[]): Promise<ToolRun> => oidcTokenRun(agent.socket, world.env, args);
  const accepted = async (value: string, what: string): Promise<void> => {
    const answer = await me(world.backend, `oidc/testidp/${value}`);
    assert.equal(answer.status, 200, `the backend accepts the token (${what})`);
    assert.equal(answer.body.user_id, 'alice');
  };

  const plain = await token(id);
  assert.equal(plain.code, 0, `oidc-token ${id}: ${plain.stderr}`);
  assert.equal(plain.stderr, '');
  assert.match(plain.stdout, /^\S+\n$/, 'one line: the token');
  const first = plain.stdout.trim();
  await accepted(first, 'oidc-token <id>');
  const byLabel = await token('alice');
  assert.ok(byLabel.stdout.trim() === first, 'by label: the same cached token');

  const refreshes = world.idp.counters.byGrant.refresh_token ?? 0;
  const longer = await token('--time=400', id);
  assert.equal(longer.code, 0, longer.stderr);
  const second = longer.stdout.trim();
  assert.ok(second !== first, '--time beyond the token\'s life: a new token');
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshes + 1);
  await accepted(second, '--time=400');

  const all = await token('-a', id);
  assert.equal(all.code, 0, all.stderr);
  const [allToken, allIssuer, allExp, ...rest] = all.stdout.trimEnd().split('\n');
  assert.equal(rest.length, 0, '-a: three lines');
  assert.ok(allToken === second, '-a: the current token first');
  assert.equal(allIssuer, world.idp.issuer);
  const left = Number(allExp) - Date.now() / 1000;
  assert.ok(left > 60 && left <= 301, `-a: expires_at in epoch seconds (${left.toFixed(0)} s left)`);

  const env = await token('-c', id);
  assert.equal(env.code, 0, env.stderr);
  const lines = env.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => l.replace(/=.*?;/, '=…;')), ['OIDC_AT=…; export OIDC_AT;', 'OIDC_ISS=…; export OIDC_ISS;', 'OIDC_EXP=…; export OIDC_EXP;']);
  assert.equal(lines[1], `OIDC_ISS=${world.idp.issuer}; export OIDC_ISS;`);
  assert.equal((await token('-i', id)).stdout, `${world.idp.issuer}\n`);
  assert.equal((await token('-e', id)).stdout, `${allExp}\n`);

  // Options the agent takes and ignores (a login's token has the scopes of its login).
  for (const extra of ['--scope=openid', '--aud=someone']) {
    const r = await token(extra, id);
    assert.equal(r.code, 0, `${extra}: ${r.stderr}`);
    assert.ok(r.stdout.trim() === second, `${extra}: the login's token`);
  }

  const named = await token('--name=nightly-job', id);
  assert.equal(named.code, 0, named.stderr);

  const unknown = await token('nobody-here');
  assert.notEqual(unknown.code, 0, 'an unknown account fails');
  assert.equal(unknown.stdout, '');
  // oidc-token prints its error without a final newline.
  assert.equal(unknown.stderr.trimEnd(), `Error: No login is called "nobody-here".\nKnown logins: ${id} (alice)`);
  // oidc-token 4.2.6 sends an https:// argument as "issuer" (anything else as an account name,
  // so the fixture IdP's http:// issuer cannot be asked for this way; liboidcagent can, above).
  const unknownIssuer = await token('https://issuer.invalid/realms/x');
  assert.notEqual(unknownIssuer.code, 0);
  assert.equal(unknownIssuer.stderr.trimEnd(), `Error: There is no login at https://issuer.invalid/realms/x.\nLogins there are: ${id} at ${world.idp.issuer}`);
  // The same package's oidc-add asks for loaded_accounts.
  const loaded = await new Promise<ToolRun>((resolve) => {
    execFile('oidc-add', ['--loaded'], { env: { ...world.env, OIDC_SOCK: agent.socket }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.equal(loaded.stdout, `The following account configurations are currently loaded: \n${id}\n`);
  const idToken = await token('--id-token', id);
  assert.notEqual(idToken.code, 0, 'never an ID token');
  assert.equal(idToken.stdout, '');

  await agent.stop();
  assert.equal(lastHint(world.home, id), 'nightly-job', '--name is the application hint the agent recorded (the last answered request\'s)');
});

test('oidc-token --force-new (min_valid_period -1, oidc-agent\'s "force a new token") gets a new token', peerOptions(oidcToken.missing), async (t) => {
  requirePeer(oidcToken.missing);
  const { world, id, agent } = await servedAlice(t);
  const first = await oidcTokenRun(agent.socket, world.env, [id]);
  assert.equal(first.code, 0, first.stderr);
  const refreshes = world.idp.counters.byGrant.refresh_token ?? 0;

  const forced = await oidcTokenRun(agent.socket, world.env, ['--force-new', id]);
  assert.equal(forced.code, 0, `oidc-token --force-new: ${forced.stderr}`);
  assert.ok(forced.stdout.trim() !== first.stdout.trim(), 'a new token, though the cached one is valid for minutes');
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshes + 1, 'one refresh');
  const answer = await me(world.backend, `oidc/testidp/${forced.stdout.trim()}`);
  assert.equal(answer.status, 200);
  const after = await oidcTokenRun(agent.socket, world.env, [id]);
  assert.ok(after.stdout.trim() === forced.stdout.trim(), 'then the new token is the cached one');
});

/** One request, then the client's side shut for writing (as `socat`, `nc -N` or Node's `end(data)` do); prints the answer. */
const HALF_CLOSE_SCRIPT = String.raw`
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode())
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    part = s.recv(4096)
    if not part:
        break
    data += part
print(data.decode())
`;

test('a client that shuts its side after the request (as socat, nc -N or Node\'s end(data) do) gets its answer, cached or refreshed', async (t) => {
  const { world, id, agent } = await servedAlice(t);
  const refreshes = world.idp.counters.byGrant.refresh_token ?? 0;
  for (const [what, minValid] of [['cached', 0], ['refreshed', 400]] as const) {
    const request = JSON.stringify({ request: 'access_token', account: id, min_valid_period: minValid, application_hint: 'half-closed' });
    const run = await runPython(SYSTEM_PYTHON, ['-c', HALF_CLOSE_SCRIPT, agent.socket, request], world.env, 30_000);
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout.trim() || '{}') as Record<string, unknown>;
    assert.equal(answer.status, 'success', `${what}: an answer, not an empty close (${run.stdout.trim() || 'nothing'})`);
    assert.equal((await me(world.backend, String(answer.bearer))).status, 200);
  }
  assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshes + 1);
  // Half a request and then the end: no more can come, so the failure need not wait for the idle limit.
  const cut = await runPython(SYSTEM_PYTHON, ['-c', HALF_CLOSE_SCRIPT, agent.socket, '{"request": "access_tok'], world.env, 30_000);
  const failure = JSON.parse(cut.stdout.trim() || '{}') as Record<string, unknown>;
  assert.equal(failure.status, 'failure', cut.stdout);
  assert.equal(failure.code, 'AGENT_REQUEST_INVALID');
});
