/** The OIDC flows openEO uses, through openid-client 6. Import from here. */
export { connectIssuer, checkIssuerUrl, configurationFor, forgetDiscoveredIssuers, isLoopbackHost } from './issuer.ts';
export type { ConnectOptions, IssuerConnection } from './issuer.ts';
export { chooseScopes } from './scopes.ts';
export { jwtExpiry, tokenSetFromResponse } from './token-facts.ts';
export { startDeviceLogin } from './device-login.ts';
export type { DeviceAuthorization, DeviceLogin, DeviceLoginOptions } from './device-login.ts';
export { browserLogin, DEFAULT_BROWSER_LOGIN_TIMEOUT_MS } from './browser-login.ts';
export type { BrowserLoginOptions } from './browser-login.ts';
export { refreshTokens } from './refresh.ts';
export type { RefreshOptions } from './refresh.ts';
export { clientCredentialsLogin } from './client-credentials.ts';
export type { ClientCredentialsOptions } from './client-credentials.ts';
export { revokeTokens } from './revoke.ts';
export type { RevocableToken, RevocationOutcome } from './revoke.ts';
export { oidcError, REFRESH_TOKEN_INVALID_MESSAGE } from './errors.ts';
export type { OidcOperation } from './errors.ts';
