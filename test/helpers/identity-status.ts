// Test data: IdentityStatus rows as the core reports them (no secrets in them by design).
import type { IdentityStatus } from '../../src/shared/model.ts';

export const NOW = Date.UTC(2025, 10, 29, 9, 0);
export const DAY = 86_400_000;
export const EN = { locale: 'en-GB', timeZone: 'UTC' } as const;

export function status(overrides: Partial<IdentityStatus> = {}): IdentityStatus {
  return {
    id: 'cdse-3f9a1c',
    label: 'CDSE',
    kind: 'personal',
    backend: 'https://openeo.dataspace.copernicus.eu',
    apiUrl: 'https://openeo.dataspace.copernicus.eu/openeo/1.2',
    provider: 'CDSE',
    issuer: 'https://identity.dataspace.copernicus.eu/auth/realms/CDSE',
    clientId: 'openeo-client',
    userId: 'user-1',
    state: 'active',
    accessTokenExpiresAt: NOW + 600_000,
    refreshTokenExpiry: { kind: 'at', at: Date.UTC(2025, 11, 12, 12, 0) },
    offlineSince: null,
    problem: null,
    ...overrides,
  };
}

export function serviceAccount(overrides: Partial<IdentityStatus> = {}): IdentityStatus {
  return status({
    id: 'svc-77aa01',
    label: 'CDSE batch',
    kind: 'client-credentials',
    clientId: 'sh-1234',
    refreshTokenExpiry: { kind: 'none' },
    ...overrides,
  });
}
