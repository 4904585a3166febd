/**
 * Desktop notification texts for lifecycle, login and job events. Pure: the Electron layer shows
 * what this returns and navigates to `onClick` when the notification is clicked.
 */
import type { BatchJob, IdentityStatus, JobStatus } from '../../../shared/model.ts';
import type { Navigation } from '../../../shared/api.ts';
import { redact } from '../../../shared/redact.ts';
import { errorKind } from '../errors.ts';
import { REFRESH_FAILING_AFTER_MS } from '../lifecycle/failures.ts';
import { formatDay, formatTime } from '../../../shared/format/calendar.ts';
import { formatDuration, formatRelative, HOUR_MS, type FormatOptions } from '../../../shared/format/relative-time.ts';
import { displayText, hostOf } from '../../../shared/format/display-text.ts';
import { jobName } from '../tray/jobs-menu.ts';
import { refreshTokenPhrase } from '../../../shared/status/state-line.ts';
import type { NotifiableEvent } from './events.ts';

export interface TrayNotification {
  title: string;
  body: string;
  /** Where the window opens when the notification is clicked. */
  onClick: Navigation;
  urgency: 'normal' | 'critical';
}

export interface NotificationOptions extends FormatOptions {
  /** The user's mute switch: false → no notification at all. */
  notificationsEnabled: boolean;
  /** A failing refresh is announced only once it has failed for this long (default 5 minutes). */
  refreshFailingAfterMs?: number;
}

export { REFRESH_FAILING_AFTER_MS };


function made(title: string, body: string, onClick: Navigation, urgency: TrayNotification['urgency']): TrayNotification {
  // Every piece is display text already; redacting the whole again guards against a secret
  // split across pieces or added by a future edit.
  return { title: redact(title), body: redact(body), onClick, urgency };
}

/**
 * The notification for `event` about `identity` at `now`, or null when there is nothing to say:
 * notifications are muted, the event is not one people need to hear about (recovery, plain state
 * changes, a job that did not end), or a refresh has not been failing for long enough.
 * The text never contains a token.
 */
export function notificationFor(
  event: NotifiableEvent,
  identity: IdentityStatus,
  now: number,
  opts: NotificationOptions,
): TrayNotification | null {
  if (!opts.notificationsEnabled) return null;
  const label = displayText(identity.label, 40);
  const host = displayText(hostOf(identity.backend), 60);
  const signIn: Navigation = { page: 'add', identityId: identity.id };
  const expiredText = (): TrayNotification => made(
    `${label} needs a new sign-in`,
    `The login on ${host} has expired, so scripts and the tray get no new tokens. Click to sign in again.`,
    signIn, 'critical');

  switch (event.type) {
    case 'refresh-token-expiring': {
      const left = event.expiresAt - now;
      if (left <= 0) return expiredText();
      return made(
        `${label} login expires ${formatRelative(event.expiresAt, now, opts)}`,
        `The refresh token on ${host} expires ${formatDay(event.expiresAt, now, opts)} at ${formatTime(event.expiresAt, opts)}. `
          + 'Sign in again before then to keep scripts and the tray working. Click to sign in.',
        signIn, left <= HOUR_MS ? 'critical' : 'normal');
    }
    case 'expired':
      return expiredText();
    case 'refresh-failing': {
      const failingFor = now - event.since;
      if (failingFor < (opts.refreshFailingAfterMs ?? REFRESH_FAILING_AFTER_MS)) return null;
      return made(
        `${label}: tokens are not being renewed`,
        `Renewing has failed for ${formatDuration(failingFor, opts)} (since ${formatTime(event.since, opts)}): `
          + `${displayText(event.error.message, 140)} The app keeps trying.`,
        errorKind(event.error) === 'needs-sign-in' ? signIn : { page: 'accounts', identityId: identity.id }, 'normal');
    }
    case 'login-completed':
      return made(`Signed in to ${label}`, `${host} · ${refreshTokenPhrase(identity, now, opts)}.`,
        { page: 'accounts', identityId: identity.id }, 'normal');
    case 'job':
      return jobNotification(event.job, event.from, label, host, identity.id);
    case 'recovered':
    case 'state-changed':
      return null;
  }
}

function jobNotification(
  job: BatchJob,
  from: JobStatus | null,
  label: string,
  host: string,
  identityId: string,
): TrayNotification | null {
  if (job.status === from) return null;
  const jobs: Navigation = { page: 'jobs', identityId };
  const name = jobName(job, 60);
  const where = `${label} on ${host}`;
  switch (job.status) {
    case 'finished': {
      const costs = typeof job.costs === 'number' ? ` Costs: ${job.costs}.` : '';
      return made(`Job finished: ${name}`, `${where}.${costs} Click to see its results.`, jobs, 'normal');
    }
    case 'error':
      return made(`Job failed: ${name}`, `${where}. Click to see the job and its logs.`, jobs, 'normal');
    case 'canceled':
      return made(`Job canceled: ${name}`, `${where}.`, jobs, 'normal');
    default:
      return null;
  }
}

/**
 * Logins whose settings entries could not be read and were set aside (the others kept working):
 * which, why, where they went, and how to get them back. Said even with notifications off: the
 * person must learn that a login is missing.
 */
export function setAsideNotification(aside: ReadonlyArray<{ id: string | null; label: string | null; problem: string; file: string }>): TrayNotification | null {
  if (aside.length === 0) return null;
  const names = aside.map((a) => (a.label ? `"${displayText(a.label, 60)}"` : a.id ? displayText(a.id, 64) : 'one without a name')).join(', ');
  const first = aside[0]!;
  return made(
    aside.length === 1 ? 'openEO Auth Tray: a login was set aside' : `openEO Auth Tray: ${aside.length} logins were set aside`,
    `The settings file's entry for ${names} could not be read (${displayText(first.problem, 160)}), so it was moved to ${displayText(first.file, 300)}; the other logins work as before. Its secrets stay in the keychain: repair the entry and run \`openeo-auth-tray doctor --adopt <id>\` to take it back.`,
    { page: 'settings' },
    'critical',
  );
}
