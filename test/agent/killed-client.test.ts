/**
 * A client killed while the agent refreshes for it changes nothing: the IdP's answer is held back
 * by the fault proxy after the IdP rotated the refresh token, the client dies (Ctrl-C or SIGKILL),
 * the answer is released, and the agent still saves the rotated refresh token. The next request
 * gets a token without a new sign-in, and the keychain holds the token the IdP now honours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { me, signIn, startCliWorld } from '../e2e/cli-harness.ts';
import { agentRequest, deferrer, liboidcagentPython, peerOptions, refreshTokenActive, requirePeer, startAgent, until } from '../helpers/agent.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const lib = liboidcagentPython();

/** Longer than the IdP's 300 s access tokens: the agent must refresh for it. */
const FORCING_MIN_VALID_S = 400;

interface Client {
  spawn(socket: string, id: string, env: NodeJS.ProcessEnv): ChildProcess;
}

/** liboidcagent, as a Python script makes the call; Ctrl-C (SIGINT) interrupts it while it waits. */
const pythonClient: Client = {
  spawn: (socket, id, env) => spawn(lib.python!, ['-c', `
import sys, liboidcagent as agent
print(agent.get_access_token(sys.argv[1], ${FORCING_MIN_VALID_S}, "killed-by-a-test"))
`, id], { env: { ...env, OIDC_SOCK: socket }, stdio: ['ignore', 'pipe', 'pipe'] }),
};

/** A Node script with a plain-JSON request, which waits for its answer until it is killed. */
const nodeClient: Client = {
  spawn: (socket, id, env) => spawn(process.execPath, ['-e', `
const s = require('node:net').connect(process.argv[1]);
s.on('connect', () => s.write(JSON.stringify({ request: 'access_token', account: process.argv[2], min_valid_period: ${FORCING_MIN_VALID_S}, application_hint: 'killed-by-a-test' })));
s.on('data', (d) => process.stdout.write(d));
`, socket, id], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
};

const cases: Array<{ signal: NodeJS.Signals; client: Client; who: string; missing: string | null }> = [
  { signal: 'SIGINT', client: pythonClient, who: 'liboidcagent (Python)', missing: lib.missing },
  { signal: 'SIGKILL', client: nodeClient, who: 'a plain-JSON client (Node)', missing: null },
];

for (const c of cases) {
  test(`${c.who} killed with ${c.signal} while the IdP holds its refresh: the rotated token is saved, the next request needs no new sign-in`, peerOptions(c.missing), async (t) => {
    requirePeer(c.missing);
    const defer = deferrer(t);
    const world = await startCliWorld({ idpProxy: true });
    defer(() => world.stop());
    const proxy = world.idpProxy!;
    const id = await signIn(world);
    const agent = await startAgent(world.env);
    defer(() => agent.stop());
    const signIns = world.idp.counters.deviceAuthorization;
    const deviceGrants = world.idp.counters.byGrant[DEVICE_GRANT] ?? 0;
    const before = await agentRequest(agent.socket, { request: 'access_token', account: id });
    assert.equal(before.status, 'success', String(before.error));
    const rtBefore = await world.secret(`${id}/refresh_token`);
    assert.ok(rtBefore && (await refreshTokenActive(world.idp, rtBefore)), 'a live refresh token in the keychain');
    const refreshes = world.idp.counters.byGrant.refresh_token ?? 0;

    // The IdP acts on the refresh at once; its answer is held until release().
    const tokenRequests = proxy.count('/token');
    proxy.inject({ path: '/token', method: 'POST', fault: { kind: 'delay', ms: Infinity, forward: 'before' }, times: 1 });
    const client = c.client.spawn(agent.socket, id, world.env);
    let clientOut = '';
    client.stdout!.setEncoding('utf8').on('data', (d: string) => (clientOut += d));
    const clientExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => client.once('close', (code, signal) => resolve({ code, signal })));
    defer(() => client.kill('SIGKILL'));

    await until(() => proxy.count('/token') > tokenRequests, 'the agent asked the IdP for a refresh');
    await until(async () => !(await refreshTokenActive(world.idp, rtBefore)), 'the IdP rotated (spent) the refresh token');
    assert.equal(client.exitCode, null, 'the client still waits for its answer');
    assert.equal(await world.secret(`${id}/refresh_token`), rtBefore, 'nothing saved yet: the answer is held');

    client.kill(c.signal);
    const exit = await clientExit;
    assert.ok(exit.signal === c.signal || (exit.code !== null && exit.code !== 0), `the client died (${JSON.stringify(exit)})`);
    assert.equal(clientOut, '', 'the client got nothing before it died');

    proxy.release();
    await until(async () => {
      const rt = await world.secret(`${id}/refresh_token`);
      return rt !== null && rt !== rtBefore;
    }, 'the agent saved the rotated refresh token though its client had gone');
    const rtAfter = await world.secret(`${id}/refresh_token`);
    assert.ok(rtAfter && (await refreshTokenActive(world.idp, rtAfter)), 'the keychain holds the token the IdP now honours');

    const next = await agentRequest(agent.socket, { request: 'access_token', account: id, application_hint: 'the next script' });
    assert.equal(next.status, 'success', `the next request: ${String(next.error)} ${String(next.info)}`);
    assert.ok(next.access_token !== before.access_token, 'the token the killed client\'s refresh got');
    assert.equal(world.idp.counters.byGrant.refresh_token ?? 0, refreshes + 1, 'one refresh in all: the next request was served from it');
    assert.equal(world.idp.counters.deviceAuthorization, signIns, 'no new sign-in');
    assert.equal(world.idp.counters.byGrant[DEVICE_GRANT] ?? 0, deviceGrants, 'no new device grant');
    const atBackend = await me(world.backend, String(next.bearer));
    assert.equal(atBackend.status, 200, 'the backend accepts it');
    assert.ok(await refreshTokenActive(world.idp, rtAfter), 'and the login is still alive at the IdP');
    assert.equal(agent.child.exitCode, null, 'the agent still runs');
  });
}
