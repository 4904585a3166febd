/**
 * About, at the end of Settings: the version (package.json, through src/shared/version.ts, as the
 * CLI and the agent report it), where to read more, and "Open logs folder" — the app's log files,
 * for a bug report — through the bridge (main opens the folder it logs to).
 */
import { VERSION } from '../../shared/version.ts';
import { h } from '../dom.ts';
import { announce, announceFailure, onAction } from '../feedback.ts';
import { externalLink } from './service-account.ts';

const LINKS: ReadonlyArray<{ label: string; url: string }> = [
  { label: 'openEO', url: 'https://openeo.org/' },
  { label: 'openEO on Copernicus Data Space', url: 'https://documentation.dataspace.copernicus.eu/APIs/openEO/openEO.html' },
  { label: 'The openEO Python client', url: 'https://open-eo.github.io/openeo-python-client/' },
];

/** The About section. */
export function aboutSection(): HTMLElement {
  const logs = onAction(h('button', { type: 'button', class: 'btn' }, 'Open logs folder'), 'Opening…', async () => {
    const result = await window.openeoAuth.openLogFolder();
    if (result.ok) announce('Opened the logs folder. Its files leave out tokens and secrets.');
    else announceFailure(result);
  });
  return h('section', { class: 'panel about', 'aria-labelledby': 'settings-about' },
    h('h2', { id: 'settings-about' }, 'About'),
    h('dl', { class: 'facts about-facts' },
      h('dt', {}, 'App'), h('dd', {}, `openEO Auth Tray ${VERSION}`),
      h('dt', {}, 'License'), h('dd', {}, 'Apache License 2.0'),
      h('dt', {}, 'Read more'), h('dd', {}, h('ul', { class: 'link-list' }, ...LINKS.map((l) => h('li', {}, externalLink(l.label, l.url)))))),
    h('p', { class: 'hint' }, 'The log tells what the app did and why a sign-in or a renewal failed; it never holds a token or a secret.'),
    h('div', { class: 'actions' }, logs));
}
