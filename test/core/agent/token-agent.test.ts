/**
 * The token agent in plain Node: a real OpenID Provider (oidc-provider, rotating refresh tokens)
 * behind a fault proxy, a real token service with its file lock, an in-memory keychain, and
 * clients on the real Unix socket (plain JSON and tweetnacl's `crypto_box`, as liboidcagent does).
 * Refreshes are counted at the IdP. The real oidc-agent clients, other users and SSH are in
 * test/agent.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { startTestIdp, type TestIdp } from '../../fixtures/oidc-provider.ts';
import { startFaultProxy, type FaultProxy } from '../../fixtures/fault-proxy.ts';
import { approveDevice } from '../../fixtures/device-user.ts';
import { createMemorySecretStore } from '../../helpers/memory-store.ts';
import { connectIssuer, forgetDiscoveredIssuers, startDeviceLogin } from '../../../src/main/core/oidc/index.ts';
import { systemClock } from '../../../src/main/core/ports.ts';
import { identityFromLogin } from '../../../src/main/core/session/identity-records.ts';
import type { IdentityRepository } from '../../../src/main/core/session/ports.ts';
import { TokenService } from '../../../src/main/core/session/token-service.ts';
import { secretKey, type Identity } from '../../../src/shared/model.ts';
import { AgentAlreadyRunning, createTokenAgent, type TokenAgent, type TokenAgentDeps } from '../../../src/main/core/agent/token-agent.ts';
import { scriptsSetting } from '../../../src/main/core/agent/script-access.ts';
import { readScriptUse } from '../../../src/main/core/agent/script-use.ts';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';

type Answer = Record<string, unknown>;

/** One plain-JSON request on a fresh connection; the answer, parsed. */
function ask(path: string, request: unknown, timeoutMs = 20_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let text = '';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer within ${timeoutMs} ms`)); }, timeoutMs);
    s.on('connect', () => s.write(typeof request === 'string' ? request : JSON.stringify(request)));
    s.setEncoding('utf8').on('data', (c: string) => (text += c));
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('end', () => { clearTimeout(timer); resolve(JSON.parse(text) as Answer); });
  });
}

/** liboidcagent's way: our public key, theirs back, then a sealed request; the sealed answer opened. */
function askSealed(path: string, request: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const me = nacl.box.keyPair();
    const s = connect(path);
    let text = '';
    let theirs: Uint8Array | undefined;
    s.on('connect', () => s.write(Buffer.from(me.publicKey).toString('base64')));
    s.setEncoding('utf8').on('data', (c: string) => {
      if (theirs) { text += c; return; }
      theirs = new Uint8Array(Buffer.from(c, 'base64'));
      const msg = JSON.stringify(request);
      const nonce = nacl.randomBytes(24);
      const box = nacl.box(new TextEncoder().encode(msg), nonce, theirs, me.secretKey);
      s.write(`${msg.length}:${Buffer.from(nonce).toString('base64')}:${Buffer.from(box).toString('base64')}`);
    });
    s.on('error', reject);
    s.on('end', () => {
      const [, n, c] = text.split(':');
      const plain = nacl.box.open(new Uint8Array(Buffer.from(c!, 'base64')), new Uint8Array(Buffer.from(n!, 'base64')), theirs!, me.secretKey);
      if (!plain) return reject(new Error(`the answer did not open: ${text.slice(0, 80)}`));
      resolve(JSON.parse(Buffer.from(plain).toString('utf8')) as Answer);
    });
  });
}

interface World {
  idp: TestIdp;
  proxy: FaultProxy;
  identities: IdentityRepository & { all: Identity[] };
  memory: ReturnType<typeof createMemorySecretStore>;
  tokens: TokenService;
  dir: string;
  agentDir: string;
  agent(extra?: Partial<TokenAgentDeps>): Promise<TokenAgent>;
  refreshes(): number;
  signIn(id: string, label: string, backendUrl?: string): Promise<Identity>;
}

async function world(t: TestContext, accessTokenTtl = 300): Promise<World> {
  const proxy = await startFaultProxy();
  const idp = await startTestIdp({ accessTokenTtl, issuer: proxy.url });
  proxy.setTarget(idp.localUrl);
  const dir = mkdtempSync(join(tmpdir(), 'oat-agent-'));
  const agentDir = join(dir, 'agent');
  const all: Identity[] = [];
  const identities = {
    all,
    listIdentities: () => [...all],
    getIdentity: (id: string) => all.find((i) => i.id === id),
    upsertIdentity: async (i: Identity) => { const k = all.findIndex((x) => x.id === i.id); if (k >= 0) all[k] = i; else all.push(i); return i; },
    updateIdentity: async (id: string, patch: Partial<Omit<Identity, 'id'>>) => {
      const k = all.findIndex((x) => x.id === id);
      assert.ok(k >= 0, `no identity ${id}`);
      all[k] = { ...all[k]!, ...patch };
      return all[k];
    },
    removeIdentity: async (id: string) => { const k = all.findIndex((x) => x.id === id); if (k >= 0) all.splice(k, 1); return k >= 0; },
  };
  const memory = createMemorySecretStore();
  const tokens = new TokenService({ identities, secrets: memory, clock: systemClock, lockDir: join(dir, 'locks') });
  const agents: TokenAgent[] = [];
  t.after(async () => {
    for (const a of agents) await a.stop();
    proxy.release();
    await idp.stop();
    await proxy.stop();
    forgetDiscoveredIssuers();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    idp, proxy, identities, memory, tokens, dir, agentDir,
    async agent(extra = {}) {
      const a = createTokenAgent({ tokens, identities, clock: systemClock, dir: agentDir, settingsFolder: dir, servedBy: 'cli', version: '9.9.9', ...extra });
      agents.push(a);
      await a.start();
      return a;
    },
    refreshes: () => idp.counters.byGrant.refresh_token ?? 0,
    async signIn(id, label, backendUrl = 'https://openeo.example.org') {
      const conn = await connectIssuer(idp.issuer, idp.publicClientId);
      const login = await startDeviceLogin(conn, { scopes: ['openid', 'offline_access'], usePkce: true, clock: systemClock });
      await approveDevice(login.authorization.verificationUriComplete!);
      const set = await login.result;
      const identity = identityFromLogin(id, {
        kind: 'personal', flow: 'device', label, backendUrl, apiUrl: `${backendUrl}/openeo/1.2`,
        providerId: 'fixture', issuer: idp.issuer, clientId: idp.publicClientId, scopes: ['openid', 'offline_access'], jwtBearer: false,
      }, set, systemClock.now());
      await memory.set(secretKey(id, 'refresh_token'), set.refreshToken!);
      await memory.set(secretKey(id, 'access_token'), set.accessToken);
      await identities.upsertIdentity(identity);
      return identity;
    },
  };
}

test('a token by id, by label, for the only login, by issuer and by backend; sealed like liboidcagent; never a refresh token', async (t) => {
  const w = await world(t);
  const alice = await w.signIn('fixture-a11ce0', 'alice');
  const agent = await w.agent();
  assert.equal(statSync(agent.socketPath).mode & 0o777, 0o600, 'the socket is 0600');
  assert.equal(statSync(w.agentDir).mode & 0o777, 0o700, 'its folder is 0700');

  const stored = await w.memory.get(secretKey(alice.id, 'access_token'));
  for (const request of [{ account: alice.id }, { account: 'alice' }, {}, { issuer: `${w.idp.issuer}/` }, { backend: 'https://openeo.example.org/openeo/1.2' }]) {
    const answer = await ask(agent.socketPath, { request: 'access_token', ...request });
    assert.equal(answer.status, 'success', JSON.stringify(answer));
    assert.equal(answer.access_token, stored);
    assert.equal(answer.identity, alice.id);
    assert.equal(answer.bearer, `oidc/fixture/${stored}`);
    assert.equal(answer.expires_at, Math.floor(alice.accessTokenExpiresAt! / 1000));
  }
  const sealed = await askSealed(agent.socketPath, { request: 'access_token', account: 'alice', min_valid_period: 0, application_hint: 'liboidcagent-like' });
  assert.equal(sealed.access_token, stored);
  const text = JSON.stringify(sealed);
  assert.ok(!text.includes(String(await w.memory.get(secretKey(alice.id, 'refresh_token')))), 'no refresh token in an answer');
  assert.equal(w.refreshes(), 0, 'a cached token costs the IdP nothing');

  const listed = await ask(agent.socketPath, { request: 'loaded_accounts' });
  assert.deepEqual(listed.info, [alice.id]);
  const info = await ask(agent.socketPath, { request: 'openeo-auth-tray/info' });
  assert.equal(info.version, '9.9.9');
  assert.equal(info.pid, process.pid);
});

test('failures in oidc-agent\'s words with our code and the CLI\'s exit code: unknown and ambiguous logins, bad requests', async (t) => {
  const w = await world(t);
  await w.signIn('fixture-a11ce0', 'alice');
  await w.signIn('fixture-b0b000', 'bob');
  const agent = await w.agent();
  const unknown = await ask(agent.socketPath, { request: 'access_token', account: 'carol' });
  assert.deepEqual([unknown.status, unknown.code, unknown.exit_code], ['failure', 'IDENTITY_NOT_FOUND', 1]);
  assert.match(String(unknown.info), /fixture-a11ce0 \(alice\)/);
  const ambiguous = await ask(agent.socketPath, { request: 'access_token', issuer: w.idp.issuer });
  assert.deepEqual([ambiguous.code, ambiguous.exit_code], ['IDENTITY_AMBIGUOUS', 1]);
  assert.match(String(ambiguous.info), /fixture-a11ce0 \(alice\), fixture-b0b000 \(bob\)/);
  const none = await ask(agent.socketPath, { request: 'access_token' });
  assert.equal(none.code, 'IDENTITY_AMBIGUOUS');
  const other = await ask(agent.socketPath, { request: 'access_token', account: 'alice', backend: 'https://elsewhere.example' });
  assert.equal(other.code, 'IDENTITY_BACKEND_MISMATCH');
  const mytoken = await ask(agent.socketPath, { request: 'mytoken', account: 'alice' });
  assert.deepEqual([mytoken.status, mytoken.code], ['failure', 'AGENT_REQUEST_INVALID']);
  assert.match(String(mytoken.error), /"mytoken"/);
  const garbage = await ask(agent.socketPath, '{"request": "access_token", "account": }');
  assert.equal(garbage.code, 'AGENT_REQUEST_INVALID');
});

test('twenty scripts asking at once for a fresh token cost one refresh; a refresh token spent once, the rotated one saved', async (t) => {
  const w = await world(t);
  const alice = await w.signIn('fixture-a11ce0', 'alice');
  const agent = await w.agent();
  const before = await w.memory.get(secretKey(alice.id, 'refresh_token'));
  // The token has 30 s left: too little for scripts that ask for a minute.
  await w.identities.updateIdentity(alice.id, { accessTokenExpiresAt: Date.now() + 30_000 });
  const answers = await Promise.all(Array.from({ length: 20 }, () => ask(agent.socketPath, { request: 'access_token', min_valid_period: 60 })));
  assert.equal(w.refreshes(), 1);
  assert.equal(new Set(answers.map((a) => a.access_token)).size, 1);
  assert.notEqual(await w.memory.get(secretKey(alice.id, 'refresh_token')), before, 'the rotated refresh token is saved');
  assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0);
});

test('"fresh enough": a client asking for 0 s still never gets a token about to end (a quarter of a short token\'s life)', async (t) => {
  const w = await world(t, 20);
  const alice = await w.signIn('fixture-a11ce0', 'alice');
  const agent = await w.agent();
  await ask(agent.socketPath, { request: 'access_token', min_valid_period: 0 });
  assert.equal(w.refreshes(), 0, '20 s left of 20: fresh enough');
  // 4 s left of a 20 s token: less than a quarter of its life.
  await w.identities.updateIdentity(alice.id, { accessTokenExpiresAt: Date.now() + 4_000, accessTokenObtainedAt: Date.now() - 16_000 });
  const answer = await ask(agent.socketPath, { request: 'access_token', min_valid_period: 0 });
  assert.equal(w.refreshes(), 1);
  assert.ok(Number(answer.expires_at) * 1000 - Date.now() > 15_000);
});

test('a client that goes away during a refresh changes nothing: the refresh finishes, the rotated token is saved, the next client gets it', async (t) => {
  const w = await world(t);
  const alice = await w.signIn('fixture-a11ce0', 'alice');
  const agent = await w.agent();
  const first = await w.memory.get(secretKey(alice.id, 'refresh_token'));
  await w.identities.updateIdentity(alice.id, { accessTokenExpiresAt: Date.now() + 30_000 });
  // The IdP acts on the refresh at once (the old token is spent), its answer is held back.
  w.proxy.inject({ path: /token/, fault: { kind: 'delay', ms: Infinity, forward: 'before' } });
  const s = connect(agent.socketPath);
  await new Promise<void>((r) => s.on('connect', () => r()));
  s.write(JSON.stringify({ request: 'access_token', min_valid_period: 60 }));
  for (let i = 0; i < 500 && w.proxy.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(w.proxy.inFlight, 1, 'the refresh is at the IdP');
  s.destroy(); // the script is killed
  await new Promise((r) => setTimeout(r, 50));
  w.proxy.clear(); // the IdP's answer arrives
  const next = await ask(agent.socketPath, { request: 'access_token', min_valid_period: 60 });
  assert.equal(next.status, 'success', JSON.stringify(next));
  assert.equal(w.refreshes(), 1, 'the held refresh was the only one: the next client got its result');
  const saved = await w.memory.get(secretKey(alice.id, 'refresh_token'));
  assert.notEqual(saved, first, 'the rotated refresh token was saved although its client was gone');
  assert.equal(w.idp.counters.errors.invalid_grant ?? 0, 0);
});

test('scripts may not use a login switched off; the record of use holds the hint and the time, never a token', async (t) => {
  const w = await world(t);
  const alice = await w.signIn('fixture-a11ce0', 'alice');
  const agent = await w.agent();
  await ask(agent.socketPath, { request: 'access_token', application_hint: 'python (my_job.py)' });
  await ask(agent.socketPath, { request: 'access_token', application_hint: 'python (my_job.py)' });
  const use = agent.scriptUse(alice.id)!;
  assert.equal(use.lastHint, 'python (my_job.py)');
  assert.equal(use.lastHour, 2);
  await w.identities.updateIdentity(alice.id, { scripts: scriptsSetting('deny') });
  const refused = await ask(agent.socketPath, { request: 'access_token' });
  assert.deepEqual([refused.code, refused.exit_code], ['SCRIPT_ACCESS_DENIED', 1]);
  assert.equal(agent.scriptUse(alice.id)!.lastHour, 2, 'a refused request is not a use');
  await agent.stop();
  const fromFile = readScriptUse(w.dir, Date.now()).get(alice.id)!;
  assert.equal(fromFile.lastHint, 'python (my_job.py)');
  assert.equal(fromFile.lastHour, 2);
  const { readFileSync } = await import('node:fs');
  const file = readFileSync(join(w.dir, 'script-use.json'), 'utf8');
  assert.ok(!file.includes(String(await w.memory.get(secretKey(alice.id, 'access_token')))), 'no token in the record');
  assert.equal(statSync(join(w.dir, 'script-use.json')).mode & 0o777, 0o600);
});

test('a forward serves only its logins, only tokens, until it ends; stopping it removes its socket', async (t) => {
  const w = await world(t);
  const alice = await w.signIn('fixture-a11ce0', 'alice');
  await w.signIn('fixture-b0b000', 'bob');
  const agent = await w.agent();
  const f = await agent.createForward(['alice'], 60_000);
  assert.match(f.id, /^[0-9a-f]{8}$/);
  assert.equal(f.remoteSocket, `/tmp/openeo-auth-tray-forward-${f.id}.sock`);
  assert.equal(statSync(f.socket).mode & 0o777, 0o600);
  const ok = await ask(f.socket, { request: 'access_token' });
  assert.equal(ok.identity, alice.id, 'the only login of the forward');
  assert.equal((await ask(f.socket, { request: 'access_token', account: 'bob' })).code, 'IDENTITY_NOT_FOUND');
  assert.deepEqual((await ask(f.socket, { request: 'loaded_accounts' })).info, [alice.id]);
  for (const control of [{ request: 'openeo-auth-tray/forward', identities: ['bob'], for_seconds: 60 }, { request: 'openeo-auth-tray/forwards' }, { request: 'openeo-auth-tray/handover' }]) {
    assert.equal((await ask(f.socket, control)).code, 'AGENT_REQUEST_INVALID', JSON.stringify(control));
  }
  const listed = await ask(agent.socketPath, { request: 'openeo-auth-tray/forwards' });
  assert.equal((listed.forwards as unknown[]).length, 1);
  assert.equal((await ask(agent.socketPath, { request: 'openeo-auth-tray/forward-stop', forward: f.id })).stopped, true);
  assert.equal(existsSync(f.socket), false);
  await assert.rejects(ask(f.socket, { request: 'access_token' }), /ENOENT|ECONNREFUSED/);

  // One that ends by itself: past its end it answers nothing but that it ended, then it is gone.
  const short = await agent.createForward([alice.id], 200);
  await new Promise((r) => setTimeout(r, 250));
  for (let i = 0; i < 200 && existsSync(short.socket); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(existsSync(short.socket), false, 'an ended forward\'s socket is removed');
  assert.deepEqual(agent.forwards(), []);
  // Signing a login out ends its forwards.
  const third = await agent.createForward([alice.id], 60_000);
  agent.forgetIdentity(alice.id);
  for (let i = 0; i < 200 && existsSync(third.socket); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(existsSync(third.socket), false);
});

test('one agent per user: a second command-line agent finds the first; the tray app takes over and keeps its forwards', async (t) => {
  const w = await world(t);
  await w.signIn('fixture-a11ce0', 'alice');
  const first = await w.agent();
  const f = await first.createForward(['alice'], 600_000);
  await assert.rejects(w.agent(), (e: unknown) => e instanceof AgentAlreadyRunning && e.info.pid === process.pid && e.info.servedBy === 'cli');
  let handedOver = false;
  // The first must be told it was replaced; the app's agent is another object in this process.
  const tray = createTokenAgent({ tokens: w.tokens, identities: w.identities, clock: systemClock, dir: w.agentDir, settingsFolder: w.dir, servedBy: 'app', version: '9.9.9' });
  t.after(() => tray.stop());
  const firstDone = new Promise<void>((resolve) => {
    const poll = setInterval(() => { if (!first.running()) { clearInterval(poll); handedOver = true; resolve(); } }, 10);
  });
  await tray.start();
  await firstDone;
  assert.ok(handedOver);
  assert.equal((await ask(tray.socketPath, { request: 'openeo-auth-tray/info' })).served_by, 'app');
  assert.deepEqual(tray.forwards().map((x) => [x.id, x.socket, x.until]), [[f.id, f.socket, f.until]], 'the forward lives on at the same socket');
  assert.equal((await ask(f.socket, { request: 'access_token' })).status, 'success');
});

test('an unsafe folder stops the agent with a sentence: open to others, another owner, a symlink; a socket path too long', async (t) => {
  const w = await world(t);
  const cases: Array<[string, () => void, RegExp]> = [
    ['mode', () => { mkdirSync(w.agentDir, { mode: 0o755 }); chmodSync(w.agentDir, 0o755); }, /has mode 0755.*chmod 700/],
    ['owner', () => { mkdirSync(w.agentDir, { mode: 0o700 }); chownSync(w.agentDir, 65534, 65534); }, /belongs to another user \(uid 65534\)/],
    ['symlink', () => { mkdirSync(join(w.dir, 'elsewhere'), { mode: 0o700 }); symlinkSync(join(w.dir, 'elsewhere'), w.agentDir); }, /symbolic link/],
  ];
  for (const [name, make, words] of cases) {
    rmSync(w.agentDir, { recursive: true, force: true });
    make();
    await assert.rejects(w.agent(), (e: unknown) => isAuthTrayError(e, 'AGENT_FOLDER_UNSAFE') && words.test(`${e.message} ${e.nextStep ?? ''}`), name);
  }
  const deep = join(w.dir, 'x'.repeat(120));
  await assert.rejects(w.agent({ dir: deep }), (e: unknown) => isAuthTrayError(e, 'AGENT_FOLDER_UNSAFE') && /too long/.test(e.message) && /OPENEO_AUTH_TRAY_AGENT_DIR/.test(e.nextStep ?? ''));
});
