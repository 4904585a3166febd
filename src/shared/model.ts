/** Domain types shared by the core, the CLI, the tray and the window. No secrets in any of them. */

/** When a refresh token stops working, as far as it can be known. */
export type RefreshTokenExpiry =
  /**
   * A known end, epoch ms: the end that comes first if the login is not used (Keycloak's
   * `refresh_expires_in` / the JWT's `exp`: the sooner of the session's idle end and its maximum).
   * Whether using it moves the end is learnt at the first refresh:
   */
  | {
    kind: 'at';
    at: number;
    /**
     * `fixed`: a refresh did not move the end (an absolute end: JWT `exp`, SSO session max).
     * `sliding`: a refresh moved it by about the time since the previous one (an idle window).
     * Absent: not seen yet (no refresh since the login).
     */
    end?: 'fixed' | 'sliding';
    /** For `sliding`: the idle window (ms) the last refresh granted. */
    idleMs?: number;
    /** For `sliding`: the end no use can move (the session maximum), once a refresh ran into it. */
    maxAt?: number;
  }
  /**
   * No fixed end (Keycloak offline token: `refresh_expires_in: 0` and a JWT without `exp`). It
   * lasts while it is used: the IdP can still end it after an idle time it does not tell
   * (Keycloak's offline session idle timeout, 30 days by default).
   */
  | { kind: 'never' }
  /** The IdP said nothing we can use. */
  | { kind: 'unknown' }
  /** There is no refresh token (client credentials, or none was issued). */
  | { kind: 'none' };

/** Everything a token response tells us, secrets included. Lives only in memory and the keychain. */
export interface TokenSet {
  accessToken: string;
  /** Epoch ms, or null when the IdP gave no `expires_in`. */
  accessTokenExpiresAt: number | null;
  /** When the access token was obtained, epoch ms (for "refresh at 80% of its life"). */
  obtainedAt: number;
  refreshToken?: string;
  refreshTokenExpiry: RefreshTokenExpiry;
  idToken?: string;
  scope?: string;
  tokenType: string;
  /** `sub` of the ID token or the introspected token, when known. */
  subject?: string;
}

/** An openEO backend after discovery. `apiUrl` is the versioned root, without trailing slash. */
export interface OpenEoBackend {
  /** What the user typed, normalised (scheme added, trailing slash removed). */
  inputUrl: string;
  /** The versioned API root that requests go to, e.g. https://openeo.example/openeo/1.2 */
  apiUrl: string;
  apiVersion: string;
  title?: string;
  backendVersion?: string;
  endpoints: Array<{ path: string; methods: string[] }>;
  conformsTo: string[];
  /** The backend accepts plain JWT bearer tokens (`authentication/jwt` conformance class). */
  jwtBearer: boolean;
}

export interface DefaultClient {
  id: string;
  grantTypes: string[];
  redirectUrls: string[];
}

export interface OidcProvider {
  id: string;
  /** Issuer exactly as the backend lists it, trailing slash removed. */
  issuer: string;
  title: string;
  description?: string;
  scopes: string[];
  defaultClients: DefaultClient[];
  links: Array<{ href: string; rel?: string; title?: string }>;
}

export type LoginFlow = 'device' | 'browser' | 'client-credentials';
export type IdentityKind = 'personal' | 'client-credentials';

/** openEO `GET /me`. */
export interface OpenEoUser {
  userId: string;
  name?: string;
  defaultPlan?: string;
  budget?: number | null;
  storage?: { free: number; quota: number };
  links: Array<{ href: string; rel?: string; title?: string }>;
}

export type JobStatus = 'created' | 'queued' | 'running' | 'canceled' | 'finished' | 'error';

/** openEO batch job as listed by `GET /jobs`. */
export interface BatchJob {
  id: string;
  title?: string;
  status: JobStatus;
  progress?: number;
  created: string;
  updated?: string;
  costs?: number;
  plan?: string;
}

export type JobLogLevel = 'error' | 'warning' | 'info' | 'debug';

/** One entry of `GET /jobs/{job_id}/logs`, as display text. */
export interface JobLogEntry {
  level: JobLogLevel;
  message: string;
  /** RFC 3339, when the backend gives it. */
  time?: string;
}

/** The links of `GET /jobs/{job_id}/results` that work without the bearer token (signed URLs). */
export interface JobResults {
  /** The `canonical` link to the whole result, when the backend gives one. */
  canonical: string | null;
  assets: Array<{ title: string; href: string; type?: string }>;
  /** When the signed links stop working (RFC 3339), when the backend says. */
  expires?: string;
}

