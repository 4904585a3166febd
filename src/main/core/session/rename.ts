/**
 * Renaming a login: the name the tray, the window and `status` show, and that the CLI takes in
 * place of its id. The settings file's own rules hold (1 to 100 printable characters, checked
 * again when it is written), and two of the list's: no two logins share a name (in any case), and
 * no name is another login's id — either would make `<id>` on the command line ambiguous.
 */
import { AuthTrayError } from '../errors.ts';
import type { Identity } from '../../../shared/model.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { IdentityRepository } from './ports.ts';

// Control characters (C0, DEL, C1) never belong in a name.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function refuse(message: string, nextStep = 'Choose another name.'): AuthTrayError {
  return new AuthTrayError('INVALID_ARGUMENT', message, { nextStep });
}

/** Gives the login `id` the name `label` (trimmed); the same name again changes nothing. */
export async function renameIdentity(identities: Pick<IdentityRepository, 'listIdentities' | 'updateIdentity'>, id: string, label: string): Promise<Identity> {
  const all = identities.listIdentities();
  const current = all.find((i) => i.id === id);
  if (!current) {
    throw new AuthTrayError('IDENTITY_NOT_FOUND', `There is no login "${id}".`, { nextStep: 'It may have been signed out meanwhile.' });
  }
  const name = label.trim();
  if (name === '') throw refuse('A login needs a name.', 'Enter a name, for example “Work” or “Batch robot”.');
  if ([...name].length > LIMITS.label) throw refuse(`A name can have at most ${LIMITS.label} characters.`, 'Choose a shorter name.');
  if (CONTROL.test(name)) throw refuse('A name cannot contain line breaks or control characters.', 'Enter it on one line.');
  if (name === current.label) return current;
  const others = all.filter((i) => i.id !== id);
  const lower = name.toLocaleLowerCase('en');
  const taken = others.find((i) => i.label.toLocaleLowerCase('en') === lower);
  if (taken) throw refuse(`Another login is already called “${taken.label}”.`);
  if (others.some((i) => i.id === name)) throw refuse(`“${name}” is the id of another login, so the command line could not tell them apart.`);
  return identities.updateIdentity(id, { label: name });
}
