/**
 * The tray tooltip: the state of all logins in words, most urgent first, e.g.
 * "2 logins active · CDSE expires in 5 days" or "1 login needs a new sign-in: CDSE".
 */
import { loginEnd } from '../../../shared/format/login-end.ts';
import type { IdentityStatus } from '../../../shared/model.ts';
import { formatSince } from '../../../shared/format/calendar.ts';
import { formatRelative } from '../../../shared/format/relative-time.ts';
import { displayText } from '../../../shared/format/display-text.ts';
import { effectiveState } from '../../../shared/status/look.ts';
import type { StateLineOptions } from '../../../shared/status/state-line.ts';

/** Windows cuts tray tooltips at 127 characters; stay inside everywhere. */
export const TOOLTIP_MAX = 127;

function logins(n: number): string {
  return n === 1 ? '1 login' : `${n} logins`;
}

function names(list: readonly IdentityStatus[]): string {
  return list.map((i) => displayText(i.label, 24)).join(', ');
}

/** The tooltip for a set of identities at `now`. */
export function trayTooltip(identities: readonly IdentityStatus[], now: number, opts: StateLineOptions = {}): string {
  if (identities.length === 0) return 'No openEO accounts yet';
  const by = (wanted: string): IdentityStatus[] => identities.filter((i) => effectiveState(i, now, opts) === wanted);
  const parts: string[] = [];

  const expired = by('expired');
  if (expired.length > 0) {
    parts.push(`${logins(expired.length)} ${expired.length === 1 ? 'needs' : 'need'} a new sign-in: ${names(expired)}`);
  }
  const failing = by('error');
  if (failing.length > 0) parts.push(`${logins(failing.length)} with a problem: ${names(failing)}`);
  const keychain = by('keychain-unavailable');
  if (keychain.length > 0) {
    const unusable = keychain.every((i) => i.problem?.code === 'KEYCHAIN_UNAVAILABLE');
    parts.push(unusable ? 'No usable keychain' : 'Keychain locked — unlock it to continue');
  }
  const offline = by('offline');
  if (offline.length > 0) {
    const since = offline.map((i) => i.offlineSince).filter((t): t is number => t !== null);
    parts.push(since.length > 0 ? `No connection since ${formatSince(Math.min(...since), now, opts)} — retrying` : 'No connection — retrying');
  }
  const active = [...by('expiring-soon'), ...by('active')];
  if (active.length > 0) {
    let text = `${logins(active.length)} active`;
    const soonest = active
      // The end no use can move: a sliding window the app keeps moving is not "expiring".
      .flatMap((i) => { const at = loginEnd(i.refreshTokenExpiry).warnAt; return at === null ? [] : [{ identity: i, at }]; })
      .sort((a, b) => a.at - b.at)[0];
    if (soonest) text += ` · ${displayText(soonest.identity.label, 24)} expires ${formatRelative(soonest.at, now, opts)}`;
    parts.push(text);
  }
  if (by('signing-in').length > 0) parts.push('Signing in…');
  const signedOut = by('signed-out');
  if (signedOut.length > 0) parts.push(`${logins(signedOut.length)} signed out`);

  const text = parts.join(' · ');
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1).trimEnd()}…`;
}