/** What the tray, the window and `status` show for one identity. */
export type IdentityState =
  | 'signed-out'
  | 'signing-in'
  | 'active'
  | 'expiring-soon'
  | 'expired'
  | 'offline'
  | 'keychain-unavailable'
  | 'error';

/**
 * One login on one backend, as kept in the settings file. Nothing here is secret: tokens and
 * client secrets live in the keychain under keys derived from `id` (see `secretKey`).
 */
export interface Identity {
  /** Short stable id, e.g. `cdse-3f9a1c`. */
  id: string;
  label: string;
  kind: IdentityKind;
  flow: LoginFlow;
  /** Backend URL as the user gave it, normalised. */
  backendUrl: string;
  /** Versioned API root found by discovery. */
  apiUrl: string;
  providerId: string;
  issuer: string;
  clientId: string;
  scopes: string[];
  /** Send the raw JWT instead of `oidc/<provider>/<token>`. */
  jwtBearer: boolean;
  /** `user_id` from `GET /me`, once known. */
  userId?: string;
  /**
   * The OIDC subject (`sub` of the ID token) of the person who signed in, once known: a token
   * from outside (the Python client's store) is used only after it is proven to be theirs.
   */
  subject?: string;
  createdAt: number;
  /** Non-secret facts about the tokens in the keychain. */
  accessTokenExpiresAt: number | null;
  accessTokenObtainedAt: number | null;
  refreshTokenExpiry: RefreshTokenExpiry;
  /** When the current refresh token was obtained; expiry warnings fire once per refresh token. */
  refreshTokenObtainedAt: number | null;
  /** Expiry-warning thresholds (ms before expiry) already announced for the current refresh token. */
  warningsSent: number[];
  /** Set when the login is known to be dead (invalid_grant); cleared by a new login. */
  expiredAt?: number;
  /**
   * Sharing with the openEO Python client's refresh-token store (export-python). `fingerprint`
   * is a one-way hash of the refresh token we last wrote there (never the token itself).
   */
  pythonSync?: { enabled: boolean; fingerprint: string | null; writtenAt: number | null };
  /**
   * Whether scripts may have this login's access tokens from the token agent, and whether a
   * script not seen in the last hour must be let in first. Absent: allowed, without asking.
   */
  scripts?: { allowed: boolean; ask: boolean };
}

export type SecretKind = 'refresh_token' | 'access_token' | 'client_secret';

/** Keychain account name for one secret of one identity. */
export function secretKey(identityId: string, kind: SecretKind): string {
  return `${identityId}/${kind}`;
}

/** The status row shared by `status --json`, the tray menu and the window. */
export interface IdentityStatus {
  id: string;
  label: string;
  kind: IdentityKind;
  backend: string;
  apiUrl: string;
  provider: string;
  issuer: string;
  clientId: string;
  userId: string | null;
  state: IdentityState;
  accessTokenExpiresAt: number | null;
  refreshTokenExpiry: RefreshTokenExpiry;
  /** When the current refresh token was obtained (the window's "time left" bar); optional, additive. */
  refreshTokenObtainedAt?: number | null;
  /** When the login was last renewed (the last refresh or sign-in); optional, additive. */
  lastRenewedAt?: number | null;
  /** When the current access token was obtained (a service account's last new token); optional, additive. */
  accessTokenObtainedAt?: number | null;
  /** Since when the IdP/backend is unreachable (state `offline`). */
  offlineSince: number | null;
  /** The last failure, in words (states `error`, `keychain-unavailable`, `offline`). */
  problem: { code: string; message: string } | null;
  /**
   * The person's largest warning threshold (ms) when the row was made: the login is "expiring
   * soon" once the end no use can move is this close (`status/look.ts` `isExpiringSoon`).
   */
  warnWithinMs?: number;
  /**
   * Scripts and this login (through the token agent): whether they may use it, and their use
   * as the agent recorded it. Optional, additive: only where an agent runs or ran.
   */
  scripts?: ScriptsView;
}

/** What the tray and the window show about scripts using a login. */
export interface ScriptsView {
  /** `allow` (default), `ask` first for a script not seen in the last hour, or `deny`. */
  access: 'allow' | 'ask' | 'deny';
  /** When a script last had a token, epoch ms, or null. */
  lastUseAt: number | null;
  /** What that script called itself (unverified), or "". */
  lastHint: string;
  /** Tokens handed out to scripts in the last hour. */
  lastHour: number;
}
