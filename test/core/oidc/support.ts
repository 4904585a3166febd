/** Small helpers shared by the OIDC tests (not a test file itself). */
import assert from 'node:assert/strict';
import type { AuthTrayError } from '../../../src/main/core/errors.ts';
import type { FetchLike } from '../../../src/main/core/ports.ts';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export { rejectsWith } from '../../helpers/auth-errors.ts';

/** Asserts a secret appears nowhere in what an AuthTrayError shows or serialises. */
export function assertNoSecret(error: AuthTrayError, secret: string): void {
  for (const text of [error.message, error.sentence, JSON.stringify(error.toJSON()), String(error)]) {
    assert.ok(!text.includes(secret), `secret leaked into: ${text}`);
  }
}

/** A JSON response rewritten by `edit`, keeping status and headers. */
export async function editJson(response: Response, edit: (body: Record<string, unknown>) => void): Promise<Response> {
  const body = (await response.json()) as Record<string, unknown>;
  edit(body);
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('etag');
  return new Response(JSON.stringify(body), { status: response.status, headers });
}

/** A fetch that passes through, letting `hook` see or replace each exchange by URL path. */
export function interceptingFetch(
  hook: (path: string, init: RequestInit | undefined, forward: () => Promise<Response>) => Promise<Response>,
): FetchLike {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return hook(new URL(url).pathname, init, () => fetch(input, init));
  };
}

/** Resolves when `condition` holds, polling every 10 ms; fails with `what` after `ms`. */
export async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A JWT-shaped string with this payload (unsigned: only its shape matters to the code under test). */
export function craftJwt(payload: unknown): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

/** A fixed clock. */
export const fixedClock = (now: number) => ({ now: () => now });
