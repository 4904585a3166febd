/**
 * The core's tray menu (plain data) as an Electron menu template. Nothing is decided here beyond
 * what each platform needs to show the same words: the core chose the items, their order, what
 * is enabled and what must be confirmed.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { TrayMenuItem } from '../core/tray/menu-item.ts';

/**
 * A label as the platform should get it: on Windows and Linux `&` marks the next letter as an
 * access key, so a literal `&` (e.g. in "R&D backend") is doubled; macOS shows labels as they are.
 */
export function menuLabel(label: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? label : label.replaceAll('&', '&&');
}

/** Maps the items; `onClick` receives the core's item (with its action and confirmation). */
export function toMenuTemplate(
  items: readonly TrayMenuItem[],
  onClick: (item: TrayMenuItem) => void,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { id: item.id, type: 'separator' };
      case 'header':
        // Electron's own 'header' type exists on macOS 14+ only; a disabled item reads the same everywhere.
        return { id: item.id, type: 'normal', label: menuLabel(item.label, platform), enabled: false };
      case 'submenu':
        return {
          id: item.id,
          type: 'submenu',
          label: menuLabel(item.label, platform),
          enabled: item.enabled,
          submenu: toMenuTemplate(item.submenu ?? [], onClick, platform),
        };
      case 'normal': {
        const entry: MenuItemConstructorOptions = { id: item.id, type: 'normal', label: menuLabel(item.label, platform), enabled: item.enabled };
        if (item.action && item.enabled) entry.click = () => onClick(item);
        return entry;
      }
    }
  });
}
