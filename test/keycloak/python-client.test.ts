/**
 * The openEO Python client from PyPI (openeo 0.53.0, in the Python of test/helpers/python.ts:
 * OPENEO_AUTH_TRAY_PYTHON or `npm run setup:python`'s) uses a Keycloak login shared with `export-python`: its own
 * `authenticate_oidc()` finds the refresh token in its store and reaches `/me`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { claims, suiteOptions, suitePython } from './support.ts';
import { runPython } from '../helpers/python.ts';
import { signInAtKeycloak, tokenOf, useKeycloakWorld } from './world.ts';

const py = suitePython();

const SCRIPT = `
import json, sys, openeo
connection = openeo.connect(sys.argv[1]).authenticate_oidc(provider_id="CDSE", max_poll_time=5)
print(json.dumps({"version": openeo.client_version(), "user_id": connection.describe_account()["user_id"]}))
`;

describe('the openEO Python client with a Keycloak login from export-python', suiteOptions(), () => {
  const { kc, world } = useKeycloakWorld();

  test('authenticate_oidc() refreshes with the shared token and /me answers with the user', { skip: py.skip, timeout: 180_000 }, async (t) => {
    const { python } = py;
    assert.ok(python, `CI must run this, but: ${py.missing}`);
    const pyHome = mkdtempSync(join(tmpdir(), 'openeo-kc-py-'));
    t.after(() => rmSync(pyHome, { recursive: true, force: true }));
    const backend = await world().backend();
    const env = { ...world().env, OPENEO_CONFIG_HOME: pyHome };
    const id = await signInAtKeycloak(world(), backend);
    const exported = await world().cli(['export-python', id], { env });
    assert.equal(exported.code, 0, exported.stderr);
    const store = JSON.parse(readFileSync(join(pyHome, 'refresh-tokens.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.ok(store[kc().issuer()], `the store is keyed by the Keycloak issuer: ${Object.keys(store).join(', ')}`);

    const run = await runPython(python, ['-c', SCRIPT, backend.url], { ...process.env, OPENEO_CONFIG_HOME: pyHome, OPENEO_AUTH_TRAY_HOME: world().home }, 120_000);
    assert.equal(run.code, 0, `python failed:\n${run.stderr}`);
    const answer = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { version: string; user_id: string };
    assert.equal(answer.version, '0.53.0');
    const access = await tokenOf(world(), [id]);
    assert.equal(answer.user_id, claims(access).sub, 'the Python client reached /me as the same user');
  });
});
