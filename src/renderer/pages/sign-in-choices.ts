/**
 * The pieces of Add account's sign-in options: each way of signing in in words, a radio choice with
 * its hint, which choice is checked, and whether a backend is CDSE's (its service accounts have
 * notes of their own).
 */
import type { BackendChoice, LoginFlow, ProviderChoice } from '../../shared/api.ts';
import { h, uid } from '../dom.ts';

export const FLOW_WORDS: Record<LoginFlow, { label: string; hint: string }> = {
  device: { label: 'With a code (recommended)', hint: 'Open a page on your phone or in any browser and confirm a short code.' },
  browser: { label: 'In this computer’s browser', hint: 'Your browser opens the sign-in page and hands the login back here.' },
  'client-credentials': { label: 'As a service account', hint: 'With the client ID and secret of an OAuth client, for automated work.' },
};

export function radio(name: string, value: string, label: string, hint: string | undefined, checked: boolean): HTMLElement {
  const id = uid(name);
  const hintId = hint ? uid('hint') : undefined;
  return h('div', { class: 'choice' },
    h('input', { type: 'radio', name, value, id, checked, 'aria-describedby': hintId }),
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

export function checkedValue(form: HTMLElement, name: string): string | undefined {
  return form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value;
}

export function isCdse(backend: BackendChoice, provider: ProviderChoice | undefined): boolean {
  return provider?.id === 'CDSE' || backend.backendUrl.includes('dataspace.copernicus.eu');
}
