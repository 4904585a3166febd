/**
 * About, at the end of Settings: the version (package.json, through src/shared/version.ts, as the
 * CLI and the agent report it), the app's updates (look now, the daily look on or off, restart
 * into a downloaded one after its notes), the `openeo-auth-tray` command of this installation,
 * where to read more, and "Open logs folder" — the app's log files, for a bug report.
 *
 * The section asks main for its state each time Settings is shown (`getAbout`). A downloaded
 * update is also said at the top of Settings, where the tray's "update ready" notification leads.
 */
import type { AboutView, CommandLineView, Result, UpdateView } from '../../shared/api.ts';
import { formatSince, formatTime, isSameDay } from '../../shared/format/calendar.ts';
import { capText, stripControls } from '../../shared/format/peer-text.ts';
import { VERSION } from '../../shared/version.ts';
import { h, replace, uid, wrapLongWords } from '../dom.ts';
import { announce, announceFailure, loading, onAction, problemBox } from '../feedback.ts';
import { externalLink } from './service-account.ts';

const LINKS: ReadonlyArray<{ label: string; url: string }> = [
  { label: 'openEO', url: 'https://openeo.org/' },
  { label: 'openEO on Copernicus Data Space', url: 'https://documentation.dataspace.copernicus.eu/APIs/openEO/openEO.html' },
  { label: 'The openEO Python client', url: 'https://open-eo.github.io/openeo-python-client/' },
];

/** Release notes come from the release page: plain text here, without control characters, bounded. */
const NOTES_MAX = 2_000;
/** While a look or a download goes on, About asks again this often (while it is on screen). */
const BUSY_POLL_MS = 2_000;

export interface AboutOptions {
  /** The `checkForUpdates` setting (the daily look). */
  automatic: boolean;
  /** Saves the daily look's setting (Settings' own save, with its "Saved." and its failures). */
  setAutomatic(on: boolean): void;
  /** Where a downloaded update is also said: the top of Settings. */
  readySlot: HTMLElement;
  /** The clock of the words ("looked at 09:42"). */
  now?: () => number;
}

/** One line of what the updates are doing, in words. */
export function updateWords(view: UpdateView, now: number): string {
  const looked = (at: number | null): string => (at === null ? '' : ` · looked ${sinceWords(at, now)}`);
  switch (view.kind) {
    case 'off': return view.message;
    case 'idle': return view.lastCheckedAt === null ? 'Not looked for an update yet.' : `No update found${looked(view.lastCheckedAt)}.`;
    case 'checking': return 'Looking for an update…';
    case 'up-to-date': return `Up to date${looked(view.lastCheckedAt)}.`;
    case 'downloading': return `Downloading version ${view.version}…`;
    case 'ready': return `Version ${view.version} is downloaded and ready.`;
    case 'failed': return `Could not look for an update: ${view.message}`;
  }
}

function sinceWords(at: number, now: number): string {
  return isSameDay(at, now) ? `at ${formatTime(at)}` : `on ${formatSince(at, now)}`;
}

function notesBlock(view: Extract<UpdateView, { notes: string }>): HTMLElement {
  const text = capText(view.notes.split('\n').map(stripControls).join('\n').trim(), NOTES_MAX) || 'This release has no notes.';
  return h('details', { class: 'release-notes' }, h('summary', {}, `What is new in ${view.version}`), h('p', { class: 'notes-text' }, wrapLongWords(text)));
}

