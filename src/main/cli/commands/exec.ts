/**
 * `exec <id> [--min-valid SECONDS] [--with-client-secret] -- <command…>`: runs one command with the
 * identity's credentials in its environment only (never in arguments, never in our own
 * environment). By default that is an access token and the identity's id, for every kind of
 * identity: a service account's long-lived client secret reaches the command only when asked for.
 */
import { statSync } from 'node:fs';
import { parse, seconds, str, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { UsageError, type Io } from '../output.ts';
import { resolveIdentity } from '../../core/session/identity-records.ts';
import { execEnvironment, type ExecEnvironmentOptions } from '../../core/exec/environment.ts';
import { commandLine, isOnPath } from '../../core/exec/cli-command-line.ts';
import { childExitCode, runWithEnvironment } from '../../core/exec/run.ts';
import { secretKey } from '../../../shared/model.ts';

/** Default minimum validity of the access token handed to the command. */
const DEFAULT_EXEC_MIN_VALID_S = 300;

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** `OPENEO_AUTH_TRAY_CLI` for the child when it could not find this CLI on the PATH. */
function cliForChild(env: NodeJS.ProcessEnv): ExecEnvironmentOptions {
  const script = process.argv[1];
  if (!script || isOnPath('openeo-auth-tray', env, process.platform, isFile)) return {};
  return { cliCommandLine: commandLine([process.execPath, script], process.platform) };
}

export const spec: CommandSpec = {
  name: 'exec',
  args: '<id>',
  summary: 'Runs one command with the login\'s access token in its environment only (OPENEO_AUTH_TRAY_ACCESS_TOKEN, OPENEO_AUTH_TRAY_BEARER, OPENEO_AUTH_TRAY_IDENTITY and more); a service account\'s client secret only when asked for.',
  options: {
    'min-valid': { type: 'string', value: 'SECONDS', help: 'the token stays valid at least this long (default 300)' },
    'with-client-secret': { type: 'boolean', help: 'a service account\'s client id and secret instead (OPENEO_AUTH_CLIENT_ID, OPENEO_AUTH_CLIENT_SECRET)' },
  },
  maxPositionals: 1,
  trailing: '-- <command…>',
};

export async function run(argv: string[], _io: Io): Promise<number> {
  const split = argv.indexOf('--');
  if (split === -1 && (argv.includes('--help') || argv.includes('-h'))) parse(argv, spec);
  if (split === -1 || split === argv.length - 1) throw new UsageError('exec needs a command after "--", e.g. exec cdse-1a2b3c -- python job.py');
  const { values, positionals } = parse(argv.slice(0, split), spec);
  const command = argv.slice(split + 1);
  const minValid = seconds(str(values['min-valid']), '--min-valid') ?? DEFAULT_EXEC_MIN_VALID_S;
  const ctx = await openContext();
  const identity = resolveIdentity(ctx.identities.listIdentities(), positionals[0]);
  const options = cliForChild(process.env);
  let env: NodeJS.ProcessEnv;
  if (values['with-client-secret']) {
    if (identity.kind !== 'client-credentials') throw new UsageError(`--with-client-secret is for service accounts; "${identity.id}" is a personal login`);
    const clientSecret = (await ctx.secrets.get(secretKey(identity.id, 'client_secret'))) ?? '';
    env = execEnvironment(identity, { clientSecret }, process.env, options);
  } else {
    const token = await ctx.tokens.accessToken(identity.id, { minValidMs: minValid * 1000 });
    env = execEnvironment(token.identity, { accessToken: token.accessToken, bearer: ctx.tokens.bearer(token.identity, token.accessToken) }, process.env, options);
  }
  const result = await runWithEnvironment(command, env);
  return childExitCode(result);
}
