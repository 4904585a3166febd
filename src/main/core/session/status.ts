/** Status rows for `status`, the tray and the window, from the settings file and what this process knows. */
import type { Identity, IdentityStatus } from '../../../shared/model.ts';
import type { KeychainHealth } from '../ports.ts';
import { DEFAULT_WARNING_THRESHOLDS_MS, deriveState, normalizeThresholds, type IdentityRuntime } from '../lifecycle/schedule.ts';
import { scriptAccessOf } from '../agent/script-access.ts';
import type { ScriptUse } from '../agent/script-use.ts';

/**
 * One row per identity. `runtime` carries what a running lifecycle knows (offline, errors,
 * signing in); without it (a one-shot CLI) the state follows from the stored facts and the
 * keychain's health alone. With `scriptUse` (where scripts reach logins through the token agent),
 * each row also says whether scripts may use it and what they did with it.
 */
export function identityStatuses(
  identities: Identity[],
  now: number,
  opts: {
    health?: KeychainHealth;
    thresholdsMs?: readonly number[];
    runtime?: (id: string) => IdentityRuntime | undefined;
    scriptUse?: (id: string) => ScriptUse | null | undefined;
  } = {},
): IdentityStatus[] {
  const keychainProblem = opts.health && !opts.health.ok
    ? { code: opts.health.reason === 'locked' ? 'KEYCHAIN_LOCKED' : 'KEYCHAIN_UNAVAILABLE', message: opts.health.message }
    : null;
  const thresholds = normalizeThresholds(opts.thresholdsMs ?? DEFAULT_WARNING_THRESHOLDS_MS);
  const warnWithinMs = thresholds[0] ?? 0;
  return identities.map((identity) => {
    const runtime: IdentityRuntime = { ...(opts.runtime?.(identity.id) ?? {}) };
    if (keychainProblem) runtime.keychainProblem = keychainProblem;
    const state = deriveState(identity, runtime, now, thresholds);
    const problem = runtime.keychainProblem ?? runtime.lastError ?? null;
    return {
      id: identity.id,
      label: identity.label,
      kind: identity.kind,
      backend: identity.backendUrl,
      apiUrl: identity.apiUrl,
      provider: identity.providerId,
      issuer: identity.issuer,
      clientId: identity.clientId,
      userId: identity.userId ?? null,
      state,
      accessTokenExpiresAt: identity.accessTokenExpiresAt,
      refreshTokenExpiry: identity.refreshTokenExpiry,
      refreshTokenObtainedAt: identity.refreshTokenObtainedAt,
      lastRenewedAt: identity.kind === 'personal' ? identity.accessTokenObtainedAt : null,
      accessTokenObtainedAt: identity.accessTokenObtainedAt,
      offlineSince: runtime.offlineSince ?? null,
      problem: problem ? { code: problem.code, message: problem.message } : null,
      warnWithinMs,
      ...(opts.scriptUse ? { scripts: scriptsView(identity, opts.scriptUse(identity.id) ?? null) } : {}),
    };
  });
}

/** A login's setting for scripts and their recorded use of it. */
function scriptsView(identity: Identity, use: ScriptUse | null): NonNullable<IdentityStatus['scripts']> {
  return { access: scriptAccessOf(identity), lastUseAt: use?.lastAt ?? null, lastHint: use?.lastHint ?? '', lastHour: use?.lastHour ?? 0 };
}
