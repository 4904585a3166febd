/**
 * Valid access tokens on demand, for the CLI, the tray and the lifecycle.
 *
 * Refresh tokens rotate and a rotated one spent twice kills the whole login, so every refresh runs
 * single-flight inside this process AND under a file lock shared with every other process (tray +
 * CLI). Inside the lock the identity is read again: when another process refreshed meanwhile its
 * access token is used instead of spending the refresh token again. The new refresh token is
 * persisted before anything else happens with the new tokens.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthTrayError } from '../errors.ts';
import type { Identity, TokenSet } from '../../../shared/model.ts';
import { secretKey } from '../../../shared/model.ts';
import { CLOCK_SLACK_MS, MAX_TIMER_DELAY_MS, type Clock, type FetchLike, type SecretStore } from '../ports.ts';
import { withFileLock } from '../process-lock.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { openEoBearer } from '../openeo/bearer.ts';
import { learnEnd, loginEnd } from '../../../shared/format/login-end.ts';
import { createDiscoveryCache, jwtKeyId, type DiscoveryCache } from '../oidc/discovery-cache.ts';
import { identityNotFound, tokenMetadata } from './identity-records.ts';
import type { IdentityRepository, LogFn } from './ports.ts';
import { ownRefreshToken, sharedRefreshToken, type RefreshTokenSource, type RefreshTokenSync } from './refresh-token-source.ts';

export type { RefreshTokenSync } from './refresh-token-source.ts';

/** What to do when a login has ended: the same words wherever it is met. */
export function signInAgainStep(identity: Pick<Identity, 'backendUrl'>): string {
  return `Sign in again with "Sign in again" in the openEO Auth Tray window, or run: openeo-auth-tray login ${identity.backendUrl}`;
}

export interface TokenServiceDeps {
  identities: IdentityRepository;
  secrets: SecretStore;
  clock: Clock;
  /** Folder for the per-identity refresh locks (inside the settings folder). */
  lockDir: string;
  fetch?: FetchLike;
  /** Longest wait for one answer from an IdP or a backend (default: 30 s for the IdP, 15 s for backends). */
  requestTimeoutMs?: number;
  /**
   * Aborts every request this service makes (the app quitting): a refresh waiting for a hung IdP
   * then ends at once and lets go of its cross-process lock.
   */
  signal?: AbortSignal;
  /**
   * Issuers' discovery documents kept between processes (the settings folder's `cache/`), so that
   * a refresh in a one-shot CLI process goes straight to the token endpoint. Dropped on any failure.
   */
  discoveryCache?: DiscoveryCache;
  /** Python store sync hooks, loaded when a refresh needs them (they act only for shared identities). */
  pythonSync?: () => RefreshTokenSync | null | Promise<RefreshTokenSync | null>;
  /**
   * Runs the span from sending a refresh until its rotated token is saved. The CLI defers SIGINT,
   * SIGTERM and SIGHUP in it (a one-shot process killed there would lose the login); the app,
   * which keeps a refused save in memory, needs nothing.
   */
  whileSaving?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * Waits between attempts to save a rotated refresh token the keychain refused (locked for a
   * moment); after the last the error is thrown. Default: none (the app keeps it in memory).
   */
  saveRetryDelaysMs?: readonly number[];
  log?: LogFn;
}

export interface AccessToken {
  identity: Identity;
  accessToken: string;
  expiresAt: number | null;
  /** True when this call obtained a new token (refresh or client credentials). */
  renewed: boolean;
}

/**
 * `OPENEO_AUTH_TRAY_TIMEOUT`: seconds to wait for one answer from an IdP or a backend, for the
 * tray app and the CLI alike. Undefined when unset or not a positive number; at most what a timer
 * can hold (about 24.8 days: a longer one would fire at once).
 */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const seconds = Number(env.OPENEO_AUTH_TRAY_TIMEOUT);
  if (!(seconds > 0)) return undefined;
  return Math.min(seconds * 1000, MAX_REQUEST_TIMEOUT_MS);
}

