/** `logout <id> [--revoke]`: removes the identity's secrets (revoking them at the IdP with --revoke). */
import { parse, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { resolveIdentity } from '../../core/session/identity-records.ts';
import { signOut } from '../../core/session/sign-out.ts';
import { UsageError, type Io } from '../output.ts';

export const spec: CommandSpec = {
  name: 'logout',
  args: '<id>',
  summary: 'Signs out: removes the login and its tokens from the keychain (and from the Python client\'s store when it was shared), after any refresh under way.',
  options: { revoke: { type: 'boolean', help: 'ask the identity provider to revoke the tokens first' } },
  maxPositionals: 1,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, spec);
  if (!positionals[0]) throw new UsageError('logout needs the id or label of the login to remove');
  const ctx = await openContext();
  const identity = resolveIdentity(ctx.identities.listIdentities(), positionals[0]);
  const outcome = await signOut(ctx, identity.id, { revoke: values.revoke === true });
  if (values.revoke) {
    io.stderr(outcome.revocationProblem
      ? `Signed out of ${identity.label}; revocation: ${outcome.revocationProblem}\n`
      : `Signed out of ${identity.label}; revoked at the identity provider: ${outcome.revoked.join(', ') || 'nothing to revoke'}.\n`);
  } else {
    io.stderr(`Signed out of ${identity.label}; its tokens were removed from the keychain (not revoked; use --revoke for that).\n`);
  }
  if (outcome.pythonStore === 'removed') io.stderr('Its refresh token was also removed from the openEO Python client\'s store.\n');
  if (outcome.pythonStore === 'left') io.stderr('The openEO Python client\'s store holds a login of its own for this provider; it was left as it is.\n');
  return 0;
}
