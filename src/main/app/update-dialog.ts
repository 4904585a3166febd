/**
 * The question before a restart into a new version: the release notes, then "Restart and
 * update" or "Later" (the default). A native message box, so it needs no window.
 */
import type { Dialog } from 'electron';

export interface UpdateDialogElectron {
  dialog: Pick<Dialog, 'showMessageBox'>;
}

/** Shows the notes; true when the person chose to restart now. */
export async function confirmUpdate(electron: UpdateDialogElectron, update: { version: string; notes: string }): Promise<boolean> {
  const { response } = await electron.dialog.showMessageBox({
    type: 'info',
    title: 'openEO Auth Tray',
    message: `openEO Auth Tray ${update.version} is ready to install`,
    detail: `What is new:\n\n${update.notes}\n\nThe app restarts: logins and scripts' access stay as they are.`,
    buttons: ['Restart and update', 'Later'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  });
  return response === 0;
}
