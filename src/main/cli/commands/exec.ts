/**
 * `exec <id> [--min-valid SECONDS] -- <command…>`: runs one command with the identity's
 * credentials in its environment only (never in arguments, never in our own environment).
 */
import { parse, seconds, str } from '../args.ts';
import { openContext } from '../context.ts';
import { UsageError, type Io } from '../output.ts';
import { resolveIdentity } from '../../core/session/identity-records.ts';
import { execEnvironment } from '../../core/exec/environment.ts';
import { exitCodeFor, runWithEnvironment } from '../../core/exec/run.ts';
import { secretKey } from '../../core/model.ts';

/** Default minimum validity of the access token handed to the command. */
const DEFAULT_EXEC_MIN_VALID_S = 300;

export async function run(argv: string[], _io: Io): Promise<number> {
  const split = argv.indexOf('--');
  if (split === -1 || split === argv.length - 1) throw new UsageError('exec needs a command after "--", e.g. exec cdse-1a2b3c -- python job.py');
  const { values, positionals } = parse(argv.slice(0, split), { 'min-valid': { type: 'string' } }, 1);
  const command = argv.slice(split + 1);
  const minValid = seconds(str(values['min-valid']), '--min-valid') ?? DEFAULT_EXEC_MIN_VALID_S;
  const ctx = await openContext();
  const identity = resolveIdentity(ctx.identities.listIdentities(), positionals[0]);
  let env: NodeJS.ProcessEnv;
  if (identity.kind === 'client-credentials') {
    const clientSecret = await ctx.secrets.get(secretKey(identity.id, 'client_secret'));
    env = execEnvironment(identity, clientSecret ? { clientSecret } : {}, process.env);
  } else {
    const token = await ctx.service.accessToken(identity.id, { minValidMs: minValid * 1000 });
    env = execEnvironment(token.identity, { accessToken: token.accessToken, bearer: ctx.service.bearer(token.identity, token.accessToken) }, process.env);
  }
  const result = await runWithEnvironment(command, env);
  return exitCodeFor(result);
}