/** The About section. */
export function aboutSection(opts: AboutOptions): HTMLElement {
  const now = opts.now ?? (() => Date.now());
  const updatesBody = h('div', { class: 'about-updates' }, loading('Looking up the app’s updates…'));
  const commandBody = h('div', { class: 'about-command-line' });

  const restart = (primary: boolean): HTMLButtonElement => onAction(
    h('button', { type: 'button', class: primary ? 'btn primary' : 'btn' }, 'Restart to update…'), 'Waiting for your answer…', async () => {
      const result = await window.openeoAuth.installUpdate();
      if (!result.ok) announceFailure(result);
      else if (!result.value.restarting) announce('The update waits: it is installed when you choose “Restart to update”.');
    });

  function showUpdates(view: UpdateView): void {
    replace(opts.readySlot, view.kind === 'ready'
      ? h('div', { class: 'callout tone-info update-ready', role: 'status' },
        h('p', {}, h('strong', {}, `openEO Auth Tray ${view.version} is ready. `), 'The app restarts into it when you choose; your logins stay signed in.'),
        h('div', { class: 'actions' }, restart(true)))
      : null);
    const line = h('p', { class: `update-line${view.kind === 'failed' ? ' tone-warn' : ''}`, role: 'status' }, updateWords(view, now()));
    if (view.kind === 'off') {
      replace(updatesBody, line);
      return;
    }
    const daily = h('input', { type: 'checkbox', id: uid('setting'), checked: opts.automatic });
    daily.addEventListener('change', () => {
      opts.automatic = daily.checked;
      opts.setAutomatic(daily.checked);
    });
    const look = onAction(h('button', { type: 'button', class: 'btn' }, view.kind === 'failed' ? 'Try again' : 'Check for updates'), 'Looking…', async () => {
      const result = await window.openeoAuth.checkForUpdates();
      if (!result.ok) {
        replace(updatesBody, problemBox(result), line);
        return;
      }
      showUpdates(result.value);
      if (result.value.kind === 'up-to-date') announce(`openEO Auth Tray ${VERSION} is the newest version.`);
    });
    const busy = view.kind === 'checking' || view.kind === 'downloading';
    if (busy) {
      look.setAttribute('aria-disabled', 'true');
      setTimeout(() => {
        if (section.isConnected) void window.openeoAuth.getAbout().then(show);
      }, BUSY_POLL_MS);
    }
    replace(updatesBody,
      line,
      'notes' in view ? notesBlock(view) : null,
      h('div', { class: 'choice' }, daily, h('label', { for: daily.id }, 'Look for updates once a day'),
        h('p', { class: 'hint' }, 'Off, the app looks only when you press “Check for updates”. A found update is downloaded, and installed only when you restart into it.')),
      h('div', { class: 'actions' }, view.kind === 'ready' ? restart(false) : null, look));
  }

  function showCommandLine(view: CommandLineView): void {
    if (!view.offered) {
      replace(commandBody, h('p', {}, view.how));
      return;
    }
    const folder = view.path.slice(0, view.path.lastIndexOf('/')) || '/';
    const words: Record<typeof view.state, string> = {
      installed: `Installed: ${view.path}.`,
      missing: `Not installed. “Install command line tool…” writes ${view.path}.`,
      outdated: `${view.path} runs this app from a place it has left: install it again.`,
      other: `${view.path} is another program; installing replaces it.`,
    };
    const install = onAction(h('button', { type: 'button', class: view.state === 'installed' ? 'btn' : 'btn primary' },
      view.state === 'installed' ? 'Reinstall command line tool…' : 'Install command line tool…'), 'Installing…', async () => {
      const result = await window.openeoAuth.installCommandLine();
      if (!result.ok) {
        replace(commandBody, problemBox(result));
        showCommandLineAfterFailure(view);
        return;
      }
      showCommandLine(result.value);
      if (result.value.offered && result.value.state === 'installed') announce(`Installed ${result.value.path}.`);
    });
    replace(commandBody,
      h('p', {}, words[view.state]),
      view.state === 'installed' && !view.onPath
        ? h('p', { class: 'hint' }, `${folder} is not on your PATH: add it in your shell’s profile (export PATH="${folder}:$PATH").`)
        : h('p', { class: 'hint' }, 'Shells, R, cron jobs and scripts then use your logins: try openeo-auth-tray status.'),
      h('div', { class: 'actions' }, install));
  }

  /** After a failed install: the problem stays above, the choices come back below it. */
  function showCommandLineAfterFailure(view: CommandLineView): void {
    const problem = commandBody.firstElementChild;
    showCommandLine(view);
    if (problem) commandBody.prepend(problem);
  }

  function show(result: Result<AboutView>): void {
    if (!result.ok) {
      replace(updatesBody, problemBox(result));
      return;
    }
    showUpdates(result.value.updates);
    showCommandLine(result.value.commandLine);
  }
  void window.openeoAuth.getAbout().then(show);

  const logs = onAction(h('button', { type: 'button', class: 'btn' }, 'Open logs folder'), 'Opening…', async () => {
    const result = await window.openeoAuth.openLogFolder();
    if (result.ok) announce('Opened the logs folder. Its files leave out tokens and secrets.');
    else announceFailure(result);
  });
  const section = h('section', { class: 'panel about', 'aria-labelledby': 'settings-about' },
    h('h2', { id: 'settings-about' }, 'About'),
    h('dl', { class: 'facts about-facts' },
      h('dt', {}, 'App'), h('dd', {}, `openEO Auth Tray ${VERSION}`),
      h('dt', {}, 'License'), h('dd', {}, 'Apache License 2.0'),
      h('dt', {}, 'Read more'), h('dd', {}, h('ul', { class: 'link-list' }, ...LINKS.map((l) => h('li', {}, externalLink(l.label, l.url)))))),
    h('h3', { id: 'settings-updates' }, 'Updates'),
    updatesBody,
    h('h3', { id: 'settings-command-line' }, 'Command line'),
    commandBody,
    h('h3', { id: 'settings-logs' }, 'Logs'),
    h('p', { class: 'hint' }, 'The log tells what the app did and why a sign-in or a renewal failed; it never holds a token or a secret.'),
    h('div', { class: 'actions' }, logs));
  return section;
}
