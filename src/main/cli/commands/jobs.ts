/** `jobs [<id>] [--json]`: the batch jobs of one identity (or of every identity). */
import { parse, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { exitCodeFor, jsonText, plain, type Io } from '../output.ts';
import { toAuthTrayError } from '../../core/errors.ts';
import { resolveIdentity } from '../../core/session/identity-records.ts';
import type { BatchJob, Identity } from '../../../shared/model.ts';

export const spec: CommandSpec = {
  name: 'jobs',
  args: '[<id>]',
  summary: 'Lists the batch jobs of one login, or of every login (service accounts included, whose jobs no web editor shows).',
  options: { json: { type: 'boolean', help: 'print JSON' } },
  maxPositionals: 1,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, spec);
  const ctx = await openContext();
  const all = ctx.identities.listIdentities();
  const targets: Identity[] = positionals[0] ? [resolveIdentity(all, positionals[0])] : all;
  const { listJobs } = await import('../../core/openeo/api.ts');
  const rows: Array<BatchJob & { identity: string }> = [];
  let failed: number | null = null;
  for (const identity of targets) {
    try {
      const token = await ctx.tokens.accessToken(identity.id);
      const jobs = await listJobs(identity.apiUrl, ctx.tokens.bearer(token.identity, token.accessToken), ctx.tokens.http());
      for (const job of jobs) rows.push({ identity: identity.id, ...job });
    } catch (e) {
      if (positionals[0]) throw e;
      // Listing every identity: one login that needs a new sign-in must not hide the others' jobs.
      const err = toAuthTrayError(e);
      io.stderr(`openeo-auth-tray: the jobs of "${plain(identity.label)}" (${identity.id}) could not be listed: ${err.sentence}\n`);
      failed ??= exitCodeFor(err);
    }
  }
  if (values.json) {
    io.stdout(`${jsonText(rows.map((j) => ({
      identity: j.identity,
      id: j.id,
      title: j.title ?? null,
      status: j.status,
      progress: j.progress ?? null,
      created: j.created,
      updated: j.updated ?? null,
      costs: j.costs ?? null,
    })), 2)}\n`);
    return failed ?? 0;
  }
  if (rows.length === 0) {
    io.stdout('No batch jobs.\n');
    return failed ?? 0;
  }
  for (const j of rows) {
    const progress = typeof j.progress === 'number' ? ` ${Math.round(j.progress)}%` : '';
    // Every field but the status word and the numbers came from the backend: plain text only.
    io.stdout(`${j.identity}  ${plain(j.id, 200)}  ${j.status}${progress}  ${j.title ? plain(j.title, 200) : '(untitled)'}  created ${plain(j.created, 64)}${j.costs !== undefined ? `  costs ${j.costs}` : ''}\n`);
  }
  return failed ?? 0;
}
