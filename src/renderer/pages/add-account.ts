/**
 * Add account (and "Sign in again"): backend URL with a CDSE preset; once the backend is found,
 * the URL form gives way to the backend's name (with "Change backend") and one primary action,
 * "Sign in", under its providers (its default preselected) and the ways to sign in: a device
 * login, a browser login or a service account. "Sign in again" skips what is already known: a
 * personal login goes straight to the ways of signing in at its provider, a service account to
 * one field for its new secret; it has a Cancel of its own and belongs to Accounts.
 */
import type { BackendChoice, BrowserLoginStarted, DeviceLoginStarted, Result, LoginFlow, LoginRequest, Navigation, ProviderChoice, IdentityStatus } from '../../shared/api.ts';
import { hostOf } from '../../shared/format/display-text.ts';
import { breakable, h, replace, uid, wrapLongWords } from '../dom.ts';
import { announce, loading, localProblem, onAction, problemBox, runBusy, type Failure } from '../feedback.ts';
import { identityStore } from '../store.ts';
import { navigate, pageFrame, type PageView } from '../router.ts';
import { newSecretForm, serviceAccountFields, type ServiceAccountFields } from './service-account.ts';
import { browserPanel, devicePanel, failurePanel, focusPanel, showCodeExpired, successPanel } from './login-panels.ts';
import { signingInToWords } from '../words.ts';
import { FLOW_WORDS, checkedValue, isCdse, radio } from './sign-in-choices.ts';

export const CDSE_URL = 'https://openeo.dataspace.copernicus.eu';

