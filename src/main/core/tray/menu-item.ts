/**
 * The tray menu as plain data. The Electron layer turns it into a `Menu` and maps each
 * {@link TrayAction} to a handler; nothing here knows about Electron.
 */
import type { CopyWhat, Page } from '../../../shared/api.ts';

/** What a click does. One variant per handler the Electron layer implements. */
export type TrayAction =
  | { type: 'copy'; identityId: string; what: CopyWhat }
  | { type: 'sign-in-again'; identityId: string }
  | { type: 'refresh'; identityId: string }
  | { type: 'sign-out'; identityId: string }
  | { type: 'open-window'; page: Page; identityId?: string }
  | { type: 'add-account' }
  | { type: 'settings' }
  /** Ends a forward of the token agent (its socket for a remote machine). */
  | { type: 'stop-forward'; forwardId: string }
  /** Puts `openeo-auth-tray` on the PATH (macOS, AppImage: core/command-line/install.ts). */
  | { type: 'install-command-line' }
  /** Shows an update's notes and restarts into it when the person agrees (core/updates). */
  | { type: 'install-update' }
  | { type: 'quit' };

/** A question to ask (a message box) before running the action; the action runs only on "yes". */
export interface TrayConfirmation {
  message: string;
  detail: string;
  /** Label of the button that goes ahead, e.g. "Copy refresh token". */
  confirmLabel: string;
}

/**
 * One menu entry. Labels are display text (secrets redacted, one line); the Electron layer
 * must still escape `&` where the platform reads it as a mnemonic.
 */
export interface TrayMenuItem {
  /** Stable within one menu, e.g. `cdse-3f9a1c:copy:bearer`; usable as Electron's `MenuItem.id`. */
  id: string;
  type: 'normal' | 'separator' | 'submenu' | 'header';
  label: string;
  enabled: boolean;
  action?: TrayAction;
  /** Present when the action must be confirmed first (copying a refresh token, signing out). */
  confirm?: TrayConfirmation;
  submenu?: TrayMenuItem[];
}

/** A separator with a unique id. */
export function separator(id: string): TrayMenuItem {
  return { id, type: 'separator', label: '', enabled: true };
}
