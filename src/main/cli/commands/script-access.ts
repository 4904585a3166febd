/**
 * `script-access <id> [allow|ask|deny]`: whether scripts may have a login's tokens from the agent
 * (`allow`, the default), only after you said yes for an hour (`ask`), or not at all (`deny`).
 * Without a value it prints the current one.
 */
import { parse, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { plain, UsageError, type Io } from '../output.ts';
import { resolveIdentity } from '../../core/session/identity-records.ts';
import { scriptAccessOf, scriptsSetting, type ScriptAccess } from '../../core/agent/script-access.ts';

const WORDS: Record<ScriptAccess, string> = {
  allow: 'scripts may use it',
  ask: 'a script not seen in the last hour is let in only after you say yes',
  deny: 'scripts may not use it',
};

export const spec: CommandSpec = {
  name: 'script-access',
  args: '<id> [allow|ask|deny]',
  summary: 'Whether scripts may have the login\'s tokens from the agent: allow (default), ask (a script not seen in the last hour only after you say yes), deny. Without a value it prints the current one.',
  options: {},
  maxPositionals: 2,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { positionals } = parse(argv, spec);
  const [ref, value] = positionals;
  if (!ref) throw new UsageError('script-access needs the id or label of a login');
  if (value !== undefined && !['allow', 'ask', 'deny'].includes(value)) throw new UsageError(`script-access takes allow, ask or deny, not "${plain(value, 40)}"`);
  const ctx = await openContext();
  const identity = resolveIdentity(ctx.identities.listIdentities(), ref);
  if (value === undefined) {
    const access = scriptAccessOf(identity);
    io.stdout(`${access}\n`);
    io.stderr(`${plain(identity.label)} (${identity.id}): ${WORDS[access]}.\n`);
    return 0;
  }
  const access = value as ScriptAccess;
  await ctx.identities.updateIdentity(identity.id, { scripts: scriptsSetting(access) });
  io.stderr(`${plain(identity.label)} (${identity.id}): ${WORDS[access]}.\n`);
  return 0;
}
