/**
 * Settings: notifications and their thresholds, clipboard clearing, start at login, keeping the
 * openEO Python client's refresh-token store in sync, and the theme. Each change is saved at once.
 * About the app (its version, its updates and the daily look for them, the command line, links,
 * the logs folder) comes last; a downloaded update is also said at the top.
 */
import type { SettingsView } from '../../shared/api.ts';
import { SETTING_RULES, THEMES, type Theme } from '../../shared/settings.ts';
import { formatDuration } from '../../shared/format/relative-time.ts';
import { h, replace, uid } from '../dom.ts';
import { loading, onAction, problemBox, spinner } from '../feedback.ts';
import { pageFrame, type PageView } from '../router.ts';
import { applyTheme } from '../theme.ts';
import { thresholdWords } from '../words.ts';
import { aboutSection } from './about.ts';

const DAY = 86_400;
const THRESHOLD_CHOICES = [30 * DAY, 14 * DAY, 7 * DAY, 3 * DAY, DAY, 3600];
const CLIPBOARD_CHOICES = [10, 20, 30, 60, 120, 300, 600];
const THEME_WORDS: Record<Theme, string> = { system: 'Same as the system', light: 'Light', dark: 'Dark' };

function check(label: string, checked: boolean, hint?: string): { root: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { type: 'checkbox', id: uid('setting'), checked });
  const hintId = hint ? uid('hint') : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return { input, root: h('div', { class: 'choice' }, input, h('label', { for: input.id }, label), hint ? h('p', { class: 'hint', id: hintId }, hint) : null) };
}

const { offered } = SETTING_RULES.warningThresholds;
const withinLimits = (seconds: number): boolean => seconds >= offered.min && seconds <= offered.max;

/** The Settings page. */
export function settingsPage(): PageView {
  const frame = pageFrame('Settings');
  const status = h('div', { class: 'save-status', role: 'status' });
  /** A failed save stays visible above the form (which is reloaded to show what is really saved). */
  const notice = h('div', { class: 'status-slot' });
  /** A downloaded update, said first (the tray's "update ready" notification leads here). */
  const updateReady = h('div', { class: 'status-slot' });

  async function save(patch: Partial<SettingsView>): Promise<void> {
    replace(status, spinner(), 'Saving…');
    replace(notice);
    const result = await window.openeoAuth.updateSettings(patch);
    if (!result.ok) {
      replace(status);
      replace(notice, problemBox(result));
      return load(false);
    }
    applyTheme(result.value.theme);
    replace(status, 'Saved.');
  }

  function render(settings: SettingsView): void {
    const notify = check('Show desktop notifications', settings.notificationsEnabled,
      'About logins that expire soon, have expired, or keep failing to refresh.');
    notify.input.addEventListener('change', () => {
      thresholds.disabled = !notify.input.checked;
      void save({ notificationsEnabled: notify.input.checked });
    });
    const choices = [...new Set([...THRESHOLD_CHOICES, ...settings.warningThresholds])].filter(withinLimits).sort((a, b) => b - a);
    const boxes = choices.map((seconds) => ({ seconds, ...check(`${thresholdWords(seconds)} before`, settings.warningThresholds.includes(seconds)) }));
    const thresholds = h('fieldset', { class: 'choices inline-choices', disabled: !settings.notificationsEnabled },
      h('legend', {}, 'Warn before a login expires'), ...boxes.map((b) => b.root));
    thresholds.addEventListener('change', () => void save({ warningThresholds: boxes.filter((b) => b.input.checked).map((b) => b.seconds) }));

    const clipboardId = uid('clipboard');
    const delays = [...new Set([...CLIPBOARD_CHOICES, settings.clipboardClearSeconds])].sort((a, b) => a - b);
    const clipboard = h('select', { id: clipboardId, 'aria-describedby': `${clipboardId}-hint` },
      ...delays.map((s) => h('option', { value: String(s), selected: s === settings.clipboardClearSeconds }, `After ${formatDuration(s * 1000)}`)));
    clipboard.addEventListener('change', () => void save({ clipboardClearSeconds: Number(clipboard.value) }));

    const startAtLogin = check('Start openEO Auth Tray when I log in to this computer', settings.startAtLogin);
    startAtLogin.input.addEventListener('change', () => void save({ startAtLogin: startAtLogin.input.checked }));
    const python = check('Keep the openEO Python client in sync', settings.pythonSync,
      'Scripts that call authenticate_oidc() reuse these logins without signing in again. '
      + 'The client’s refresh-token file is updated with owner-only permissions; other entries in it are left alone.');
    // The cost of sharing, said where the choice is made (README "Using it from Python").
    python.root.appendChild(h('div', { class: 'callout tone-warn setting-warning', id: uid('python-warning') },
      h('p', {}, h('strong', {}, 'Both sides then share one refresh token. '),
        'Providers that rotate refresh tokens (CDSE does) accept each one only once. If a script spends a token this app already spent, '
        + 'or does not save the new one it gets, the login ends for the script and for this app, and both need a new sign-in.'),
      h('p', { class: 'callout-next' }, 'For scripts, prefer a fresh access token on demand: ', h('code', {}, 'openeo-auth-tray token'),
        ' (the tray’s “Copy Python snippet” gives you the code).')));
    python.input.setAttribute('aria-describedby', `${python.input.getAttribute('aria-describedby') ?? ''} ${python.root.lastElementChild?.id ?? ''}`.trim());
    python.input.addEventListener('change', () => void save({ pythonSync: python.input.checked }));

    const theme = h('fieldset', { class: 'choices inline-choices' }, h('legend', {}, 'Appearance'),
      ...THEMES.map((value) => {
        const id = uid('theme');
        return h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'theme', id, value, checked: value === settings.theme }), h('label', { for: id }, THEME_WORDS[value]));
      }));
    theme.addEventListener('change', (event) => void save({ theme: (event.target as HTMLInputElement).value as Theme }));

    const about = aboutSection({
      automatic: settings.checkForUpdates,
      setAutomatic: (on) => void save({ checkForUpdates: on }),
      readySlot: updateReady,
    });
    replace(frame.body, updateReady, notice,
      h('section', { class: 'panel', 'aria-labelledby': 'settings-notifications' }, h('h2', { id: 'settings-notifications' }, 'Notifications'), notify.root, thresholds),
      h('section', { class: 'panel', 'aria-labelledby': 'settings-clipboard' }, h('h2', { id: 'settings-clipboard' }, 'Clipboard'),
        h('div', { class: 'field' }, h('label', { for: clipboardId }, 'Clear copied tokens from the clipboard'), clipboard,
          h('p', { class: 'hint', id: `${clipboardId}-hint` }, 'Only if the clipboard still holds what this app put there.'))),
      h('section', { class: 'panel', 'aria-labelledby': 'settings-general' }, h('h2', { id: 'settings-general' }, 'General'), startAtLogin.root, python.root, theme),
      status,
      about);
  }

  async function load(showLoading = true): Promise<void> {
    if (showLoading) replace(frame.body, loading('Loading settings…'));
    const result = await window.openeoAuth.getSettings();
    if (result.ok) return render(result.value);
    const retry = onAction(h('button', { type: 'button', class: 'btn' }, 'Try again'), 'Loading…', () => load());
    replace(frame.body, problemBox(result, retry));
  }

  return { root: frame.root, heading: frame.heading, show: () => void load() };
}
