/**
 * The tray icon: its image follows the core's `trayLook()`, its tooltip and menu are the core's,
 * and all three are rebuilt whenever the core reports a change. A click on a menu item asks for
 * confirmation first when the core says so, then hands the action back to the core — except
 * Quit, which belongs to the app.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialog, Menu, Tray } from 'electron';
import type { AppCore } from '../core/tray-app/app-core.ts';
import type { Logger } from '../core/log.ts';
import type { TrayLook } from '../../shared/status/look.ts';
import type { TrayMenuItem } from '../core/tray/menu-item.ts';
import { toMenuTemplate } from './menu-template.ts';

/** The part of a Tray this module uses. Images are given as paths: Electron then picks `@2x` files and `…Template` images itself. */
export type TrayIcon = Pick<Tray, 'setImage' | 'setToolTip' | 'setContextMenu' | 'on' | 'destroy' | 'isDestroyed'>;

/** The Electron parts this module uses. */
export interface TrayElectron {
  Tray: new (image: string) => TrayIcon;
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  dialog: Pick<Dialog, 'showMessageBox'>;
}

export interface TrayOptions {
  core: Pick<AppCore, 'trayMenu' | 'trayTooltip' | 'trayLook' | 'runTrayAction' | 'onChange'>;
  /** The app folder (`app.getAppPath()`), which holds `assets/`. */
  appPath: string;
  platform: NodeJS.Platform;
  log: Logger;
  /** Left click where the platform has that habit (Windows, and Linux desktops that report it). */
  showWindow(): void;
  quit(): void;
}

export interface TrayController {
  /** Rebuilds icon, tooltip and menu from the core now. */
  refresh(): void;
  destroy(): void;
}

/** Looks that macOS shows with the monochrome template image (the menu bar's own style). */
const CALM_LOOKS: ReadonlySet<TrayLook> = new Set(['ok', 'idle']);

/**
 * The icon file for a look. macOS: the template image while all is well, the coloured icon when
 * something needs attention (a template cannot show a state). Windows: 16 px (+ @2x). Linux:
 * 24 px (+ @2x), the size most panels draw.
 */
export function trayIconPath(appPath: string, look: TrayLook, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return join(appPath, 'assets', CALM_LOOKS.has(look) ? 'trayTemplate.png' : `tray-${look}.png`);
  return join(appPath, 'assets', platform === 'linux' ? `tray-${look}-24.png` : `tray-${look}.png`);
}

/** Creates the tray icon and keeps it in step with the core. */
export function setupTray(electron: TrayElectron, opts: TrayOptions): TrayController {
  const { core, platform, log } = opts;
  let look = core.trayLook();
  const iconFor = (l: TrayLook): string => {
    const path = trayIconPath(opts.appPath, l, platform);
    if (!existsSync(path)) log('warn', `The tray icon ${path} is missing; the build is incomplete.`);
    return path;
  };
  const tray = new electron.Tray(iconFor(look));

  async function run(item: TrayMenuItem): Promise<void> {
    const action = item.action;
    if (!action) return;
    if (item.confirm) {
      const { response } = await electron.dialog.showMessageBox({
        type: 'warning',
        title: 'openEO Auth Tray',
        message: item.confirm.message,
        detail: item.confirm.detail,
        buttons: [item.confirm.confirmLabel, 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      });
      if (response !== 0) return;
    }
    if (action.type === 'quit') opts.quit();
    else await core.runTrayAction(action);
  }

  const onClick = (item: TrayMenuItem): void => {
    run(item).catch((e: unknown) => log('error', `The tray action "${item.action?.type}" failed.`, e));
  };

  function refresh(): void {
    if (tray.isDestroyed()) return;
    try {
      const next = core.trayLook();
      if (next !== look) {
        look = next;
        tray.setImage(iconFor(look));
      }
      tray.setToolTip(core.trayTooltip());
      // Linux needs the whole menu set again for any change to show.
      tray.setContextMenu(electron.Menu.buildFromTemplate(toMenuTemplate(core.trayMenu(), onClick, platform)));
    } catch (e) {
      log('error', 'The tray menu could not be rebuilt.', e);
    }
  }

  if (platform === 'win32' || platform === 'linux') tray.on('click', () => opts.showWindow());
  const unsubscribe = core.onChange(refresh);
  refresh();

  return {
    refresh,
    destroy() {
      unsubscribe();
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
