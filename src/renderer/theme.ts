/**
 * Light or dark: the system's choice (`prefers-color-scheme`) unless the theme setting says
 * otherwise. The stylesheet reads `data-theme` on the root element.
 */
import type { SettingsView } from '../shared/api.ts';

export function applyTheme(theme: SettingsView['theme']): void {
  document.documentElement.dataset.theme = theme === 'light' || theme === 'dark' ? theme : 'system';
}
