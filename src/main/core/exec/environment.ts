/**
 * The environment for `openeo-auth-tray exec <id> -- <command…>`: credentials for that one child
 * process, in the variables the openEO clients read. Secrets go into the child's environment only,
 * never into any argument list.
 */
import { AuthTrayError } from '../errors.ts';
import type { Identity } from '../model.ts';
import { registerSecret } from '../redact.ts';
import { openEoBearer } from '../openeo/bearer.ts';

export { openEoBearer };

/** Secrets taken from the keychain for one `exec`. */
export interface ExecSecrets {
  /** A fresh access token (personal identities). */
  accessToken?: string;
  /** The openEO bearer string; derived from `accessToken` when not given. */
  bearer?: string;
  /** The client secret (client-credentials identities). */
  clientSecret?: string;
}

/** Variable names, as the openEO Python client reads them (client credentials) or as documented here. */
export const EXEC_VARIABLES = {
  authMethod: 'OPENEO_AUTH_METHOD',
  clientId: 'OPENEO_AUTH_CLIENT_ID',
  clientSecret: 'OPENEO_AUTH_CLIENT_SECRET',
  providerId: 'OPENEO_AUTH_PROVIDER_ID',
  accessToken: 'OPENEO_ACCESS_TOKEN',
  bearer: 'OPENEO_BEARER',
  backendUrl: 'OPENEO_BACKEND_URL',
} as const;

/** Inherited variables that would contradict or leak another login, dropped before ours are set. */
function isStale(name: string): boolean {
  const upper = name.toUpperCase(); // Windows variable names are case-insensitive
  return (
    upper.startsWith('OPENEO_AUTH_') ||
    upper === EXEC_VARIABLES.accessToken ||
    upper === EXEC_VARIABLES.bearer ||
    upper === EXEC_VARIABLES.backendUrl
  );
}


function missing(identity: Identity, what: string): AuthTrayError {
  return new AuthTrayError('SECRET_MISSING', `No ${what} is available for "${identity.label}".`, {
    nextStep: `Sign in to "${identity.label}" again, then run the command again.`,
  });
}

/**
 * A copy of `parentEnv` with stale openEO credentials removed and this identity's set:
 * - client credentials: `OPENEO_AUTH_METHOD=client_credentials`, `OPENEO_AUTH_CLIENT_ID`,
 *   `OPENEO_AUTH_CLIENT_SECRET`, `OPENEO_AUTH_PROVIDER_ID`, `OPENEO_BACKEND_URL`
 *   (what the Python client's `authenticate_oidc()` reads);
 * - personal: `OPENEO_ACCESS_TOKEN`, `OPENEO_BEARER` (the `Authorization: Bearer` value),
 *   `OPENEO_AUTH_PROVIDER_ID`, `OPENEO_BACKEND_URL` — for
 *   `connection.authenticate_oidc_access_token(os.environ["OPENEO_ACCESS_TOKEN"], provider_id=...)`.
 * Never mutates `parentEnv`. Throws `SECRET_MISSING` when the needed secret is absent.
 */
export function execEnvironment(
  identity: Identity,
  secrets: ExecSecrets,
  parentEnv: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value !== undefined && !isStale(name)) env[name] = value;
  }
  env[EXEC_VARIABLES.providerId] = identity.providerId;
  env[EXEC_VARIABLES.backendUrl] = identity.backendUrl;

  if (identity.kind === 'client-credentials') {
    if (!secrets.clientSecret) throw missing(identity, 'client secret');
    registerSecret(secrets.clientSecret);
    env[EXEC_VARIABLES.authMethod] = 'client_credentials';
    env[EXEC_VARIABLES.clientId] = identity.clientId;
    env[EXEC_VARIABLES.clientSecret] = secrets.clientSecret;
    return env;
  }

  if (!secrets.accessToken) throw missing(identity, 'access token');
  const bearer = secrets.bearer ?? openEoBearer(identity, secrets.accessToken);
  registerSecret(secrets.accessToken);
  registerSecret(bearer);
  env[EXEC_VARIABLES.accessToken] = secrets.accessToken;
  env[EXEC_VARIABLES.bearer] = bearer;
  return env;
}
