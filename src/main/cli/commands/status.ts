/**
 * `status [--json]`: every identity with its state and expiry times, and what scripts did with it
 * through the token agent. That comes from `script-use.json` in the settings folder, which the
 * agent writes wherever it runs (the tray app, or `openeo-auth-tray agent`), so `status` shows it
 * from another process.
 */
import { parse, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { identityStatuses } from '../../core/session/status.ts';
import { readScriptUse } from '../../core/agent/script-use.ts';
import { iso, jsonText, plain, type Io } from '../output.ts';
import type { IdentityStatus, RefreshTokenExpiry } from '../../../shared/model.ts';
import { loginEnd } from '../../../shared/format/login-end.ts';
import { DAY_MS } from '../../../shared/format/relative-time.ts';

function refreshExpiresAt(e: RefreshTokenExpiry): string | null {
  return e.kind === 'at' ? iso(e.at) : null;
}

/**
 * How the login ends, as Keycloak means it: `login_end` is absolute | sliding | unconfirmed |
 * while-used | unknown | none (see src/shared/format/login-end.ts); `ends_if_unused_at` for a sliding
 * end, `absolute_end_at` when a fixed end is known, `last_renewed_at` the last refresh or sign-in.
 */
function loginEndFields(s: IdentityStatus) {
  const end = loginEnd(s.refreshTokenExpiry);
  return {
    login_end: end.type,
    ends_if_unused_at: end.type === 'sliding' ? iso(end.endsAt) : null,
    absolute_end_at: iso(end.absoluteAt),
    last_renewed_at: iso(s.lastRenewedAt ?? null),
  };
}

/** The `status --json` row (snake_case, ISO 8601 or null). */
export function statusRow(s: IdentityStatus) {
  return {
    id: s.id,
    label: s.label,
    backend: s.backend,
    provider: s.provider,
    kind: s.kind,
    user_id: s.userId,
    state: s.state,
    access_token_expires_at: iso(s.accessTokenExpiresAt),
    refresh_token_expires_at: refreshExpiresAt(s.refreshTokenExpiry),
    refresh_token_expiry: s.refreshTokenExpiry.kind,
    ...loginEndFields(s),
    client_id: s.clientId,
    issuer: s.issuer,
    problem: s.problem,
    ...scriptFields(s),
  };
}

/**
 * Scripts and the login: `scripts` allow | ask | deny; when a script last had a token through the
 * agent (ISO 8601 or null), what it called itself (unverified; null when none used it or it gave no
 * name), and how many tokens scripts had in the last hour.
 */
function scriptFields(s: IdentityStatus) {
  const use = s.scripts;
  return {
    scripts: use?.access ?? 'allow',
    last_script_use_at: iso(use?.lastUseAt ?? null),
    last_script_hint: use && use.lastUseAt !== null && use.lastHint !== '' ? use.lastHint : null,
    script_uses_last_hour: use?.lastHour ?? 0,
  };
}

export const spec: CommandSpec = {
  name: 'status',
  args: '',
  summary: 'Every login: its state, when it ends and how (fixed, sliding, while used), and its use by scripts through the agent.',
  options: { json: { type: 'boolean', help: 'print JSON (see the README for the fields)' } },
  maxPositionals: 0,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, spec);
  const ctx = await openContext();
  const identities = ctx.identities.listIdentities();
  const health = identities.length ? await ctx.secrets.health() : { ok: true as const };
  const now = ctx.clock.now();
  const use = readScriptUse(ctx.dir, now);
  const rows = identityStatuses(identities, now, { health, thresholdsMs: ctx.thresholdsMs(), scriptUse: (id) => use.get(id) });
  if (values.json) {
    io.stdout(`${jsonText(rows.map(statusRow), 2)}\n`);
    return 0;
  }
  if (!health.ok) io.stderr(`Keychain: ${plain(health.message)}\n`);
  if (rows.length === 0) {
    io.stdout('No openEO logins yet. Sign in with: openeo-auth-tray login <backend-url>\n');
    return 0;
  }
  const { stateLine } = await import('../../../shared/status/state-line.ts');
  const { scriptUseLine } = await import('../../../shared/format/script-words.ts');
  for (const s of rows) {
    io.stdout(`${s.id}  ${plain(s.label)}  (${s.kind === 'personal' ? 'personal' : 'service account'})\n`);
    io.stdout(`    ${plain(s.backend)} · provider ${plain(s.provider)}${s.userId ? ` · user ${plain(s.userId)}` : ''}\n`);
    io.stdout(`    ${plain(stateLine(s, now))}\n`);
    const lastUse = s.scripts?.lastUseAt ?? null;
    if (s.scripts && lastUse !== null && lastUse > now - DAY_MS) io.stdout(`    ${plain(scriptUseLine(s.scripts, now))}\n`);
  }
  return 0;
}
