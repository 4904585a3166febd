/**
 * Patterns and length caps for what crosses the IPC boundary. The guards enforce them
 * (./guards.ts); the window uses the same numbers for its inputs without bundling the guards.
 * Settings and identity ids have theirs in ./settings.ts, shared with the settings file.
 */

/** Login ids are made by main; this is the shape it promises. */
export const LOGIN_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** openEO API 1.2 `/credentials/oidc` provider id pattern. */
export const PROVIDER_ID_PATTERN = /^[A-Za-z0-9_]{1,20}$/;
/** openEO API 1.2 `job_id` pattern. */
export const JOB_ID_PATTERN = /^[\w\-.~]{1,256}$/;
/** OAuth client ids: printable ASCII without spaces. */
export const CLIENT_ID_PATTERN = /^[\x21-\x7e]{1,256}$/;
/** A token agent's forward id: eight hex digits, made by the agent. */
export const FORWARD_ID_PATTERN = /^[0-9a-f]{8}$/;
/** A forward lasts at least a minute and at most a week (the agent's own limit). */
export const FORWARD_SECONDS = { min: 60, max: 7 * 86_400 } as const;
/** Logins in one forward, at most (the agent's own limit). */
export const MAX_FORWARD_LOGINS = 50;

/** Jobs asked for in one page of `GET /jobs`, at most (the window asks for fewer). */
export const MAX_JOBS_PAGE = 100;
/** Running jobs refreshed in one request, at most. */
export const MAX_REFRESH_JOBS = 50;

export const LIMITS = {
  url: 2048,
  label: 100,
  clientSecret: 4096,
  copyText: 10_000,
} as const;

