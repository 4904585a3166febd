/**
 * The service-account (client credentials) fields of the Add account form, with what a person
 * must know first: on CDSE it is experimental, it is a separate identity with its own jobs and
 * credits, the web editor cannot use it, and the secret belongs in no code. And the one short
 * form that "Sign in again" is for a service account: a new secret, saved.
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { breakable, h, replace, uid } from '../dom.ts';
import { announceFailure, localProblem, onAction, problemBox, type Failure } from '../feedback.ts';
import { CLIENT_ID_PATTERN, LIMITS } from '../../shared/limits.ts';

/** Where a CDSE user registers an OAuth client (account settings → OAuth clients). */
export const SENTINEL_HUB_DASHBOARD_URL = 'https://shapps.dataspace.copernicus.eu/dashboard/#/account/settings';

export interface ServiceAccountFields {
  readonly root: HTMLElement;
  /** Reads both fields and empties the secret field at once, so the secret stays in the DOM no longer than needed. */
  take(): { clientId: string; clientSecret: string } | Failure;
  /** Shows why the last try failed right under the field it concerns, and puts focus there. */
  showProblem(failure: Failure): void;
}

/** A link that opens in the system browser (the window itself never navigates). */
export function externalLink(label: string, url: string): HTMLButtonElement {
  return onAction(h('button', { type: 'button', class: 'link' }, label), 'Opening…', async () => {
    const result = await window.openeoAuth.openExternal(url);
    if (!result.ok) announceFailure(result);
  });
}

function field(label: string, input: HTMLInputElement, hint: string | Node, problem: HTMLElement): HTMLElement {
  const hintId = uid('hint');
  problem.id = uid('problem');
  input.setAttribute('aria-describedby', `${hintId} ${problem.id}`);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, h('p', { class: 'hint', id: hintId }, hint), problem);
}

/** The problem of a failed try, said once: what happened, and that the secret must be typed again. */
function secretProblem(failure: Failure): Failure {
  const again = 'Enter the secret again: the field was emptied.';
  if (failure.code === 'CLIENT_CREDENTIALS_REFUSED') {
    return { ...failure, nextStep: `${again} If it was right, create a new secret where the client is registered.` };
  }
  return { ...failure, nextStep: failure.nextStep ? `${failure.nextStep} ${again}` : again };
}

/** Whether a failure is about what was typed (and belongs under the fields) rather than the network. */
function aboutInput(failure: Failure): 'client-id' | 'secret' {
  return failure.code === 'INVALID_ARGUMENT' && /client ID/.test(failure.message) ? 'client-id' : 'secret';
}

function problemSlot(): HTMLElement {
  return h('div', { class: 'field-problem' });
}

function setProblem(input: HTMLInputElement, slot: HTMLElement, failure: Failure | null): void {
  if (failure) {
    input.setAttribute('aria-invalid', 'true');
    replace(slot, problemBox(failure));
  } else {
    input.removeAttribute('aria-invalid');
    replace(slot);
  }
}

function checkSecret(value: string): Failure | null {
  if (!value) return localProblem('Enter the client secret.', 'It was shown once when the client was registered; create a new secret if you no longer have it.');
  if (value.length > LIMITS.clientSecret) return localProblem('That client secret is too long to be one.', 'Copy it again, without anything around it.');
  return null;
}

export function serviceAccountFields(prefillClientId: string | undefined, isCdse: boolean): ServiceAccountFields {
  const clientId = h('input', {
    id: uid('client-id'), type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 256, value: prefillClientId,
  });
  const secret = h('input', {
    id: uid('client-secret'), type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.clientSecret,
  });
  const idProblem = problemSlot();
  const secretSlot = problemSlot();
  const caveats = h('div', { class: 'note' },
    h('h2', {}, 'Before you add a service account'),
    h('ul', {},
      isCdse ? h('li', {}, 'On Copernicus Data Space this is experimental. Register the client in the ',
        externalLink('Sentinel Hub dashboard', SENTINEL_HUB_DASHBOARD_URL),
        ' (User settings → OAuth clients), or ask the ', externalLink('CDSE help center', 'https://helpcenter.dataspace.copernicus.eu/hc/en-gb/requests/new'), ' for one.') : null,
      h('li', {}, 'It is a separate account, not your personal one: its batch jobs, results and credits are its own.'),
      h('li', {}, 'The web editor cannot sign in with it, so you cannot follow its jobs there; the Jobs page of this app shows them.'),
      h('li', {}, 'Its credits can be linked to your personal account: the Credits & linking page of this app shows how, once it is added.'),
      h('li', {}, 'Keep the secret out of code and notebooks. This app keeps it in the system keychain only.')));
  const root = h('div', { class: 'service-account' },
    caveats,
    field('Client ID', clientId, 'The ID of the OAuth client, as shown where you registered it.', idProblem),
    field('Client secret', secret, 'Goes straight to the keychain; it is never shown again.', secretSlot));

  return {
    root,
    take() {
      const id = clientId.value.trim();
      const value = secret.value.trim();
      secret.value = '';
      setProblem(clientId, idProblem, null);
      setProblem(secret, secretSlot, null);
      if (!id) return localProblem('Enter the client ID of the service account.');
      if (!CLIENT_ID_PATTERN.test(id)) return localProblem('The client ID has characters a client ID cannot have.', 'Copy it again from where you registered the client.');
      return checkSecret(value) ?? { clientId: id, clientSecret: value };
    },
    showProblem(failure) {
      if (aboutInput(failure) === 'client-id') {
        setProblem(clientId, idProblem, failure);
        clientId.focus();
        return;
      }
      setProblem(secret, secretSlot, failure.code === 'INVALID_ARGUMENT' ? failure : secretProblem(failure));
      secret.focus();
    },
  };
}

/**
 * "Sign in again" for a service account: its client ID stays, only the secret is new. One field,
 * "Save new secret"; `save` resolves with the failure to show, or null when it worked.
 */
export function newSecretForm(identity: IdentityStatus, save: (clientSecret: string) => Promise<Failure | null>): { root: HTMLElement; focus(): void } {
  const secret = h('input', {
    id: uid('new-secret'), type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.clientSecret,
  });
  const slot = problemSlot();
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Save new secret');
  const form = h('form', { class: 'panel', novalidate: true, 'aria-label': 'Sign in again with a new secret' },
    h('dl', { class: 'facts' },
      h('dt', {}, 'Backend'), h('dd', {}, breakable(identity.backend)),
      h('dt', {}, 'Client ID'), h('dd', {}, h('code', {}, breakable(identity.clientId)))),
    field('New client secret', secret, 'From where the client is registered. It replaces the old secret in the keychain.', slot),
    h('div', { class: 'actions' }, submit));
  onAction(submit, 'Checking the secret…', async () => {
    const value = secret.value.trim();
    secret.value = '';
    setProblem(secret, slot, null);
    const failure = checkSecret(value) ?? await save(value);
    if (!failure) return;
    setProblem(secret, slot, failure.code === 'INVALID_ARGUMENT' ? failure : secretProblem(failure));
    secret.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.click();
  });
  return { root: form, focus: () => secret.focus() };
}
