/**
 * The words of the question the tray app asks when a script not seen in the last hour wants a
 * login that asks first ("Ask before a new script uses it"). The script's name is what it says it
 * is: the question says so, and says when the request came from a remote machine (a forward).
 * Deny is the safe answer, so it is the default one.
 */
import type { AccessQuestion } from '../agent/script-access.ts';
import { formatSince } from '../../../shared/format/calendar.ts';
import { displayText, hostOf } from '../../../shared/format/display-text.ts';
import type { FormatOptions } from '../../../shared/format/relative-time.ts';
import { scriptName } from '../../../shared/format/script-words.ts';

export interface ScriptQuestionWords {
  /** The question itself: "A script wants to use CDSE (openeo.dataspace.copernicus.eu)". */
  message: string;
  /** Who asks (unverified), from where, and what "Allow" gives. */
  detail: string;
  allowLabel: string;
  denyLabel: string;
}

/** The question for `q` at `now`. */
export function scriptQuestion(q: AccessQuestion, now: number, opts: FormatOptions = {}): ScriptQuestionWords {
  const name = scriptName(q.hint);
  const who = name
    ? `It calls itself “${name}” — this name is not verified: any program can give itself any name.`
    : 'It gives no name.';
  const where = q.forward
    ? `It comes from a remote machine, through a forward you opened (until ${formatSince(q.forward.until, now, opts)}).`
    : 'It runs on this computer, as you.';
  return {
    message: `A script wants to use ${displayText(q.identity.label, 60)} (${displayText(hostOf(q.identity.backendUrl), 60)})`,
    detail: `${who}\n\n${where}\n\nIf you allow it, a script of this name gets this login’s access tokens for 1 hour. If you did not start it, deny.`,
    allowLabel: 'Allow for 1 hour',
    denyLabel: 'Deny',
  };
}
