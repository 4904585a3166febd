/**
 * The Python bridge on a Keycloak login with "Revoke Refresh Token" on and max reuse 0 (realm
 * CDSE-revoke), the harshest rotation CDSE could have: three Python processes with four threads
 * each share one login through `openeo_auth_tray`, each forcing a new token several times. (Not
 * `renew_after_refusal`: a token renewed seconds ago is not renewed again for a refusal, by design,
 * TOKEN_REFUSED_AFTER_RENEWAL.) A refresh token spent twice would end the session for all of them;
 * the lock between processes (the CLI's), or the one token agent all of them ask, prevents it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLI_PATH } from '../helpers/cli.ts';
import { startCliAgent } from '../helpers/cli-agent.ts';
import { agentSocketPath } from '../../src/main/core/agent/agent-folder.ts';
import { pythonEnv, runPython } from '../helpers/python.ts';
import { claims, REVOKE_CLIENT, REVOKE_REALM, suiteOptions, suitePython } from './support.ts';
import { meAt, signInAtKeycloak, tokenOf, useKeycloakWorld } from './world.ts';

const py = suitePython();

/** 4 threads; each forces a new token 3 times and calls /me with it after each. */
const SCRIPT = String.raw`
import json, sys, threading
import openeo_auth_tray
connection = openeo_auth_tray.connect(identity=sys.argv[1])
source = connection.auth.source
users, errors = set(), []
def work():
    try:
        for _ in range(3):
            source.refresh()
            users.add(connection.describe_account()["user_id"])
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"users": sorted(users), "errors": errors, "renewals": source.cli_calls}))
`;

interface ScriptResult {
  users: string[];
  errors: string[];
  renewals: number;
}

/** Runs SCRIPT in 3 processes at once with `env`; every call must have worked, as the signed-in user. */
async function threeProcesses(python: string, id: string, sub: unknown, env: NodeJS.ProcessEnv): Promise<ScriptResult[]> {
  const runs = await Promise.all([1, 2, 3].map(() => runPython(python, ['-c', SCRIPT, id], env, 180_000)));
  return runs.map((run) => {
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ScriptResult;
    assert.deepEqual(out.errors, []);
    assert.deepEqual(out.users, [sub], 'every call reached /me as the signed-in user');
    // Every forced renewal is one call to the agent or the CLI (which renews at Keycloak each time).
    assert.equal(out.renewals, 12, `${out.renewals} renewals`);
    return out;
  });
}

describe('the Python bridge on a Keycloak login with reuse detection', suiteOptions(), () => {
  const { world } = useKeycloakWorld();

  test('3 processes x 4 threads renewing one login: every call works, the session survives', { skip: py.skip, timeout: 300_000 }, async () => {
    const { python } = py;
    assert.ok(python, `CI must run this, but: ${py.missing}`);
    const backend = await world().backend(REVOKE_REALM, REVOKE_CLIENT);
    const id = await signInAtKeycloak(world(), backend);
    const sub = claims(await tokenOf(world(), [id])).sub;
    // OPENEO_AUTH_TRAY_SOCK at the world's own agent, which is not running: the bridge passes to the
    // CLI, and does not look for forwarded sockets in /tmp (other tests on this machine make those).
    const env = pythonEnv({ ...world().env, OPENEO_AUTH_TRAY_CLI: `${process.execPath} ${CLI_PATH}`, OPENEO_AUTH_TRAY_SOCK: agentSocketPath(world().env) ?? '' });
    await threeProcesses(python, id, sub, env);
    const last = await tokenOf(world(), [id, '--min-valid', '86400']);
    assert.equal((await meAt(backend, last)).status, 200, 'the login still works after all of it');
  });

  test('the same through the token agent (no CLI): every call works, the session survives', { skip: py.skip, timeout: 300_000 }, async () => {
    const { python } = py;
    assert.ok(python, `CI must run this, but: ${py.missing}`);
    const backend = await world().backend(REVOKE_REALM, REVOKE_CLIENT);
    const id = await signInAtKeycloak(world(), backend);
    const sub = claims(await tokenOf(world(), [id])).sub;
    // The agent listens in the world's private XDG_RUNTIME_DIR. Were the bridge to fall back to the
    // CLI, this one cannot start, and the script's errors would say so.
    const agent = await startCliAgent(world().env);
    try {
      const env = pythonEnv({ ...world().env, OPENEO_AUTH_TRAY_SOCK: agent.socket, OPENEO_AUTH_TRAY_CLI: '/nonexistent/openeo-auth-tray-must-not-run' });
      await threeProcesses(python, id, sub, env);
    } finally {
      await agent.stop();
    }
    const last = await tokenOf(world(), [id, '--min-valid', '86400']);
    assert.equal((await meAt(backend, last)).status, 200, 'the login still works after all of it: no refresh token was spent twice');
  });
});
