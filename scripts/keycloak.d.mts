// Types of scripts/keycloak.mjs for the TypeScript tests that import it.
export const KEYCLOAK_VERSION: string;
export const KEYCLOAK_ARTIFACT: string;
export const DEFAULT_PORT: number;
export const DEFAULT_START_TIMEOUT_MS: number;
export type Located =
  | { ok: true; home: string; version: string; javaHome: string; javaMajor: number; javaWhy: string }
  | { ok: false; reason: string };
export function cacheDir(env?: NodeJS.ProcessEnv): string;
export function keycloakPort(env?: NodeJS.ProcessEnv): number;
export function keycloakHome(env?: NodeJS.ProcessEnv): string;
export function chooseJdk(env?: NodeJS.ProcessEnv):
  | { ok: true; javaHome: string; major: number; why: string }
  | { ok: false; reason: string };
export function locateKeycloak(env?: NodeJS.ProcessEnv): Located;
export function fetchKeycloak(env?: NodeJS.ProcessEnv): Extract<Located, { ok: true }>;
export function assertPortFree(port: number): Promise<void>;
export function realmDocuments(): Array<Record<string, unknown> & { realm: string }>;
export interface RunningKeycloak {
  /** `http://127.0.0.1:<port>/auth` */
  url: string;
  port: number;
  version: string;
  javaHome: string;
  javaMajor: number;
  startMs: number;
  logFile: string;
  stop(): Promise<void>;
}
export function startKeycloak(opts?: { port?: number; timeoutMs?: number; log?: (message: string) => void }): Promise<RunningKeycloak>;
