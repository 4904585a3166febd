/**
 * The service-account (client credentials) fields of the Add account form, with what a person
 * must know first: on CDSE it is experimental, it is a separate identity with its own jobs and
 * credits, the web editor cannot use it, and the secret belongs in no code.
 */
import { h, uid } from '../dom.ts';
import { localProblem, type Failure } from '../feedback.ts';
import { CLIENT_ID_PATTERN, LIMITS } from '../../shared/limits.ts';

export interface ServiceAccountFields {
  readonly root: HTMLElement;
  /** Reads both fields and empties the secret field at once, so the secret stays in the DOM no longer than needed. */
  take(): { clientId: string; clientSecret: string } | Failure;
}

function field(label: string, input: HTMLInputElement, hint: string): HTMLElement {
  const hintId = uid('hint');
  input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, h('p', { class: 'hint', id: hintId }, hint));
}

export function serviceAccountFields(prefillClientId: string | undefined, isCdse: boolean): ServiceAccountFields {
  const clientId = h('input', {
    id: uid('client-id'), type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 256, value: prefillClientId,
  });
  const secret = h('input', {
    id: uid('client-secret'), type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.clientSecret,
  });
  const caveats = h('div', { class: 'note' },
    h('h2', {}, 'Before you add a service account'),
    h('ul', {},
      isCdse ? h('li', {}, 'On Copernicus Data Space this is experimental. Register the client in the Sentinel Hub dashboard '
        + '(account settings → OAuth clients), or ask the help desk for one.') : null,
      h('li', {}, 'It is a separate account, not your personal one: its batch jobs, results and credits are its own.'),
      h('li', {}, 'The web editor cannot sign in with it, so you cannot follow its jobs there; use the Jobs page here.'),
      h('li', {}, 'Its credits can be linked to your personal account: see Credits & linking once it is added.'),
      h('li', {}, 'Keep the secret out of code and notebooks. This app keeps it in the system keychain only.')));
  const root = h('div', { class: 'service-account' },
    caveats,
    field('Client ID', clientId, 'The ID of the OAuth client, as shown where you registered it.'),
    field('Client secret', secret, 'Goes straight to the keychain; it is never shown again.'));

  return {
    root,
    take() {
      const id = clientId.value.trim();
      const value = secret.value.trim();
      secret.value = '';
      if (!id) return localProblem('Enter the client ID of the service account.');
      if (!CLIENT_ID_PATTERN.test(id)) return localProblem('The client ID has characters a client ID cannot have.', 'Copy it again from where you registered the client.');
      if (!value) return localProblem('Enter the client secret.', 'It was shown once when the client was registered; create a new secret if you no longer have it.');
      if (value.length > LIMITS.clientSecret) return localProblem('That client secret is too long to be one.', 'Copy it again, without anything around it.');
      return { clientId: id, clientSecret: value };
    },
  };
}
