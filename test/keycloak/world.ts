/**
 * One Keycloak test's surroundings (not a test file): a private keyring, fixture openEO backends
 * that advertise a Keycloak realm as provider `CDSE` and check tokens through its userinfo
 * endpoint (as the openEO driver does), and a fresh settings folder; the built CLI runs against
 * them as separate processes.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approveKeycloakDevice } from '../fixtures/keycloak/keycloak-user.ts';
import { startFixtureBackend, type FixtureBackend } from '../fixtures/openeo-backend.ts';
import { runCli, type CliOptions, type CliRun } from '../helpers/cli.ts';
import { startPrivateKeyring, type PrivateKeyring } from '../helpers/keyring.ts';
import { lookupSecret, runDeviceLogin, signedInIdentity, type StatusRow } from '../e2e/cli-harness.ts';
import { PUBLIC_CLIENT, REALM, USER, useKeycloak, type KeycloakInfo } from './support.ts';

export const CDSE_TITLE = 'Copernicus Data Space Ecosystem';

export interface KeycloakWorld {
  keyring: PrivateKeyring;
  home: string;
  env: NodeJS.ProcessEnv;
  /** A backend for `realm`, whose default client is `clientId`. Started once per pair. */
  backend(realm?: string, clientId?: string): Promise<FixtureBackend>;
  cli(args: string[], opts?: Partial<CliOptions>): Promise<CliRun>;
  secret(account: string): Promise<string | null>;
  stop(): Promise<void>;
}

export async function startKeycloakWorld(kc: KeycloakInfo): Promise<KeycloakWorld> {
  const keyring = await startPrivateKeyring();
  const home = mkdtempSync(join(tmpdir(), 'openeo-kc-e2e-'));
  const env: NodeJS.ProcessEnv = { ...keyring.env, OPENEO_AUTH_TRAY_HOME: home };
  delete env.OPENEO_AUTH_CLIENT_SECRET;
  const backends = new Map<string, Promise<FixtureBackend>>();
  return {
    keyring,
    home,
    env,
    backend(realm = REALM, clientId = PUBLIC_CLIENT) {
      const key = `${realm} ${clientId}`;
      let started = backends.get(key);
      if (!started) {
        started = startFixtureBackend({
          idp: { issuer: kc.issuer(realm), publicClientId: clientId },
          tokenCheck: 'userinfo',
          providerId: 'CDSE',
          providerTitle: CDSE_TITLE,
        });
        backends.set(key, started);
      }
      return started;
    },
    cli: (args, more = {}) => runCli(args, { ...more, env: more.env ?? env }),
    secret: (account) => lookupSecret(keyring.env, account),
    async stop() {
      for (const b of backends.values()) await (await b).stop();
      await keyring.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Registers, inside the suite's `describe`, the Keycloak server ({@link useKeycloak}) and one
 * world on it, started before the tests and stopped after them. The returned functions give
 * them once `before` has run.
 */
export function useKeycloakWorld(): { kc: () => KeycloakInfo; world: () => KeycloakWorld } {
  const kc = useKeycloak();
  let world: KeycloakWorld | undefined;
  before(async () => {
    world = await startKeycloakWorld(kc());
  });
  after(async () => {
    await world?.stop();
  });
  return {
    kc,
    world: () => {
      assert.ok(world, 'the Keycloak world is used before the suite started it');
      return world;
    },
  };
}

/**
 * A device login (`login <backend> --json --no-browser`) that must succeed, the user's side done
 * on Keycloak's own pages over HTTP; returns the identity id.
 */
export async function signInAtKeycloak(world: KeycloakWorld, backend: FixtureBackend, extraArgs: string[] = []): Promise<string> {
  const login = await runDeviceLogin((args, opts) => world.cli(args, opts), backend.url, (uri) => approveKeycloakDevice(uri, USER), extraArgs, 60_000);
  return signedInIdentity(login.run);
}

/** `status --json`, the row of one identity. */
export async function statusOf(world: KeycloakWorld, id: string): Promise<StatusRow> {
  const run = await world.cli(['status', '--json']);
  assert.equal(run.code, 0, `status --json failed: ${run.stderr}`);
  const row = (JSON.parse(run.stdout) as StatusRow[]).find((r) => r.id === id);
  assert.ok(row, `no status row for ${id}`);
  return row;
}

/** `token <args>` that must succeed; the printed token. */
export async function tokenOf(world: KeycloakWorld, args: string[]): Promise<string> {
  const run = await world.cli(['token', ...args]);
  assert.equal(run.code, 0, `token ${args.join(' ')} failed with ${run.code}: ${run.stderr}`);
  return run.stdout.trim();
}

/** GET /me at a backend with `oidc/CDSE/<token>`. */
export async function meAt(backend: FixtureBackend, accessToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${backend.apiUrl}/me`, { headers: { authorization: `Bearer oidc/CDSE/${accessToken}` } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

/** A refresh grant sent by hand to a realm's token endpoint. */
export async function refreshAtKeycloak(kc: KeycloakInfo, realm: string, clientId: string, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${kc.issuer(realm)}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}
