/**
 * The Keycloak suite's shared parts (not a test file). Under `npm test` one Keycloak serves every
 * file of the suite: scripts/test.mjs starts it and hands over a state file
 * (OPENEO_AUTH_TRAY_KEYCLOAK_STATE) that says when it is ready. A file run on its own starts its
 * own server. When Keycloak is not there the suite is skipped with the reason — and fails when
 * CI is set, because CI must run it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { findPython } from '../helpers/python.ts';
import { DEFAULT_START_TIMEOUT_MS, locateKeycloak, startKeycloak, type RunningKeycloak } from '../../scripts/keycloak.mjs';

export const REALM = 'CDSE';
export const REVOKE_REALM = 'CDSE-revoke';
export const PUBLIC_CLIENT = 'openeo-public';
export const REVOKE_CLIENT = 'openeo-public-revoke';
export const SHORT_SESSION_CLIENT = 'openeo-short-session';
export const SERVICE_CLIENT = { id: 'openeo-service', secret: 'service-secret-for-tests-only' };
export const USER = { username: 'alice', password: 'alice-password' };
/** Realm settings the suite relies on (test/fixtures/keycloak/CDSE-realm.json). */
export const REALM_SETTINGS = { accessTokenLifespanS: 120, ssoSessionIdleS: 600, ssoSessionMaxS: 3600, shortClientSessionMaxS: 90 };

export interface KeycloakInfo {
  /** `http://127.0.0.1:<port>/auth` */
  url: string;
  version: string;
  javaMajor: number;
  startMs: number;
  /** The issuer of a realm, as Keycloak names it. */
  issuer(realm?: string): string;
}

const inCi = (): boolean => Boolean(process.env.CI) && process.env.CI !== 'false';

/** Why the suite cannot run here, or null when it can. */
export function unavailableReason(): string | null {
  const told = process.env.OPENEO_AUTH_TRAY_KEYCLOAK_UNAVAILABLE;
  if (told) return told;
  if (process.env.OPENEO_AUTH_TRAY_KEYCLOAK_STATE) return null;
  const found = locateKeycloak();
  return found.ok ? null : found.reason;
}

/** `describe` options: skipped with the reason when Keycloak is missing, except in CI. */
export function suiteOptions(): { skip?: string } {
  const reason = unavailableReason();
  if (reason === null) return {};
  if (inCi()) {
    test('Keycloak is available (CI must run the Keycloak suite)', () => {
      assert.fail(`the Keycloak suite cannot run: ${reason}`);
    });
  }
  return { skip: `SKIPPED: Keycloak not available: ${reason}` };
}

export interface SuitePython {
  /** The Python with the pinned openEO client, if there is one. */
  python: string | undefined;
  /** Why there is none ('' when there is). */
  missing: string;
  /** The test's `skip`: the reason when there is no Python, but never in CI (the test fails there instead). */
  skip: string | false;
}

/** The Python of test/helpers/python.ts for a test of this suite. */
export function suitePython(): SuitePython {
  const found = findPython();
  if ('python' in found) return { python: found.python, missing: '', skip: false };
  return { python: undefined, missing: found.missing, skip: inCi() ? false : `SKIPPED: ${found.missing}` };
}

function info(url: string, version: string, javaMajor: number, startMs: number): KeycloakInfo {
  return { url, version, javaMajor, startMs, issuer: (realm = REALM) => `${url}/realms/${realm}` };
}

/** Waits for the server scripts/test.mjs started (bounded by its own start timeout and a margin). */
async function sharedServer(stateFile: string): Promise<KeycloakInfo> {
  const deadline = Date.now() + DEFAULT_START_TIMEOUT_MS + 30_000;
  for (;;) {
    if (existsSync(stateFile)) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: string; reason?: string; url?: string; version?: string; javaMajor?: number; startMs?: number };
      if (state.state === 'ready') return info(state.url!, state.version!, state.javaMajor!, state.startMs!);
      if (state.state === 'failed') throw new Error(`Keycloak did not start: ${state.reason}`);
    }
    if (Date.now() > deadline) throw new Error(`Keycloak was not ready within ${Math.round((deadline - Date.now()) / 1000 + DEFAULT_START_TIMEOUT_MS / 1000 + 30)} s (state file ${stateFile})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Registers before/after hooks that provide the server; call inside the suite's `describe`.
 * The returned function gives the server once `before` has run.
 */
export function useKeycloak(): () => KeycloakInfo {
  let server: KeycloakInfo | undefined;
  let own: RunningKeycloak | undefined;
  before(async () => {
    const stateFile = process.env.OPENEO_AUTH_TRAY_KEYCLOAK_STATE;
    if (stateFile) {
      server = await sharedServer(stateFile);
    } else {
      own = await startKeycloak();
      server = info(own.url, own.version, own.javaMajor, own.startMs);
    }
  }, { timeout: DEFAULT_START_TIMEOUT_MS + 60_000 });
  after(async () => {
    await own?.stop();
  });
  return () => {
    assert.ok(server, 'the Keycloak server is used before the suite started it');
    return server;
  };
}

/** Claims of a JWT, decoded only (the tests read what Keycloak put in). */
export function claims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  assert.ok(payload, 'a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
