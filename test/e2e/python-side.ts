/**
 * "The Python side" of the Python e2e tests, played by hand: the openEO Python client's store
 * (`{issuer: {client_id: {date, refresh_token}}}` in refresh-tokens.json under
 * OPENEO_CONFIG_HOME) and the grants the client sends, with fetch, to the test IdP.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { approveDevice } from '../fixtures/device-user.ts';
import type { TestIdp } from '../fixtures/oidc-provider.ts';
import type { SharedCliWorld } from './cli-harness.ts';

export type StoreJson = Record<string, Record<string, { date?: string; refresh_token: string; [k: string]: unknown }>>;

export interface PythonHome {
  /** The CLI's environment: its settings folder and the Python client's OPENEO_CONFIG_HOME. */
  env: NodeJS.ProcessEnv;
  /** The settings folder (OPENEO_AUTH_TRAY_HOME). */
  home: string;
  /** The Python client's data folder (OPENEO_CONFIG_HOME). */
  py: string;
  /** The Python client's store in it. */
  file: string;
}

/** A settings folder of its own and the Python client's data folder, for one test. */
export function pythonHome(world: SharedCliWorld): PythonHome {
  const { home, env } = world.newHome();
  const py = world.tempDir('oat-e2e-py-');
  return { env: { ...env, OPENEO_CONFIG_HOME: py }, home, py, file: join(py, 'refresh-tokens.json') };
}

export function readStore(file: string): StoreJson {
  return JSON.parse(readFileSync(file, 'utf8')) as StoreJson;
}

/** The refresh token the store holds for this IdP's public client; the entry must be there. */
export function storedToken(idp: TestIdp, file: string): string {
  const entry = readStore(file)[idp.issuer]?.[idp.publicClientId];
  assert.ok(entry, `the store holds no entry for ${idp.issuer} / ${idp.publicClientId}`);
  return entry.refresh_token;
}

/**
 * What `authenticate_oidc()` does after it got a token: rewrite the store in place with the
 * token and a current date (whole seconds, UTC); every other entry kept.
 */
export function pythonSideSave(idp: TestIdp, file: string, refreshToken: string, date = new Date()): void {
  const store = readStore(file);
  store[idp.issuer] = { ...store[idp.issuer], [idp.publicClientId]: { date: `${date.toISOString().slice(0, 19)}Z`, refresh_token: refreshToken } };
  writeFileSync(file, JSON.stringify(store, null, 2)); // like json.dump(..., indent=2) into the open file: mode kept
}

export interface PythonSideRefresh {
  status: number;
  body: Record<string, unknown>;
  /** The rotated refresh token, when the IdP gave one. */
  refreshToken?: string;
  accessToken?: string;
  /** The OAuth error code, when the IdP refused. */
  error?: string;
}

/** The Python client's refresh with a stored refresh token: one refresh grant at the token endpoint. */
export async function pythonSideRefresh(idp: TestIdp, refreshToken: string): Promise<PythonSideRefresh> {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: idp.publicClientId, refresh_token: refreshToken }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof body[key] === 'string' ? body[key] : undefined);
  const [refreshed, access, error] = [text('refresh_token'), text('access_token'), text('error')];
  return { status: res.status, body, ...(refreshed ? { refreshToken: refreshed } : {}), ...(access ? { accessToken: access } : {}), ...(error ? { error } : {}) };
}

/**
 * The Python client's own device login (PKCE, offline_access), approved by the person `login`:
 * the refresh token of a grant of its own (not saved anywhere yet).
 */
export async function pythonSideLogin(idp: TestIdp, login: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const da = await (await fetch(`${idp.issuer}/device/auth`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: idp.publicClientId, scope: 'openid offline_access', code_challenge: challenge, code_challenge_method: 'S256' }),
  })).json() as { device_code: string; verification_uri_complete: string };
  await approveDevice(da.verification_uri_complete, { login });
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: idp.publicClientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.device_code, code_verifier: verifier }),
  });
  const body = (await res.json()) as { refresh_token?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.ok(body.refresh_token, 'the Python side got a refresh token');
  return body.refresh_token;
}
