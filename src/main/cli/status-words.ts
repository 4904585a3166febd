/** One line per identity for the human `status` output. */
import type { IdentityStatus } from '../core/model.ts';

function inWords(ms: number): string {
  const abs = Math.abs(ms);
  const [n, unit] = abs >= 86_400_000 ? [Math.round(abs / 86_400_000), 'day'] : abs >= 3_600_000 ? [Math.round(abs / 3_600_000), 'hour'] : [Math.max(1, Math.round(abs / 60_000)), 'minute'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

export function stateLine(s: IdentityStatus, now: number): string {
  const e = s.refreshTokenExpiry;
  const refresh = e.kind === 'at'
    ? `refresh token expires ${new Date(e.at).toISOString().slice(0, 16).replace('T', ' ')} UTC (${inWords(e.at - now)})`
    : e.kind === 'never' ? 'refresh token has no fixed expiry' : e.kind === 'unknown' ? 'refresh token expiry unknown' : 'no refresh token (gets a new access token with its secret)';
  switch (s.state) {
    case 'expired': return 'Expired — sign in again';
    case 'signed-out': return 'Signed out — sign in again';
    case 'keychain-unavailable': return `Keychain unavailable — ${s.problem?.message ?? 'unlock it and try again'}`;
    case 'offline': return `Offline — retrying; ${refresh}`;
    case 'error': return `Error: ${s.problem?.message ?? 'unknown'}`;
    case 'expiring-soon': return `Expiring soon · ${refresh}`;
    case 'signing-in': return 'Signing in…';
    default: return `Active · ${refresh}`;
  }
}
