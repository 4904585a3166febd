/**
 * A scripted LifecycleHost for the lifecycle tests: identities in memory, a refresh that issues
 * tokens by a per-identity policy on the fake clock, injectable failures, and a record of
 * every call and event with the time it happened.
 */
import type { AuthTrayError } from '../../../src/main/core/errors.ts';
import type { LifecycleEvent, LifecycleHost } from '../../../src/main/core/lifecycle/host.ts';
import type { Identity } from '../../../src/shared/model.ts';
import type { FakeClock } from '../../helpers/fake-clock.ts';

export const S = 1_000;
export const MIN = 60 * S;
export const H = 60 * MIN;
export const D = 24 * H;

/** A personal identity signed in at `now` with the given token facts. */
export function makeIdentity(id: string, now: number, overrides: Partial<Identity> = {}): Identity {
  return {
    id,
    label: id,
    kind: 'personal',
    flow: 'device',
    backendUrl: 'https://openeo.example',
    apiUrl: 'https://openeo.example/openeo/1.2',
    providerId: 'example',
    issuer: 'https://idp.example/realms/x',
    clientId: 'openeo-client',
    scopes: ['openid', 'offline_access'],
    jwtBearer: false,
    createdAt: now,
    accessTokenExpiresAt: now + 300 * S,
    accessTokenObtainedAt: now,
    refreshTokenExpiry: { kind: 'never' },
    refreshTokenObtainedAt: now,
    warningsSent: [],
    ...overrides,
  };
}

/** How a refresh answers for one identity. */
export interface TokenPolicy {
  accessLifetimeMs: number;
  /** A rotated refresh token living this long from each refresh (sliding); else expiry is kept. */
  slidingRefreshMs?: number;
}

export type TimedEvent = LifecycleEvent & { at: number };

export class FakeHost implements LifecycleHost {
  readonly identities = new Map<string, Identity>();
  readonly policies = new Map<string, TokenPolicy>();
  /** Failures to throw from refreshAccess, per identity, until deleted. */
  readonly failures = new Map<string, AuthTrayError>();
  readonly refreshCalls: Array<{ id: string; at: number }> = [];
  readonly warningCalls: Array<{ id: string; thresholds: number[]; at: number }> = [];
  readonly expiredCalls: Array<{ id: string; at: number }> = [];
  readonly events: TimedEvent[] = [];
  /** When set, refreshAccess waits for it (to hold a refresh in flight). */
  gate: Promise<void> | null = null;
  /** False: mark* calls are recorded but not written back (a slow or failing settings store). */
  persist = true;
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly clock: FakeClock) {}

  add(identity: Identity, policy: TokenPolicy): void {
    this.identities.set(identity.id, identity);
    this.policies.set(identity.id, policy);
  }

  listIdentities(): Identity[] {
    return [...this.identities.values()];
  }

  async refreshAccess(identityId: string): Promise<void> {
    this.refreshCalls.push({ id: identityId, at: this.clock.now() });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await Promise.resolve();
      if (this.gate) await this.gate;
      const failure = this.failures.get(identityId);
      if (failure) throw failure;
      const identity = this.identities.get(identityId);
      const policy = this.policies.get(identityId);
      if (!identity || !policy) throw new Error(`no identity ${identityId}`);
      const now = this.clock.now();
      const next: Identity = { ...identity, accessTokenObtainedAt: now, accessTokenExpiresAt: now + policy.accessLifetimeMs };
      if (policy.slidingRefreshMs !== undefined) {
        Object.assign(next, {
          refreshTokenExpiry: { kind: 'at', at: now + policy.slidingRefreshMs },
          refreshTokenObtainedAt: now,
          warningsSent: [],
        });
      }
      this.identities.set(identityId, next);
    } finally {
      this.inFlight -= 1;
    }
  }

  async markWarningsSent(identityId: string, thresholdsMs: number[]): Promise<void> {
    this.warningCalls.push({ id: identityId, thresholds: [...thresholdsMs], at: this.clock.now() });
    const identity = this.identities.get(identityId);
    if (this.persist && identity) this.identities.set(identityId, { ...identity, warningsSent: [...thresholdsMs] });
  }

  async markExpired(identityId: string, at: number): Promise<void> {
    this.expiredCalls.push({ id: identityId, at });
    const identity = this.identities.get(identityId);
    if (this.persist && identity) this.identities.set(identityId, { ...identity, expiredAt: at });
  }

  onEvent(event: LifecycleEvent): void {
    this.events.push({ ...event, at: this.clock.now() });
  }

  callsFor(id: string): number[] {
    return this.refreshCalls.filter((c) => c.id === id).map((c) => c.at);
  }

  /** Events of one identity, without 'state-changed' unless asked. */
  eventsFor(id: string, withStates = false): TimedEvent[] {
    return this.events.filter((e) => e.identityId === id && (withStates || e.type !== 'state-changed'));
  }

  statesOf(id: string): string[] {
    return this.events.flatMap((e) => (e.identityId === id && e.type === 'state-changed' ? [e.state] : []));
  }
}

/** Gaps between consecutive times, in seconds. */
export function gapsSeconds(times: number[]): number[] {
  return times.slice(1).map((t, i) => (t - (times[i] ?? t)) / S);
}
