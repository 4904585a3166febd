/**
 * The service-account (client credentials) fields of the Add account form: the client ID and the
 * secret first, then what a person should know, folded: on CDSE it is experimental, it is a
 * separate identity with its own jobs and credits, the web editor cannot use it, and the secret
 * belongs in no code. A refused client ID and secret mark both fields and keep what was typed.
 * And the one short form that "Sign in again" is for a service account: a new secret, saved.
 */
import type { IdentityStatus } from '../../shared/api.ts';
import { breakable, h, replace, uid } from '../dom.ts';
import { announceFailure, localProblem, onAction, problemBox, type Failure } from '../feedback.ts';
import { CLIENT_ID_PATTERN, LIMITS } from '../../shared/limits.ts';

/** Where a CDSE user registers an OAuth client (account settings → OAuth clients). */
export const SENTINEL_HUB_DASHBOARD_URL = 'https://shapps.dataspace.copernicus.eu/dashboard/#/account/settings';
const CDSE_HELP_CENTER = 'https://helpcenter.dataspace.copernicus.eu/hc/en-gb/requests/new';

export interface ServiceAccountFields {
  readonly root: HTMLElement;
  /** Reads both fields; a problem with what was typed comes back as a Failure. */
  take(): { clientId: string; clientSecret: string } | Failure;
  /** Shows why the last try failed under the field(s) it concerns, and puts focus on the first. */
  showProblem(failure: Failure): void;
  /** Empties the secret field (once it is saved, or the form is left). */
  clearSecret(): void;
}

/** A link that opens in the system browser (the window itself never navigates). */
export function externalLink(label: string, url: string): HTMLButtonElement {
  return onAction(h('button', { type: 'button', class: 'link' }, label), 'Opening…', async () => {
    const result = await window.openeoAuth.openExternal(url);
    if (!result.ok) announceFailure(result);
  });
}

function field(label: string, input: HTMLInputElement, hint: Array<string | Node>, problem: HTMLElement): HTMLElement {
  const hintId = uid('hint');
  problem.id = uid('problem');
  input.setAttribute('aria-describedby', `${hintId} ${problem.id}`);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, h('p', { class: 'hint', id: hintId }, ...hint), problem);
}

/** The problem of a failed try, with what to do: check both, or make a new secret where the client is registered. */
function refusedProblem(failure: Failure): Failure {
  if (failure.code === 'CLIENT_CREDENTIALS_REFUSED') {
    return { ...failure, nextStep: 'Check the client ID and the secret; if both are right, create a new secret where the client is registered.' };
  }
  return failure;
}

/** Which fields a failure is about: the client ID, the secret, both (a refusal names both), or neither (the network). */
function fieldsOf(failure: Failure): Array<'client-id' | 'secret'> {
  if (failure.code === 'CLIENT_CREDENTIALS_REFUSED') return ['client-id', 'secret'];
  if (failure.code === 'INVALID_ARGUMENT') return /client ID/.test(failure.message) ? ['client-id'] : ['secret'];
  return [];
}

function problemSlot(): HTMLElement {
  return h('div', { class: 'field-problem' });
}

function setProblem(inputs: HTMLInputElement[], slot: HTMLElement, failure: Failure | null): void {
  for (const input of inputs) {
    if (failure) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  if (failure) replace(slot, problemBox(failure));
  else replace(slot);
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
  // A problem about both fields is said once, under the second; the first points to it as well.
  const describeBoth = (): void => {
    clientId.setAttribute('aria-describedby', `${clientId.getAttribute('aria-describedby')?.split(' ')[0] ?? ''} ${idProblem.id} ${secretSlot.id}`.trim());
  };
  const idHint = isCdse
    ? ['From where the client is registered: on Copernicus Data Space, the ', externalLink('Sentinel Hub dashboard', SENTINEL_HUB_DASHBOARD_URL), ' (User settings → OAuth clients).']
    : ['The ID of the OAuth client, as shown where you registered it.'];
  const about = h('details', { class: 'note' },
    h('summary', {}, 'About service accounts'),
    h('ul', {},
      isCdse ? h('li', {}, 'On Copernicus Data Space they are experimental; the ', externalLink('CDSE help center', CDSE_HELP_CENTER), ' can register a client for you.') : null,
      h('li', {}, 'It is a separate account, not your personal one: its batch jobs, results and credits are its own.'),
      h('li', {}, 'The web editor cannot sign in with it; the Jobs page of this app shows its jobs.'),
      h('li', {}, 'Its credits can be linked to your personal account: the Credits & linking page shows how, once it is added.'),
      h('li', {}, 'Keep the secret out of code and notebooks. This app keeps it in the system keychain only.')));
  const root = h('div', { class: 'service-account' },
    field('Client ID', clientId, idHint, idProblem),
    field('Client secret', secret, ['Goes straight to the keychain; it is never shown again.'], secretSlot),
    about);

  return {
    root,
    take() {
      const id = clientId.value.trim();
      const value = secret.value.trim();
      setProblem([clientId], idProblem, null);
      setProblem([secret], secretSlot, null);
      if (!id) return localProblem('Enter the client ID of the service account.');
      if (!CLIENT_ID_PATTERN.test(id)) return localProblem('The client ID has characters a client ID cannot have.', 'Copy it again from where you registered the client.');
      return checkSecret(value) ?? { clientId: id, clientSecret: value };
    },
    showProblem(failure) {
      const about = fieldsOf(failure);
      if (about.length === 2) {
        setProblem([clientId, secret], secretSlot, refusedProblem(failure));
        describeBoth();
        clientId.focus();
        return;
      }
      if (about[0] === 'client-id') {
        setProblem([clientId], idProblem, failure);
        clientId.focus();
        return;
      }
      setProblem([secret], secretSlot, failure);
      secret.focus();
    },
    clearSecret() {
      secret.value = '';
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
    field('New client secret', secret, ['From where the client is registered. It replaces the old secret in the keychain.'], slot),
    h('div', { class: 'actions' }, submit));
  onAction(submit, 'Checking the secret…', async () => {
    const value = secret.value.trim();
    setProblem([secret], slot, null);
    const failure = checkSecret(value) ?? await save(value);
    if (!failure) {
      secret.value = '';
      return;
    }
    // What was typed stays, to be corrected rather than typed again.
    setProblem([secret], slot, failure.code === 'CLIENT_CREDENTIALS_REFUSED'
      ? { ...failure, nextStep: 'Check the secret; if it is right, create a new one where the client is registered.' } : failure);
    secret.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.click();
  });
  return { root: form, focus: () => secret.focus() };
}