/** The longest request timeout: whole seconds (openid-client counts in seconds) that a timer holds. */
const MAX_REQUEST_TIMEOUT_MS = Math.floor(MAX_TIMER_DELAY_MS / 1000) * 1000;

/** A sentence when `OPENEO_AUTH_TRAY_TIMEOUT` is set but not used as it is, else null. */
export function requestTimeoutProblem(env: NodeJS.ProcessEnv): string | null {
  const raw = env.OPENEO_AUTH_TRAY_TIMEOUT?.trim();
  if (!raw) return null;
  const seconds = Number(raw);
  if (!(seconds > 0)) return `OPENEO_AUTH_TRAY_TIMEOUT=${raw.slice(0, 40)} is not a number of seconds above 0; the defaults are used (30 s for the identity provider, 15 s for backends).`;
  if (seconds * 1000 > MAX_REQUEST_TIMEOUT_MS) return `OPENEO_AUTH_TRAY_TIMEOUT=${raw.slice(0, 40)} is longer than the longest wait there can be; ${MAX_REQUEST_TIMEOUT_MS / 1000} s (about 24 days) is used.`;
  return null;
}

/** A token renewed less than this long ago is not renewed again because a backend refused it. */
export const RENEWED_MOMENTS_AGO_MS = 5_000;

/** A short, one-way name for an access token (the first 16 hex digits of its SHA-256). */
export function accessTokenFingerprint(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('hex').slice(0, 16);
}

/** Default: a token handed out stays valid for at least this long (shorter for short tokens). */
export const DEFAULT_MIN_VALID_MS = 60_000;

/**
 * "Fresh enough" when no minimum is asked for: 60 s left, or a quarter of the token's life for
 * tokens shorter than 4 minutes, so that a 30 s token is not refreshed at every call. The CLI,
 * the agent and the Python bridge use this one rule.
 */
export function freshEnoughMs(identity: Pick<Identity, 'accessTokenExpiresAt' | 'accessTokenObtainedAt'>): number {
  const { accessTokenExpiresAt: end, accessTokenObtainedAt: start } = identity;
  if (end === null || start === null || end <= start) return DEFAULT_MIN_VALID_MS;
  return Math.min(DEFAULT_MIN_VALID_MS, Math.floor((end - start) / 4));
}

export class TokenService {
  private readonly inFlight = new Map<string, Promise<AccessToken>>();
  /** Refreshes still saving (their tokens may already be handed out): `idle()` waits for them. */
  private readonly saving = new Set<Promise<unknown>>();
  /**
   * Per identity, while its save goes on: the renewed token already handed out and the save. A
   * caller meanwhile gets that token (the settings and keychain still hold the one before), or
   * waits for the save when it needs more.
   */
  private readonly handedOut = new Map<string, { token: AccessToken; saved: Promise<unknown> }>();
  /**
   * Rotated refresh tokens the keychain refused to store (locked at that moment). The one the
   * keychain holds is already spent, so these are the live ones: saved first at the next refresh.
   */
  private readonly unsaved = new Map<string, string>();
  /**
   * The access token last read or obtained per identity, with the facts it belongs to: answered
   * from memory while the settings file still describes that very token (a long-running agent
   * then asks the keychain once per token, not once per request).
   */
  private readonly known = new Map<string, { accessToken: string; expiresAt: number | null; obtainedAt: number | null }>();


  /** The issuers' discovery documents: the session's (memory and the settings folder), else this service's own in memory. */
  private readonly discovery: DiscoveryCache;

  constructor(private readonly deps: TokenServiceDeps) {
    this.discovery = deps.discoveryCache ?? createDiscoveryCache(null, deps.clock);
  }

  /** An identity by id, or IDENTITY_NOT_FOUND. */
  identity(id: string): Identity {
    const identity = this.deps.identities.getIdentity(id);
    if (!identity) throw identityNotFound(id);
    return identity;
  }

