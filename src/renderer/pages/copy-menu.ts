/**
 * The "Copy" menu of an identity, as in the tray: the secret never passes through the window;
 * main puts it on the clipboard and clears it again after the configured delay.
 */
import type { CopyWhat, IdentityStatus } from '../../shared/api.ts';
import { announce, announceFailure } from '../feedback.ts';
import { confirmDialog } from '../dialog.ts';
import { menuButton, type MenuItem } from '../menu.ts';
import { copiedWords } from '../words.ts';

const WHAT: ReadonlyArray<{ what: CopyWhat; label: string; words: string }> = [
  { what: 'access-token', label: 'Access token', words: 'the access token' },
  { what: 'bearer', label: 'openEO bearer token', words: 'the openEO bearer token' },
  { what: 'authorization-header', label: 'As “Authorization:” header', words: 'the Authorization header' },
  { what: 'python-snippet', label: 'Python snippet', words: 'the Python snippet' },
  { what: 'refresh-token', label: 'Refresh token…', words: 'the refresh token' },
];

async function copy(identity: IdentityStatus, what: CopyWhat, words: string): Promise<void> {
  if (what === 'refresh-token') {
    const answer = await confirmDialog({
      title: 'Copy the refresh token?',
      body: `Anyone who has it can sign in as ${identity.label} until it expires. Paste it only where you must, never into code or chat.`,
      confirmLabel: 'Copy refresh token',
    });
    if (!answer.confirmed) return;
  }
  const result = await window.openeoAuth.copy(identity.id, what);
  if (result.ok) announce(copiedWords(words, result.value.clearsInSeconds));
  else announceFailure(result);
}

/** The menu button; a service account has no refresh token to offer. */
export function copyMenu(identity: IdentityStatus, focusKey: string, primary = false): HTMLElement {
  const items: MenuItem[] = WHAT
    .filter(({ what }) => what !== 'refresh-token' || identity.refreshTokenExpiry.kind !== 'none')
    .map(({ what, label, words }) => ({ label, run: () => void copy(identity, what, words) }));
  return menuButton('Copy', `Copy a token of ${identity.label}`, items, focusKey, primary);
}