/** The Add account page. */
export function addAccountPage(): PageView {
  const cancelRenewal = h('button', { type: 'button', class: 'btn', hidden: true }, 'Cancel');
  const frame = pageFrame('Add account', cancelRenewal);
  const intro = h('p', { class: 'lead' });
  const urlInput = h('input', {
    id: 'backend-url', type: 'text', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', maxlength: 2048,
    placeholder: 'openeo.example.org', 'aria-describedby': 'backend-url-hint',
  });
  const findButton = h('button', { type: 'submit', class: 'btn primary' }, 'Continue');
  const preset = h('button', { type: 'button', class: 'chip' }, 'Copernicus Data Space Ecosystem');
  const backendStatus = h('div', { class: 'status-slot' });
  const backendForm = h('form', { class: 'panel', novalidate: true, 'aria-label': 'Backend' },
    h('div', { class: 'field' },
      h('label', { for: 'backend-url' }, 'openEO backend URL'),
      h('div', { class: 'input-row' }, urlInput, findButton),
      h('p', { class: 'hint', id: 'backend-url-hint' }, 'Or choose: ', preset)),
    backendStatus);
  const stage = h('div', { class: 'stage' });
  replace(frame.body, intro, backendForm, stage);

  /** The identity being renewed ("Sign in again"), if any. */
  let renewing: IdentityStatus | undefined;
  /** The login in progress; cleared when it ends or is cancelled, so a late answer is ignored. */
  let activeLogin: string | undefined;
  let finished = false;

  function setIntro(): void {
    frame.heading.textContent = renewing ? 'Sign in again' : 'Add account';
    document.title = `${frame.heading.textContent} — openEO Auth Tray`;
    cancelRenewal.hidden = renewing === undefined || finished;
    intro.textContent = !renewing
      ? 'Add an openEO backend and sign in once. The login is then kept alive for you.'
      : renewing.kind === 'client-credentials'
        ? `Give ${renewing.label} the client’s current secret; its name, client ID and scripts stay as they are.`
        : `Sign in to ${renewing.label} once more; its name, settings and scripts stay as they are.`;
    backendForm.hidden = renewing !== undefined;
  }

  /** Looks the backend up; `moveFocus` when the person asked for it (then focus goes to what was found). */
  async function discover(moveFocus: boolean): Promise<void> {
    const backendUrl = urlInput.value.trim();
    const slot = renewing ? stage : backendStatus;
    replace(stage);
    replace(backendStatus);
    if (!backendUrl) {
      replace(backendStatus, problemBox(localProblem('Enter the address of an openEO backend.', 'For example openeo.dataspace.copernicus.eu.')));
      urlInput.focus();
      return;
    }
    replace(slot, loading(renewing ? 'Looking up the sign-in options of the backend…' : 'Looking up the backend and its sign-in options…'));
    const result = await window.openeoAuth.discoverBackend(backendUrl);
    if (!result.ok) {
      const retry = renewing ? onAction(h('button', { type: 'button', class: 'btn' }, 'Try again'), 'Looking up…', () => discover(false)) : null;
      replace(slot, problemBox(result, retry));
      return;
    }
    replace(slot);
    showChoice(result.value, moveFocus);
  }

  function showChoice(backend: BackendChoice, moveFocus: boolean): void {
    const providers = renewing ? backend.providers.filter((p) => p.id === renewing?.provider || p.issuer === renewing?.issuer) : backend.providers;
    if (providers.length === 0) {
      replace(stage, problemBox(localProblem(
        renewing ? `The backend no longer offers the provider ${renewing.provider}.` : 'This backend offers no way to sign in.',
        renewing ? 'Sign out of this account and add it again with one of the backend’s current providers.' : 'Check the URL, or ask the backend’s operators.')));
      return;
    }
    const defaultProvider = providers.find((p) => p.isDefault) ?? providers[0];
    const providerSet = h('fieldset', { class: 'choices' }, h('legend', {}, 'Identity provider'),
      ...providers.map((p) => radio('provider', p.id, p.title, p.description, p === defaultProvider)));
    const flowSlot = h('div');
    const labelHint = h('p', { class: 'hint', id: uid('label-hint') });
    const labelInput = h('input', { id: uid('label'), type: 'text', maxlength: 100, autocomplete: 'off', 'aria-describedby': labelHint.id });
    const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
    const status = h('div', { class: 'status-slot' });
    let serviceAccount: ServiceAccountFields | undefined;

    const selectedProvider = (): ProviderChoice | undefined => providers.find((p) => p.id === checkedValue(form, 'provider')) ?? defaultProvider;
    function renderFlows(): void {
      const provider = selectedProvider();
      const flows = (provider?.flows ?? []).filter((f) => !renewing || f !== 'client-credentials');
      const preferred = flows.includes('device') ? 'device' : flows[0];
      serviceAccount = flows.includes('client-credentials') ? serviceAccountFields(undefined, isCdse(backend, provider)) : undefined;
      const flowSet = h('fieldset', { class: 'choices' }, h('legend', {}, 'How do you want to sign in?'),
        ...flows.map((f) => radio('flow', f, FLOW_WORDS[f].label, FLOW_WORDS[f].hint, f === preferred)));
      replace(flowSlot, flowSet, serviceAccount?.root);
      syncFlow();
    }
    function syncFlow(): void {
      const flow = checkedValue(form, 'flow');
      if (serviceAccount) serviceAccount.root.hidden = flow !== 'client-credentials';
      submit.textContent = flow === 'client-credentials' ? 'Add service account' : 'Sign in';
      submit.disabled = flow === undefined;
      // The default name is said in the hint, whole (as a placeholder a long one would be cut).
      const name = flow === 'client-credentials' ? backend.defaultLabels.serviceAccount : backend.defaultLabels.personal;
      labelHint.textContent = `Shown in the tray menu and here. Leave it empty to use “${name}”.`;
    }

    const summary = h('h2', { class: 'backend-summary', tabindex: '-1' },
      h('span', {}, wrapLongWords(backend.title ?? backend.backendUrl)),
      h('span', { class: 'muted summary-detail' }, `openEO API ${backend.apiVersion} · `, h('span', { class: 'url' }, breakable(backend.apiUrl))));
    const change = renewing ? null : h('button', { type: 'button', class: 'btn small' }, 'Change backend');
    change?.addEventListener('click', () => {
      replace(stage);
      backendForm.hidden = false;
      urlInput.focus();
      urlInput.select();
    });
    const form = h('form', { class: 'panel', novalidate: true, 'aria-label': 'Sign-in options' },
      h('div', { class: 'backend-head' }, summary, change),
      renewing ? null : providerSet,
      flowSlot,
      renewing ? null : h('div', { class: 'field' }, h('label', { for: labelInput.id }, 'Name for this account (optional)'), labelInput, labelHint),
      h('div', { class: 'actions' }, submit),
      status);
    form.addEventListener('change', (event) => {
      if ((event.target as HTMLInputElement).name === 'provider') renderFlows();
      else syncFlow();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const provider = selectedProvider();
      const request: LoginRequest = { backendUrl: backend.backendUrl };
      if (provider) request.providerId = provider.id;
      const label = labelInput.value.trim();
      if (label && !renewing) request.label = label;
      if (renewing) request.identityId = renewing.id;
      const target = signingInToWords(backend.title ?? hostOf(backend.backendUrl), hostOf(backend.backendUrl), provider?.title);
      void runBusy(submit, 'Starting…', () => startLogin(checkedValue(form, 'flow') as LoginFlow, request, provider, serviceAccount, status, form, target));
    });
    // The backend is chosen: its form gives way, and "Sign in" is the one primary action left.
    backendForm.hidden = true;
    replace(stage, form);
    renderFlows();
    // Straight to what was found: its name is read out, and the first choice is one Tab away.
    if (moveFocus) summary.focus();
  }

  async function startLogin(flow: LoginFlow, request: LoginRequest, provider: ProviderChoice | undefined,
    serviceAccount: ServiceAccountFields | undefined, status: HTMLElement, form: HTMLElement, target: string): Promise<void> {
    replace(status);
    if (flow === 'client-credentials') {
      if (!serviceAccount) return void replace(status, problemBox(localProblem('Choose how to sign in.')));
      const fields = serviceAccount.take();
      if ('ok' in fields) return serviceAccount.showProblem(fields);
      replace(status, loading('Getting a token with the client credentials…'));
      const result = await window.openeoAuth.addServiceAccount({ ...request, ...fields });
      replace(status);
      if (!result.ok) return serviceAccount.showProblem(result);
      serviceAccount.clearSecret();
      return finish(result.value.identityId, request.label ?? 'The service account');
    }
    const started: Result<DeviceLoginStarted | BrowserLoginStarted> = flow === 'device' ? await window.openeoAuth.startDeviceLogin(request) : await window.openeoAuth.startBrowserLogin(request);
    if (!started.ok) return void replace(status, problemBox(started));
    const loginId = started.value.loginId;
    activeLogin = loginId;
    const backToForm = (): void => {
      replace(stage, form);
      frame.heading.focus();
    };
    const cancel = async (): Promise<void> => {
      const running = activeLogin === loginId;
      activeLogin = undefined;
      if (running) await window.openeoAuth.cancelLogin(loginId);
      backToForm();
      announce('Sign-in cancelled.');
    };
    const device = started.value;
    const panel = 'userCode' in device
      ? devicePanel(device, target, cancel, {
        onExpired: () => {
          // The code is dead: stop waiting for it here and in the core.
          if (activeLogin !== loginId) return;
          activeLogin = undefined;
          void window.openeoAuth.cancelLogin(loginId);
        },
        onNewCode: () => startLogin('device', request, provider, undefined, status, form, target),
      })
      : browserPanel(device, target, provider?.title ?? 'the provider', cancel);
    backendForm.hidden = true;
    replace(stage, panel);
    focusPanel(panel);
    const outcome = await window.openeoAuth.awaitLogin(loginId);
    if (activeLogin !== loginId) return;
    activeLogin = undefined;
    if (outcome.ok) return finish(outcome.value.identityId, request.label ?? 'Your account');
    if (outcome.code === 'LOGIN_EXPIRED' && 'userCode' in device) return showCodeExpired(panel);
    fail(outcome, backToForm);
  }

  async function finish(identityId: string, fallbackLabel: string): Promise<void> {
    finished = true;
    cancelRenewal.hidden = true;
    await identityStore.reload();
    const identity = identityStore.find(identityId);
    const accounts = h('button', { type: 'button', class: 'btn primary' }, 'Go to Accounts');
    accounts.addEventListener('click', () => navigate({ page: 'accounts' }));
    const another = h('button', { type: 'button', class: 'btn' }, 'Add another account');
    another.addEventListener('click', () => reset(undefined));
    const link = identity?.kind === 'client-credentials' ? h('button', { type: 'button', class: 'btn' }, 'Link its credits…') : null;
    link?.addEventListener('click', () => navigate({ page: 'credits', identityId }));
    backendForm.hidden = true;
    const panel = successPanel(identity, fallbackLabel, [accounts, link, another]);
    replace(stage, panel);
    focusPanel(panel);
  }

  function fail(failure: Failure, backToForm: () => void): void {
    const retry = h('button', { type: 'button', class: 'btn primary' }, 'Try again');
    retry.addEventListener('click', backToForm);
    const back = h('button', { type: 'button', class: 'btn' }, 'Go to Accounts');
    back.addEventListener('click', () => navigate({ page: 'accounts' }));
    const panel = failurePanel(failure, [retry, back]);
    replace(stage, panel);
    focusPanel(panel);
  }

  /** "Sign in again" for a service account: one field for the new secret. */
  function showNewSecretForm(identity: IdentityStatus): void {
    const form = newSecretForm(identity, async (clientSecret) => {
      const result = await window.openeoAuth.addServiceAccount({
        backendUrl: identity.backend, providerId: identity.provider, identityId: identity.id, clientId: identity.clientId, clientSecret,
      });
      if (!result.ok) return result;
      await finish(result.value.identityId, identity.label);
      return null;
    });
    replace(stage, form.root);
  }

  function reset(identity: IdentityStatus | undefined): void {
    if (activeLogin) void window.openeoAuth.cancelLogin(activeLogin);
    activeLogin = undefined;
    finished = false;
    renewing = identity;
    setIntro();
    replace(backendStatus);
    replace(stage);
    urlInput.value = identity?.backend ?? '';
    if (identity?.kind === 'client-credentials') showNewSecretForm(identity);
    else if (identity) void discover(false);
    else urlInput.focus();
  }

  cancelRenewal.addEventListener('click', () => {
    if (activeLogin) void window.openeoAuth.cancelLogin(activeLogin);
    activeLogin = undefined;
    const label = renewing?.label;
    navigate({ page: 'accounts' });
    if (label) announce(`Signing in again to ${label} was cancelled.`);
  });
  backendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void runBusy(findButton, 'Looking up…', () => discover(true));
  });
  preset.addEventListener('click', () => {
    urlInput.value = CDSE_URL;
    void runBusy(findButton, 'Looking up…', () => discover(true));
  });
  setIntro();

  return {
    root: frame.root,
    heading: frame.heading,
    show(to: Navigation) {
      const identity = identityStore.find(to.identityId);
      if (identity && (identity.id !== renewing?.id || finished)) reset(identity);
      else if (!identity && (finished || (renewing && !activeLogin))) reset(undefined);
    },
  };
}
