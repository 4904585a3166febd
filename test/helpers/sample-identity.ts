/** A valid Identity for tests; override any field. */
import type { Identity } from '../../src/shared/model.ts';

export function sampleIdentity(overrides: Partial<Identity> = {}): Identity {
  return {
    id: 'cdse-3f9a1c',
    label: 'Copernicus Data Space',
    kind: 'personal',
    flow: 'device',
    backendUrl: 'https://openeo.example.org',
    apiUrl: 'https://openeo.example.org/openeo/1.2',
    providerId: 'CDSE',
    issuer: 'https://identity.example.org/auth/realms/CDSE',
    clientId: 'openeo-auth-tray',
    scopes: ['openid', 'offline_access'],
    jwtBearer: false,
    createdAt: 1_700_000_000_000,
    accessTokenExpiresAt: 1_700_000_600_000,
    accessTokenObtainedAt: 1_700_000_000_000,
    refreshTokenExpiry: { kind: 'at', at: 1_702_592_000_000 },
    refreshTokenObtainedAt: 1_700_000_000_000,
    warningsSent: [],
    ...overrides,
  };
}
