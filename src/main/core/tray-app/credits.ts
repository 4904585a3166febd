/**
 * The Credits & linking page: the `/me` budget, the billing page, and for a service account what
 * support needs to link its credits to a personal account (client ID + both user IDs), where to
 * send it, and what the service account's own job list says (CDSE links only after one batch job).
 */
import type { CreditsView } from '../../../shared/api.ts';
import type { BatchJob, Identity } from '../../../shared/model.ts';
import type { BackendFacts } from '../openeo/job-details.ts';
import type { AppServices } from './services.ts';

/** CDSE's billing page (facts file); other backends may name one with a `payment` link in `/me`. */
export const CDSE_HOST = 'openeo.dataspace.copernicus.eu';
export const CDSE_BILLING_URL = 'https://marketplace-portal.dataspace.copernicus.eu/billing';
/** CDSE's support desk, linked as "support" from CDSE's own openEO documentation. */
export const CDSE_HELP_CENTER_URL = 'https://helpcenter.dataspace.copernicus.eu/hc/en-gb/requests/new';

/** The backend's host with its port, when it has one ("127.0.0.1:8080"): the address a person can find it at. */
function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** Jobs that were started (queued, running or ended) and that finished, from a job list. */
export function batchJobSummary(jobs: readonly Pick<BatchJob, 'status'>[]): { started: number; finished: number } {
  return {
    started: jobs.filter((j) => j.status !== 'created').length,
    finished: jobs.filter((j) => j.status === 'finished').length,
  };
}

/** Where a linking request goes: CDSE's help center, else the backend's own page, else nowhere known. */
export function supportDesk(backendUrl: string, aboutUrl: string | null): { name: string; url: string | null } {
  const where = host(backendUrl) || backendUrl;
  if (where === CDSE_HOST) return { name: 'the Copernicus Data Space Ecosystem help center', url: CDSE_HELP_CENTER_URL };
  if (aboutUrl) return { name: `the operators of ${where} (their contact is on the backend’s own page)`, url: aboutUrl };
  return { name: `the operators of ${where}`, url: null };
}

function jobsLine(jobs: { started: number; finished: number }): string {
  if (jobs.started === 0) return 'The service account’s job list shows no batch job that was started yet.';
  const started = jobs.started === 1 ? '1 batch job that was started' : `${jobs.started} batch jobs that were started`;
  return `The service account’s job list shows ${started} (${jobs.finished} finished).`;
}

/**
 * The message a user sends to support to link a service account's credits to their account.
 * Only facts: the IDs it knows, and what the job list says (left out when it could not be read).
 */
export function supportMessage(
  service: Identity,
  serviceUserId: string | null,
  personal: Identity | undefined,
  jobs: { started: number; finished: number } | null,
): string {
  return [
    'Hello,',
    '',
    `please link the credit balance of my service account (OAuth client credentials) to my personal account on ${host(service.backendUrl) || service.backendUrl}.`,
    '',
    `Client ID: ${service.clientId}`,
    `Service account user ID: ${serviceUserId ?? '[not known yet]'}`,
    `Personal account user ID: ${personal?.userId ?? '[your personal user ID]'}`,
    ...(jobs ? ['', jobsLine(jobs)] : []),
    '',
    'Thank you.',
  ].join('\n');
}

const factsCache = new WeakMap<AppServices, Map<string, Promise<BackendFacts>>>();

/** The backend's billing currency and about link, read once per API root while the app runs. */
export function backendFacts(s: AppServices, apiUrl: string): Promise<BackendFacts> {
  let cache = factsCache.get(s);
  if (!cache) factsCache.set(s, (cache = new Map<string, Promise<BackendFacts>>()));
  let facts = cache.get(apiUrl);
  if (!facts) {
    facts = import('../openeo/job-details.ts')
      .then(({ getBackendFacts }) => getBackendFacts(apiUrl, s.session().tokens.http()))
      .catch((e: unknown): BackendFacts => {
        // Not known this time; a later call asks again.
        s.deps.log('info', `could not read the capabilities of ${apiUrl}`, e);
        cache.delete(apiUrl);
        return { currency: null, aboutUrl: null };
      });
    cache.set(apiUrl, facts);
  }
  return facts;
}

export async function creditsView(s: AppServices, identityId: string): Promise<CreditsView> {
  const { tokens } = s.session();
  const identity = tokens.identity(identityId);
  const { getMe, listJobs } = await import('../openeo/api.ts');
  const token = await tokens.accessToken(identityId);
  const bearer = tokens.bearer(token.identity, token.accessToken);
  const me = await getMe(identity.apiUrl, bearer, tokens.http());
  if (!identity.userId && me.userId) await s.store().updateIdentity(identityId, { userId: me.userId });
  const payment = me.links.find((l) => l.rel === 'payment')?.href ?? null;
  const cdse = host(identity.backendUrl) === CDSE_HOST;
  const billingUrl = cdse ? CDSE_BILLING_URL : payment;
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
  const [jobs, facts] = await Promise.all([
    listJobs(identity.apiUrl, bearer, tokens.http()).then(batchJobSummary, (e: unknown) => {
      s.deps.log('info', `${identityId}: could not read its job list for the linking message`, e);
      return null;
    }),
    backendFacts(s, identity.apiUrl),
  ]);
  return {
    ...view,
    serviceAccount: {
      clientId: identity.clientId,
      userId: serviceUserId,
      personalUserId: personal?.userId ?? null,
      personalLabel: personal?.label ?? null,
      supportMessage: supportMessage(identity, serviceUserId, personal, jobs),
      support: supportDesk(identity.backendUrl, facts.aboutUrl),
      process: cdse ? 'cdse' : 'ask-operators',
      batchJobs: jobs,
    },
  };
}