  /**
   * A valid access token for the identity, valid for at least `minValidMs` (refreshing when needed).
   * Throws REFRESH_TOKEN_INVALID / SECRET_MISSING when a new login is needed.
   */
  /**
   * `answerBeforeSaved` (the agent answering a script, in a long-lived process): a renewed token is
   * handed out as soon as the identity provider answered, while saving it (about 10 ms of keychain
   * writes) goes on under the still-held lock; `idle()` waits for the save. Never for a one-shot
   * process, which exits after answering, nor where the caller reads the saved facts next.
   */
  async accessToken(id: string, opts: { minValidMs?: number; force?: boolean; refused?: string; answerBeforeSaved?: boolean } = {}): Promise<AccessToken> {
    const identity = this.identity(id);
    const minValidMs = opts.minValidMs ?? freshEnoughMs(identity);
    if (opts.refused !== undefined) return this.afterRefusal(identity, opts.refused);
    const unsaved = this.handedOut.get(id);
    if (unsaved) {
      const { token, saved } = unsaved;
      if (!opts.force && token.expiresAt !== null && token.expiresAt - this.deps.clock.now() >= minValidMs) return { ...token, renewed: false };
      // More than that token gives: ask once it is saved, from what is saved.
      await saved.catch(() => undefined);
      return this.accessToken(id, opts);
    }
    if (!opts.force) {
      const cached = await this.cached(identity, minValidMs);
      if (cached) return cached;
    }
    const running = this.inFlight.get(id);
    if (running) return running;
    const requestedAt = this.deps.clock.now();
    const whileSaving = this.deps.whileSaving ?? ((work) => work());
    let answerEarly: ((token: AccessToken) => void) | undefined;
    const early = opts.answerBeforeSaved
      ? new Promise<AccessToken>((resolve) => {
          answerEarly = (token) => {
            this.handedOut.set(id, { token, saved: done });
            resolve(token);
          };
        })
      : null;
    const work = this.underRefreshLock(id, () => whileSaving(() => this.renewLocked(id, minValidMs, opts.force === true, requestedAt, answerEarly)));
    // The answer: the renewed token as soon as there is one (early), else whatever the work ends with.
    const answer = early ? Promise.race([early, work]) : work;
    const done: Promise<AccessToken> = work.finally(() => {
      this.inFlight.delete(id);
      this.saving.delete(done);
      this.handedOut.delete(id);
    });
    this.saving.add(done);
    // The caller hears of a failure through `answer`; one after the token was handed out (a save
    // the keychain refused: the rotated token is kept in memory) is the log's.
    done.catch((e: unknown) => {
      if (early) this.deps.log?.('warn', `${id}: saving a renewed token failed`, e);
    });
    // Once handed out, a caller gets that token from `handedOut` until it is saved, or asks anew
    // after the save (under the lock) rather than sharing this answer, so that `force` always
    // means a token newer than its request.
    this.inFlight.set(id, answer);
    return answer;
  }

  /**
   * A token to replace one a backend refused (`refused`: {@link accessTokenFingerprint} of it).
   * A newer one (another script or process renewed meanwhile) is handed out as it is; the refused
   * one is renewed, unless it was renewed moments ago: a backend that refuses a token seconds old
   * refuses for another reason, and renewing at every refusal would spend the refresh token once
   * per request (TOKEN_REFUSED_AFTER_RENEWAL, "unreachable": try later).
   */
  private async afterRefusal(identity: Identity, refused: string): Promise<AccessToken> {
    const current = await this.cached(identity, 0);
    if (current && accessTokenFingerprint(current.accessToken) !== refused) return current;
    const obtainedAt = identity.accessTokenObtainedAt ?? 0;
    const age = this.deps.clock.now() - obtainedAt;
    if (current && age >= 0 && age < RENEWED_MOMENTS_AGO_MS) {
      throw new AuthTrayError('TOKEN_REFUSED_AFTER_RENEWAL', `${identity.backendUrl} refuses the access token of "${identity.label}" although it was renewed ${Math.max(1, Math.round(age / 1000))} s ago, so renewing it again would not help.`, {
        retryAfterMs: RENEWED_MOMENTS_AGO_MS,
        nextStep: 'Try again later. If it keeps happening, check the backend\'s status page, or that this login may use that backend.',
      });
    }
    return this.accessToken(identity.id, { force: true });
  }

