/** Small helpers shared by the openEO tests (not a test file itself); the servers are test/helpers/local-server.ts. */
import { readFileSync } from 'node:fs';
import { AuthTrayError, type ErrorCode } from '../../../src/main/core/errors.ts';
import { inspect } from 'node:util';

/** The openEO API specification's own examples (test/fixtures/spec-examples.json), unparsed. */
export const specExamples = JSON.parse(readFileSync(new URL('../../fixtures/spec-examples.json', import.meta.url), 'utf8')) as {
  wellKnown: unknown;
  credentialsOidc: unknown;
  meLinks: unknown;
};

/** Capabilities as a 1.2 backend sends them. */
export function capabilitiesBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_version: '1.2.0',
    backend_version: '9.9.9',
    stac_version: '1.0.0',
    id: 'tiny',
    title: 'Tiny backend',
    description: 'test',
    endpoints: [{ path: '/credentials/oidc', methods: ['GET'] }, { path: '/me', methods: ['get'] }],
    links: [],
    ...extra,
  };
}

/** Asserts `promise` rejects with an AuthTrayError of `code`, and returns it for more checks. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<AuthTrayError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (e) {
    outcome = e;
  }
  return checkError(outcome, code);
}

/** Synchronous twin of {@link rejectsWith}. */
export function throwsWith(fn: () => unknown, code: ErrorCode): AuthTrayError {
  let outcome: unknown;
  try {
    fn();
  } catch (e) {
    outcome = e;
  }
  return checkError(outcome, code);
}

function checkError(outcome: unknown, code: ErrorCode): AuthTrayError {
  if (outcome === undefined) throw new Error(`expected an AuthTrayError ${code}, but nothing was thrown`);
  if (!(outcome instanceof AuthTrayError)) throw new Error(`expected an AuthTrayError ${code}, got: ${inspect(outcome)}`, { cause: outcome });
  if (outcome.code !== code) throw new Error(`expected code ${code}, got ${outcome.code}: ${outcome.message}`, { cause: outcome });
  return outcome;
}
