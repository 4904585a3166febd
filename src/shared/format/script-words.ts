/**
 * How the tray, the window and `status` speak of scripts using a login through the token agent:
 * "Used by scripts: 14 times in the last hour, last by “python (my_job.py)” (unverified name) at
 * 14:02", and of forwards: "Forwarded: CDSE (alice) until 18:00". A script's name is what it says
 * it is; nothing verifies it, so it is always marked so.
 */
import type { ScriptsView } from '../model.ts';
import { formatSince } from './calendar.ts';
import { displayText } from './display-text.ts';
import { peerLine } from './peer-text.ts';
import { redact } from '../redact.ts';
import type { FormatOptions } from './relative-time.ts';

/** Longest script name shown (the agent keeps at most this many characters of it). */
export const SCRIPT_NAME_MAX = 200;

/** "1 time", "14 times". */
export function timesWords(n: number): string {
  return n === 1 ? '1 time' : `${n} times`;
}

/**
 * A script's name for display: one line, at most {@link SCRIPT_NAME_MAX} characters, our secrets
 * and token-shaped values (JWTs, bearer values) masked. A long snake_case name stays whole: it is
 * a name, not a token, whatever its length.
 */
export function scriptName(hint: string): string {
  return peerLine(redact(peerLine(hint, SCRIPT_NAME_MAX + 64), { opaqueRuns: false }), SCRIPT_NAME_MAX);
}

/** Who used a login last: “python (my_job.py)” (unverified name), or a script that gave no name. */
export function scriptNameWords(hint: string): string {
  const name = scriptName(hint);
  return name ? `“${name}” (unverified name)` : 'a script that gave no name';
}

/** One line on a login's use by scripts, or "Not used by scripts yet". */
export function scriptUseLine(use: Pick<ScriptsView, 'lastUseAt' | 'lastHint' | 'lastHour'>, now: number, opts: FormatOptions = {}): string {
  if (use.lastUseAt === null) return 'Not used by scripts yet';
  const last = `last by ${scriptNameWords(use.lastHint)} at ${formatSince(use.lastUseAt, now, opts)}`;
  const count = use.lastHour > 0 ? `${timesWords(use.lastHour)} in the last hour` : 'none in the last hour';
  return `Used by scripts: ${count}, ${last}`;
}

/** A login as a forward names it: "CDSE (alice)" (its provider and its name), or the name alone. */
export function forwardedLoginName(login: { label: string; provider?: string }): string {
  const label = displayText(login.label, 40);
  return login.provider ? `${displayText(login.provider, 20)} (${label})` : label;
}

/** "Forwarded: CDSE (alice) until 18:00" ("until 13 Dec, 18:00" on another day). */
export function forwardLine(logins: ReadonlyArray<{ label: string; provider?: string }>, until: number, now: number, opts: FormatOptions = {}): string {
  return `Forwarded: ${logins.map(forwardedLoginName).join(', ')} until ${formatSince(until, now, opts)}`;
}
