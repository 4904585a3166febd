/**
 * The Credits & linking page: the `/me` budget, the billing page, and for a service account what
 * support needs to link its credits to a personal account (client ID + both user IDs).
 */
import type { CreditsView } from '../../../shared/api.ts';
import type { Identity } from '../model.ts';
import type { AppServices } from './app-core.ts';

/** CDSE's billing page (facts file); other backends may name one with a `payment` link in `/me`. */
export const CDSE_HOST = 'openeo.dataspace.copernicus.eu';
export const CDSE_BILLING_URL = 'https://marketplace-portal.dataspace.copernicus.eu/billing';

function host(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** The message a user sends to support to link a service account's credits to their account. */
export function supportMessage(service: Identity, serviceUserId: string | null, personal: Identity | undefined): string {
  const personalId = personal?.userId ?? '<your personal user ID: sign in with your personal account in openEO Auth Tray to fill this in>';
  return [
    'Hello,',
    '',
    `please link the credit balance of my client-credentials (service) account to my personal account on ${host(service.backendUrl) || service.backendUrl}.`,
    '',
    `Client ID: ${service.clientId}`,
    `Service account user ID: ${serviceUserId ?? '<unknown: run one request with the service account first>'}`,
    `Personal account user ID: ${personalId}`,
    '',
    'The service account has already run a batch job, so its marketplace account exists.',
    '',
    'Thank you.',
  ].join('\n');
}

export async function creditsView(s: AppServices, identityId: string): Promise<CreditsView> {
  const service = s.service();
  const identity = service.identity(identityId);
  const { getMe } = await import('../openeo/api.ts');
  const token = await service.accessToken(identityId);
  const me = await getMe(identity.apiUrl, service.bearer(token.identity, token.accessToken), service.http());
  if (!identity.userId && me.userId) await s.store().updateIdentity(identityId, { userId: me.userId });
  const payment = me.links.find((l) => l.rel === 'payment')?.href ?? null;
  const billingUrl = host(identity.backendUrl) === CDSE_HOST ? CDSE_BILLING_URL : payment;
  const view: CreditsView = {
    identityId,
    kind: identity.kind,
    budget: typeof me.budget === 'number' ? me.budget : null,
    billingUrl,
    serviceAccount: null,
  };
  if (identity.kind !== 'client-credentials') return view;
  const personal = s.store().listIdentities().find((i) => i.kind === 'personal' && i.issuer === identity.issuer && i.backendUrl === identity.backendUrl && i.userId);
  const serviceUserId = me.userId ?? identity.userId ?? null;
  return {
    ...view,
    serviceAccount: {
      clientId: identity.clientId,
      userId: serviceUserId,
      personalUserId: personal?.userId ?? null,
      personalLabel: personal?.label ?? null,
      supportMessage: supportMessage(identity, serviceUserId, personal),
      supportUrl: null,
    },
  };
}
