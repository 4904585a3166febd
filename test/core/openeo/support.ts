/** Small helpers shared by the openEO tests (not a test file itself); the servers are test/helpers/local-server.ts. */
import { readFileSync } from 'node:fs';

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

export { rejectsWith, throwsWith } from '../../helpers/auth-errors.ts';
