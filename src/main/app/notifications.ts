/**
 * Shows the core's notifications as desktop notifications. What to say, when, and whether at all
 * (the mute setting) is the core's; this module only shows it and, on a click, opens the window
 * where the notification points (usually the re-login of that identity).
 */
import { join } from 'node:path';
import type { Notification } from 'electron';
import type { Navigation } from '../../shared/api.ts';
import type { Logger } from '../core/log.ts';
import type { TrayNotification } from '../core/notifications/notification.ts';

export type ShownNotification = Pick<Notification, 'show' | 'close' | 'on'>;

/** The Electron parts this module uses. */
export interface NotificationsElectron {
  Notification: Pick<typeof Notification, 'isSupported'> & {
    new (options: ConstructorParameters<typeof Notification>[0]): ShownNotification;
  };
}

export interface NotifierOptions {
  /** The app folder, for the icon on Linux and Windows. */
  appPath: string;
  platform: NodeJS.Platform;
  showWindow(to: Navigation): void;
  log: Logger;
}

export interface Notifier {
  /** Shows `n` (the AppCore's `notify` dependency). */
  notify(n: TrayNotification): void;
  /** Closes every notification still on screen (on quit). */
  closeAll(): void;
}

/** Creates the notifier. */
export function setupNotifications(electron: NotificationsElectron, opts: NotifierOptions): Notifier {
  // Electron drops a notification's click handler once nothing references it, so every one we
  // show is kept until it is clicked, closed, or fails.
  const onScreen = new Set<ShownNotification>();
  let unsupportedLogged = false;

  return {
    notify(n) {
      if (!electron.Notification.isSupported()) {
        if (!unsupportedLogged) opts.log('warn', 'This desktop does not support notifications; they are not shown.');
        unsupportedLogged = true;
        return;
      }
      const shown = new electron.Notification({
        title: n.title,
        body: n.body,
        urgency: n.urgency,
        // A warning that a login is about to end should stay until read (Windows; Linux uses urgency).
        timeoutType: n.urgency === 'critical' ? 'never' : 'default',
        ...(opts.platform === 'darwin' ? {} : { icon: join(opts.appPath, 'assets', 'icon.png') }),
      });
      const forget = (): void => {
        onScreen.delete(shown);
      };
      shown.on('click', () => {
        forget();
        opts.showWindow(n.onClick);
      });
      shown.on('close', forget);
      shown.on('failed', (_event, error) => {
        forget();
        opts.log('warn', `A notification could not be shown: ${error}`);
      });
      onScreen.add(shown);
      shown.show();
    },
    closeAll() {
      for (const shown of onScreen) shown.close();
      onScreen.clear();
    },
  };
}
