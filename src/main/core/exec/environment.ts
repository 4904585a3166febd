/**
 * The environment for `openeo-auth-tray exec <id> -- <command…>`: credentials for that one child
 * process, in the variables the openEO clients and the Python bridge read. Secrets go into the child's environment only,
 * never into any argument list.
 */
import { AuthTrayError } from '../errors.ts';
import type { Identity } from '../../../shared/model.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { openEoBearer } from '../openeo/bearer.ts';

export { openEoBearer };

/** Secrets taken from the keychain for one `exec`. */
export interface ExecSecrets {
  /** A fresh access token (the default, for every kind of identity). */
  accessToken?: string;
  /** The openEO bearer string; derived from `accessToken` when not given. */
  bearer?: string;
  /** The client secret (client-credentials identities, only with `--with-client-secret`). */
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
  /** The identity, for the Python bridge (`openeo_auth_tray.connect()` with no arguments). */
  identity: 'OPENEO_AUTH_TRAY_IDENTITY',
  /** How to run this CLI, for the bridge, when `openeo-auth-tray` is not on the PATH. */
  cli: 'OPENEO_AUTH_TRAY_CLI',
} as const;

/** Our own settings (settings folder, timeout, debug) are passed on; the identity is set anew. */
const OWN_SETTINGS = 'OPENEO_AUTH_TRAY_';

/** Inherited variables that would contradict or leak another login, dropped before ours are set. */
function isStale(name: string): boolean {
  const upper = name.toUpperCase(); // Windows variable names are case-insensitive
  if (upper.startsWith(OWN_SETTINGS)) return upper === EXEC_VARIABLES.identity;
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

export interface ExecEnvironmentOptions {
  /**
   * The command line that runs this CLI, set as `OPENEO_AUTH_TRAY_CLI` unless the parent
   * environment already has one (give it only when `openeo-auth-tray` is not on the PATH).
   */
  cliCommandLine?: string;
}

/**
 * A copy of `parentEnv` with stale openEO credentials removed and this identity's set. Always
 * `OPENEO_AUTH_TRAY_IDENTITY`, `OPENEO_AUTH_PROVIDER_ID` and `OPENEO_BACKEND_URL`; then either
 * - an access token (the default): `OPENEO_ACCESS_TOKEN` and `OPENEO_BEARER` (the
 *   `Authorization: Bearer` value) — with the Python bridge the child needs nothing else, and no
 *   long-lived secret reaches it or anything it starts; or
 * - with `secrets.clientSecret` (`exec --with-client-secret`, service accounts only):
 *   `OPENEO_AUTH_METHOD=client_credentials`, `OPENEO_AUTH_CLIENT_ID`, `OPENEO_AUTH_CLIENT_SECRET`
 *   (what the Python client's `authenticate_oidc()` reads).
 * Never mutates `parentEnv`. Throws `SECRET_MISSING` when the needed secret is absent.
 */
export function execEnvironment(
  identity: Identity,
  secrets: ExecSecrets,
  parentEnv: NodeJS.ProcessEnv,
  opts: ExecEnvironmentOptions = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value !== undefined && !isStale(name)) env[name] = value;
  }
  env[EXEC_VARIABLES.identity] = identity.id;
  env[EXEC_VARIABLES.providerId] = identity.providerId;
  env[EXEC_VARIABLES.backendUrl] = identity.backendUrl;
  const hasCli = Object.keys(env).some((name) => name.toUpperCase() === EXEC_VARIABLES.cli);
  if (opts.cliCommandLine && !hasCli) env[EXEC_VARIABLES.cli] = opts.cliCommandLine;

  if (secrets.clientSecret !== undefined) {
    if (identity.kind !== 'client-credentials') throw missing(identity, 'client secret');
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
