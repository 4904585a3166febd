/**
 * The "Copy" menu of an identity, as in the tray, with a line under each way of copying that says
 * what it gives. The secret never passes through the window: main puts it on the clipboard and
 * clears it again after the configured delay.
 */
import type { CopyWhat, IdentityStatus } from '../../shared/api.ts';
import { announce, announceFailure } from '../feedback.ts';
import { confirmDialog } from '../dialog.ts';
import { menuButton, type MenuItem } from '../menu.ts';
import { COPY_WORDS, copiedWords } from '../words.ts';

const ORDER: readonly CopyWhat[] = ['access-token', 'bearer', 'authorization-header', 'python-snippet', 'refresh-token'];

async function copy(identity: IdentityStatus, what: CopyWhat): Promise<void> {
  if (what === 'refresh-token') {
    const answer = await confirmDialog({
      title: 'Copy the refresh token?',
      body: `Anyone who has it can sign in as ${identity.label} until it expires. Paste it only where you must, never into code or chat.`,
      confirmLabel: 'Copy refresh token',
    });
    if (!answer.confirmed) return;
  }
  const result = await window.openeoAuth.copy(identity.id, what);
  if (result.ok) announce(copiedWords(COPY_WORDS[what].words, result.value.clearsInSeconds));
  else announceFailure(result);
}

/** The menu button; a service account has no refresh token to offer. */
export function copyMenu(identity: IdentityStatus, focusKey: string, primary = false): HTMLElement {
  const items: MenuItem[] = ORDER
    .filter((what) => what !== 'refresh-token' || identity.refreshTokenExpiry.kind !== 'none')
    .map((what) => ({ label: COPY_WORDS[what].label, hint: COPY_WORDS[what].hint, run: () => void copy(identity, what) }));
  return menuButton('Copy', `Copy a token of ${identity.label}`, items, { focusKey, primary });
}
