/**
 * The bearer credentials for openEO: `oidc/<provider>/<access token>`, or the raw token when the
 * backend announced the `authentication/jwt` conformance class (API 1.3). No imports: the CLI's
 * `token --bearer` path uses it.
 */
export function openEoBearer(opts: { providerId: string; jwtBearer: boolean }, accessToken: string): string {
  return opts.jwtBearer ? accessToken : `oidc/${opts.providerId}/${accessToken}`;
}
