/**
 * The window's job requests on the real core: one page of an account's batch jobs (the backend's
 * own paging, `limit` and `next`), the running ones again while they are on screen, and one job in
 * full (its logs and, once finished, its signed result links).
 */
import type { BatchJob, JobDetails, JobList, JobPageRequest } from '../../../shared/api.ts';
import { toAuthTrayError } from '../errors.ts';
import { backendFacts } from './credits.ts';
import type { AppServices } from './services.ts';

type JobsApi = {
  listJobs(identityId: string, page: JobPageRequest): Promise<JobList>;
  refreshJobs(identityId: string, jobIds: string[]): Promise<{ jobs: BatchJob[] }>;
  getJob(identityId: string, jobId: string): Promise<JobDetails>;
};

/** The job requests; each throws an AuthTrayError the window API turns into a Result. */
export function jobsApi(s: AppServices): JobsApi {
  const signedIn = async (identityId: string) => {
    const service = s.session().tokens;
    const token = await service.accessToken(identityId);
    return { apiUrl: token.identity.apiUrl, bearer: service.bearer(token.identity, token.accessToken), http: service.http() };
  };
  return {
    async listJobs(identityId, page) {
      const { apiUrl, bearer, http } = await signedIn(identityId);
      const { listJobsPage } = await import('../openeo/api.ts');
      const [read, facts] = await Promise.all([listJobsPage(apiUrl, bearer, page, http), backendFacts(s, apiUrl)]);
      return { jobs: read.jobs.map(({ reportedStatus: _reported, ...job }) => job), currency: facts.currency, next: read.next };
    },
    async refreshJobs(identityId, jobIds) {
      const { apiUrl, bearer, http } = await signedIn(identityId);
      const { getJob } = await import('../openeo/job-details.ts');
      const read = await Promise.allSettled(jobIds.map((id) => getJob(apiUrl, bearer, id, http)));
      const jobs = read.flatMap((r) => (r.status === 'fulfilled' ? [withoutDescription(r.value)] : []));
      // One job gone (deleted meanwhile) is left out; when none could be read, say why.
      const first = read.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (jobs.length === 0 && first) throw toAuthTrayError(first.reason);
      return { jobs };
    },
    async getJob(identityId, jobId) {
      const { apiUrl, bearer, http } = await signedIn(identityId);
      const { getJob, getJobLogs, getJobResults } = await import('../openeo/job-details.ts');
      const [job, facts] = await Promise.all([getJob(apiUrl, bearer, jobId, http), backendFacts(s, apiUrl)]);
      // Logs and results are extras: a backend without them still shows the job.
      const part = async <T>(what: string, read: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; message: string }> => {
        try {
          return { ok: true, ...(await read()) };
        } catch (e) {
          s.deps.log('info', `${what} of job ${jobId} failed`, e);
          return { ok: false, message: toAuthTrayError(e).message };
        }
      };
      const [logs, results] = await Promise.all([
        part('reading the logs', () => getJobLogs(apiUrl, bearer, jobId, http)),
        job.status === 'finished' ? part('reading the results', () => getJobResults(apiUrl, bearer, jobId, http)) : Promise.resolve(null),
      ]);
      return { job, currency: facts.currency, logs, results };
    },
  };
}

function withoutDescription(job: BatchJob & { description?: string }): BatchJob {
  const { description: _description, ...rest } = job;
  return rest;
}