  /** The cached access token when it stays valid for `minValidMs` (default: fresh enough), else null; never refreshes. */
  async cachedToken(id: string, minValidMs?: number): Promise<AccessToken | null> {
    const identity = this.identity(id);
    return this.cached(identity, minValidMs ?? freshEnoughMs(identity));
  }

  /** Resolves when no refresh of this service is under way (for quitting). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.saving.size > 0) await Promise.allSettled([...this.inFlight.values(), ...this.saving]);
  }

  /**
   * How every request of the app and the CLI reaches IdPs and backends (the one HTTP layer): the
   * injected fetch, the request timeout, and the service's abort signal combined with `signal`.
   */
  http(signal?: AbortSignal): { fetch?: FetchLike; timeoutMs?: number; signal?: AbortSignal } {
    const signals = [this.deps.signal, signal].filter((s): s is AbortSignal => s !== undefined);
    return {
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      ...(this.deps.requestTimeoutMs ? { timeoutMs: this.deps.requestTimeoutMs } : {}),
      ...(signals.length ? { signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] } : {}),
    };
  }

  /** The openEO bearer string for `accessToken` (raw JWT where the backend accepts it). */
  bearer(identity: Identity, accessToken: string): string {
    return openEoBearer(identity, accessToken);
  }

  /**
   * Runs `fn` holding the identity's refresh lock, the one every refresh of every process (tray and
   * CLI) takes: no refresh rotates the identity's refresh token while `fn` runs. Throws
   * LOCK_TIMEOUT when another process keeps it too long, SETTINGS_WRITE_FAILED when the lock
   * folder cannot be created.
   */
  async underRefreshLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    await this.ensureLockDir();
    return withFileLock(join(this.deps.lockDir, `refresh-${id}.lock`), fn);
  }

  private lockDirReady: Promise<void> | undefined;
  /** The lock folder, created on first use (0700, inside the settings folder). */
  private ensureLockDir(): Promise<void> {
    this.lockDirReady ??= mkdir(this.deps.lockDir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (e: unknown) => {
        this.lockDirReady = undefined; // try again next time: the folder may become writable
        throw new AuthTrayError('SETTINGS_WRITE_FAILED', `Could not create the lock folder ${this.deps.lockDir} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, {
          cause: e,
          nextStep: 'Check that the settings folder is writable and the disk is not full, then try again.',
        });
      },
    );
    return this.lockDirReady;
  }

  /** The cached access token when it is valid long enough, else null. */
  private async cached(identity: Identity, minValidMs: number): Promise<AccessToken | null> {
    if (identity.expiredAt !== undefined) return null;
    // Obtained "in the future": the clock went back, so the stored expiry is not to be trusted.
    if ((identity.accessTokenObtainedAt ?? 0) > this.deps.clock.now() + CLOCK_SLACK_MS) return null;
    const expiresAt = identity.accessTokenExpiresAt;
    if (expiresAt === null || expiresAt - this.deps.clock.now() < minValidMs) return null;
    const known = this.known.get(identity.id);
    if (known && known.expiresAt === expiresAt && known.obtainedAt === identity.accessTokenObtainedAt) {
      return { identity, accessToken: known.accessToken, expiresAt, renewed: false };
    }
    const accessToken = await this.deps.secrets.get(secretKey(identity.id, 'access_token'));
    if (!accessToken) return null;
    registerSecret(accessToken);
    this.known.set(identity.id, { accessToken, expiresAt, obtainedAt: identity.accessTokenObtainedAt });
    return { identity, accessToken, expiresAt, renewed: false };
  }

  /** Forgets what this service holds in memory for an identity (signed out). */
  forget(id: string): void {
    this.known.delete(id);
    this.handedOut.delete(id);
    this.unsaved.delete(id);
  }

  private async renewLocked(id: string, minValidMs: number, force: boolean, requestedAt: number, answerEarly?: (token: AccessToken) => void): Promise<AccessToken> {
    // Read again under the lock: another process may have refreshed while we waited.
    const identity = this.identity(id);
    const someoneElseRenewed = (identity.accessTokenObtainedAt ?? 0) >= requestedAt;
    if (!force || someoneElseRenewed) {
      const cached = await this.cached(identity, minValidMs);
      if (cached) return cached;
    }
    if (identity.kind === 'client-credentials') return this.clientCredentials(identity, answerEarly);
    return this.refresh(identity, answerEarly);
  }

  private async refresh(identity: Identity, answerEarly?: (token: AccessToken) => void): Promise<AccessToken> {
    const { secrets } = this.deps;
    const key = secretKey(identity.id, 'refresh_token');
    const pending = this.unsaved.get(identity.id);
    if (pending) {
      await secrets.set(key, pending); // throws again while the keychain is still locked
      this.unsaved.delete(identity.id);
      this.deps.log?.('info', `${identity.id}: saved the rotated refresh token the keychain refused earlier`);
    }
    // Always the keychain's, read under the lock: a process killed between saving a rotated token
    // and writing the settings file leaves nothing else that tells which token is live.
    const stored = secrets.get(key);
    // While the keychain answers (over D-Bus), load the HTTP client and openid-client the refresh
    // will need; a failure here is seen again, and reported, where the grant is awaited below.
    if (!this.deps.fetch) setImmediate(warmUpHttpClient);
    const grantReady = this.refreshGrant(identity);
    grantReady.catch(() => undefined);
    const refreshToken = await stored;
    if (!refreshToken) {
      throw new AuthTrayError('SECRET_MISSING', `The login "${identity.label}" has no refresh token in the keychain.`, {
        nextStep: signInAgainStep(identity),
      });
    }
    registerSecret(refreshToken);
    const ours = refreshToken;
    const source = await this.refreshTokenSource(identity, ours);
    const grant = await grantReady;
    let candidate = await source.first();
    let tokens: TokenSet;
    for (;;) {
      try {
        tokens = await grant(candidate, candidate === ours);
      } catch (e) {
        this.rediscoverNextTime(identity.issuer);
        if (!(e instanceof AuthTrayError && e.code === 'REFRESH_TOKEN_INVALID')) throw e;
        const next = await source.next(candidate);
        if (next === null) throw await this.loginEnded(identity, e);
        candidate = next;
        continue;
      }
      if (await source.accept(candidate, tokens)) break;
      const next = await source.next(candidate);
      if (next === null) throw await this.loginEnded(identity);
      candidate = next;
    }
    this.discovery.noteSigningKey(identity.issuer, jwtKeyId(tokens.accessToken));
    answerEarly?.(renewedView(identity, tokens));
    return this.persist(identity, tokens, ours, source);
  }

  /** Where the refresh token comes from and where the rotated one goes (refresh-token-source.ts). */
  private async refreshTokenSource(identity: Identity, ours: string): Promise<RefreshTokenSource> {
    const sync = identity.pythonSync?.enabled ? ((await this.deps.pythonSync?.()) ?? null) : null;
    if (!sync) return ownRefreshToken(ours);
    return sharedRefreshToken({ identity, ours, sync, samePerson: (tokens) => this.samePerson(identity, tokens), ...(this.deps.log ? { log: this.deps.log } : {}) });
  }

  /** The login has ended (its refresh token refused): recorded, and said one way wherever it is met. */
  private async loginEnded(identity: Identity, cause?: unknown): Promise<AuthTrayError> {
    await this.markExpired(identity);
    const { REFRESH_TOKEN_INVALID_MESSAGE } = await import('../oidc/errors.ts');
    return new AuthTrayError('REFRESH_TOKEN_INVALID', cause instanceof AuthTrayError ? cause.message : REFRESH_TOKEN_INVALID_MESSAGE, {
      ...(cause === undefined ? {} : { cause }),
      nextStep: signInAgainStep(identity),
    });
  }

  /**
   * Whether tokens obtained with a refresh token from outside belong to this identity's person:
   * the ID token's subject (validated by openid-client) against the one saved at sign-in, else
   * `/me` with the new access token against the saved user id. Unprovable is not the same person;
   * a backend that cannot be asked leaves the question open (its error is thrown: try again).
   */
  private async samePerson(identity: Identity, tokens: TokenSet): Promise<boolean> {
    if (identity.subject && tokens.subject) return identity.subject === tokens.subject;
    if (!identity.userId) return false;
    const { getMe } = await import('../openeo/api.ts');
    const me = await getMe(identity.apiUrl, openEoBearer(identity, tokens.accessToken), this.http());
    return me.userId === identity.userId;
  }

  /**
   * How to spend a refresh token: through openid-client, on the kept discovery document when there
   * is one (no discovery request), else after discovering the IdP.
   */
  private async refreshGrant(identity: Identity): Promise<(refreshToken: string, ours: boolean) => Promise<TokenSet>> {
    const { clock } = this.deps;
    const { connectIssuer } = await import('../oidc/issuer.ts');
    const { refreshTokens } = await import('../oidc/refresh.ts');
    const conn = await connectIssuer(identity.issuer, identity.clientId, { ...this.http(), ...this.cacheOption() });
    // What a refresh of our own token starts from: an IdP that does not rotate (EGI) sends no new
    // refresh token, and the one kept keeps its known end rather than becoming "unknown". (A token
    // from the Python store is not ours: nothing of this identity is assumed about it.)
    const previous = (refreshToken: string): TokenSet => ({
      accessToken: '', accessTokenExpiresAt: null, obtainedAt: 0, tokenType: 'bearer', refreshToken, refreshTokenExpiry: identity.refreshTokenExpiry,
    });
    return (refreshToken, ours) => refreshTokens(conn, refreshToken, { clock, ...(ours ? { previous: previous(refreshToken) } : {}) });
  }

  private cacheOption(): { discoveryCache: DiscoveryCache } {
    return { discoveryCache: this.discovery };
  }

  /** After any failure the IdP's document may be what is wrong: the next attempt discovers it again. */
  private rediscoverNextTime(issuer: string): void {
    this.discovery.forget(issuer);
  }

  private async clientCredentials(identity: Identity, answerEarly?: (token: AccessToken) => void): Promise<AccessToken> {
    const secret = await this.deps.secrets.get(secretKey(identity.id, 'client_secret'));
    if (!secret) {
      throw new AuthTrayError('SECRET_MISSING', `The service account "${identity.label}" has no client secret in the keychain.`, {
        nextStep: `Add it again: openeo-auth-tray login ${identity.backendUrl} --flow client-credentials --client-id ${identity.clientId}`,
      });
    }
    registerSecret(secret);
    const { connectIssuer, clientCredentialsLogin } = await import('../oidc/index.ts');
    const conn = await connectIssuer(identity.issuer, identity.clientId, { clientSecret: secret, ...this.http(), ...this.cacheOption() });
    let tokens: TokenSet;
    try {
      tokens = await clientCredentialsLogin(conn, { scopes: identity.scopes, clock: this.deps.clock });
    } catch (e) {
      this.rediscoverNextTime(identity.issuer);
      throw e;
    }
    this.discovery.noteSigningKey(identity.issuer, jwtKeyId(tokens.accessToken));
    answerEarly?.(renewedView(identity, tokens));
    return this.persist(identity, tokens, null, null);
  }

  /**
   * Refresh token first (the old one is already spent), then the access token, then the metadata.
   * `stored` is the refresh token the keychain holds now.
   */
  private async persist(identity: Identity, tokens: TokenSet, stored: string | null, source: RefreshTokenSource | null): Promise<AccessToken> {
    const { secrets, identities, clock } = this.deps;
    // Signed out meanwhile (by a process that did not wait for the lock): nothing is written back.
    if (!identities.getIdentity(identity.id)) throw identityNotFound(identity.id);
    if (tokens.refreshToken && tokens.refreshToken !== stored) {
      try {
        await this.saveWithRetries(secretKey(identity.id, 'refresh_token'), tokens.refreshToken);
      } catch (e) {
        // The old token is spent: keep the new one in memory until the keychain takes it.
        this.unsaved.set(identity.id, tokens.refreshToken);
        throw e;
      }
      await source?.saved(tokens.refreshToken);
    }
    await secrets.set(secretKey(identity.id, 'access_token'), tokens.accessToken);
    if (!identities.getIdentity(identity.id)) {
      // Gone while we wrote: take back what was written, so no secret outlives its sign-out.
      await Promise.all((['refresh_token', 'access_token'] as const).map((k) => secrets.delete(secretKey(identity.id, k)).catch(() => false)));
      throw identityNotFound(identity.id);
    }
    const meta = tokenMetadata(tokens);
    const now = clock.now();
    // Comparing the end before and after this refresh tells a sliding end from a fixed one.
    const expiry = identity.kind === 'personal' ? learnEnd(identity.refreshTokenExpiry, meta.refreshTokenExpiry, now, identity.accessTokenObtainedAt) : { kind: 'none' as const };
    const updated = await identities.updateIdentity(identity.id, {
      accessTokenExpiresAt: meta.accessTokenExpiresAt,
      accessTokenObtainedAt: meta.accessTokenObtainedAt,
      refreshTokenExpiry: expiry,
      // The session started at the login; rotation does not make the login younger.
      refreshTokenObtainedAt: identity.refreshTokenObtainedAt ?? meta.refreshTokenObtainedAt,
      warningsSent: warningsStillCrossed(identity.warningsSent, expiry, now),
      expiredAt: undefined,
      // Logins from before subjects were kept learn theirs from a refresh of their own token.
      ...(tokens.subject && !identity.subject && identity.kind === 'personal' ? { subject: tokens.subject } : {}),
    });
    this.known.set(identity.id, { accessToken: tokens.accessToken, expiresAt: updated.accessTokenExpiresAt, obtainedAt: updated.accessTokenObtainedAt });
    return { identity: updated, accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt, renewed: true };
  }

  /** `secrets.set`, tried again after each of `saveRetryDelaysMs` while the keychain refuses. */
  private async saveWithRetries(key: string, value: string): Promise<void> {
    const delays = this.deps.saveRetryDelaysMs ?? [];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.secrets.set(key, value);
        return;
      } catch (e) {
        const keychain = e instanceof AuthTrayError && (e.code === 'KEYCHAIN_LOCKED' || e.code === 'KEYCHAIN_UNAVAILABLE');
        if (!keychain || attempt >= delays.length) throw e;
        this.deps.log?.('warn', `the keychain refused the rotated refresh token; trying again in ${delays[attempt]} ms`, e);
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
  }

  private async markExpired(identity: Identity): Promise<void> {
    try {
      await this.deps.identities.updateIdentity(identity.id, { expiredAt: this.deps.clock.now() });
    } catch (e) {
      this.deps.log?.('warn', `${identity.id}: could not record that the login expired`, e);
    }
  }
}

/** A renewed token as handed out before it is saved: the identity as it was, with the new token's times. */
function renewedView(identity: Identity, tokens: TokenSet): AccessToken {
  return {
    identity: { ...identity, accessTokenExpiresAt: tokens.accessTokenExpiresAt, accessTokenObtainedAt: tokens.obtainedAt },
    accessToken: tokens.accessToken,
    expiresAt: tokens.accessTokenExpiresAt,
    renewed: true,
  };
}

/** Node loads its fetch implementation (undici) on first use; this makes that use now. */
function warmUpHttpClient(): void {
  try {
    new Headers();
  } catch {
    // nothing to gain then
  }
}

/**
 * Warnings already sent stay sent while the expiry is still within their threshold; when a
 * refresh moved the expiry further out (sliding sessions) they can fire again later.
 */
export function warningsStillCrossed(sent: number[], expiry: Identity['refreshTokenExpiry'], now: number): number[] {
  const warnAt = loginEnd(expiry).warnAt;
  if (warnAt === null) return [];
  return sent.filter((t) => warnAt - now <= t);
}
