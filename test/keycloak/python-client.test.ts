/**
 * The openEO Python client from PyPI (openeo 0.53.0, in the Python of test/helpers/python.ts:
 * OPENEO_AUTH_TRAY_PYTHON or `npm run setup:python`'s) uses a Keycloak login shared with `export-python`: its own
 * `authenticate_oidc()` finds the refresh token in its store and reaches `/me`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { claims, suiteOptions, useKeycloak } from './support.ts';
import { findPython } from '../helpers/python.ts';
import { signInAtKeycloak, startKeycloakWorld, tokenOf, type KeycloakWorld } from './world.ts';

const found = findPython();
const PYTHON = 'python' in found ? found.python : undefined;
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';

const SCRIPT = `
import json, sys, openeo
connection = openeo.connect(sys.argv[1]).authenticate_oidc(provider_id="CDSE", max_poll_time=5)
print(json.dumps({"version": openeo.client_version(), "user_id": connection.describe_account()["user_id"]}))
`;

function python(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the openEO Python client with a Keycloak login from export-python', suiteOptions(), () => {
  const kc = useKeycloak();
  let world: KeycloakWorld;
  let pyHome: string;
  before(async () => {
    world = await startKeycloakWorld(kc());
    pyHome = mkdtempSync(join(tmpdir(), 'openeo-kc-py-'));
  });
  after(async () => {
    await world?.stop();
    rmSync(pyHome, { recursive: true, force: true });
  });

  const skip = PYTHON ? false : inCi ? false : `SKIPPED: ${'missing' in found ? found.missing : ''}`;
  test('authenticate_oidc() refreshes with the shared token and /me answers with the user', { skip, timeout: 180_000 }, async () => {
    assert.ok(PYTHON, `CI must run this, but: ${'missing' in found ? found.missing : ''}`);
    const backend = await world.backend();
    const env = { ...world.env, OPENEO_CONFIG_HOME: pyHome };
    const id = await signInAtKeycloak(world, backend);
    const exported = await world.cli(['export-python', id], { env });
    assert.equal(exported.code, 0, exported.stderr);
    const store = JSON.parse(readFileSync(join(pyHome, 'refresh-tokens.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.ok(store[kc().issuer()], `the store is keyed by the Keycloak issuer: ${Object.keys(store).join(', ')}`);

    const run = await python(['-c', SCRIPT, backend.url], { ...process.env, OPENEO_CONFIG_HOME: pyHome, OPENEO_AUTH_TRAY_HOME: world.home });
    assert.equal(run.code, 0, `python failed:\n${run.stderr}`);
    const answer = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { version: string; user_id: string };
    assert.equal(answer.version, '0.53.0');
    const access = await tokenOf(world, [id]);
    assert.equal(answer.user_id, claims(access).sub, 'the Python client reached /me as the same user');
  });
});
