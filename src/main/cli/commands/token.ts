/** `token [<id>] [--bearer] [--min-valid SECONDS]`: a valid access token on stdout, nothing else. */
import { parse, seconds, str } from '../args.ts';
import { openContext } from '../context.ts';
import { resolveIdentity } from '../../core/session/identity-records.ts';
import type { Io } from '../output.ts';

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { bearer: { type: 'boolean' }, 'min-valid': { type: 'string' } }, 1);
  const minValid = seconds(str(values['min-valid']), '--min-valid');
  const ctx = await openContext();
  const identity = resolveIdentity(ctx.identities.listIdentities(), positionals[0]);
  const token = await ctx.service.accessToken(identity.id, minValid === undefined ? {} : { minValidMs: minValid * 1000 });
  io.stdout(`${values.bearer ? ctx.service.bearer(token.identity, token.accessToken) : token.accessToken}\n`);
  return 0;
}
