/**
 * The command line on the same core as the tray app: one invocation's arguments in, its exit code
 * out. Each command is loaded only when used, so `token` with a valid cached token loads no OIDC
 * library and no UI code. Run by the bin (main.ts) under Node, and by the installed app's binary
 * in its command-line mode (src/main/app/cli-mode.ts).
 */
import { EXIT, processIo, reportError, UsageError, type Io } from './output.ts';
// `token` is what scripts call most: bundled into the entry chunk, the others load on demand.
import * as tokenCommand from './commands/token.ts';
import { VERSION } from '../../shared/version.ts';
import { commandHelp, HelpRequested, usageLine, type CommandSpec } from './args.ts';
import type { CommandName } from './command-names.ts';

/** The commands in the order the help lists them; each is loaded only when used. */
const COMMANDS: ReadonlyArray<[CommandName, () => Promise<CommandModule>]> = [
  ['login', () => import('./commands/login.ts')],
  ['status', () => import('./commands/status.ts')],
  ['token', async () => tokenCommand],
  ['logout', () => import('./commands/logout.ts')],
  ['jobs', () => import('./commands/jobs.ts')],
  ['exec', () => import('./commands/exec.ts')],
  ['agent', () => import('./commands/agent.ts')],
  ['forward', () => import('./commands/forward.ts')],
  ['script-access', () => import('./commands/script-access.ts')],
  ['export-python', () => import('./commands/export-python.ts')],
  ['import-python', () => import('./commands/import-python.ts')],
  ['doctor', () => import('./commands/doctor.ts')],
];

interface CommandModule {
  spec: CommandSpec;
  run: (argv: string[], io: Io) => Promise<number>;
}

const NOTES = `<id> is a login's id or label, optional when there is only one. \`openeo-auth-tray <command> --help\`
says more about a command.
The agent answers scripts (the Python bridge, oidc-agent clients) on a private socket:
eval "$(openeo-auth-tray agent)" sets OIDC_SOCK and OPENEO_AUTH_TRAY_SOCK (the tray app serves it
too, while it runs). \`forward\` makes a socket for \`ssh -R\` that serves only the named logins,
until it ends.
Client secrets are read from OPENEO_AUTH_CLIENT_SECRET or, with --client-secret-stdin, from stdin —
never from an argument.
Exit codes: 0 ok, 1 failure, 2 usage, 3 a new login is needed, 4 keychain locked or unavailable,
5 identity provider or backend unreachable or unavailable, or the login busy (try again later),
130 cancelled, 141 the reader of the output went away (as after SIGPIPE).
Settings folder: $OPENEO_AUTH_TRAY_HOME or the platform's config folder. OPENEO_AUTH_TRAY_TIMEOUT:
seconds to wait for one answer from the identity provider or backend (default 30 / 15).
`;

/** The whole help, written from each command's table. */
export async function usage(): Promise<string> {
  const lines: string[] = [];
  for (const [, load] of COMMANDS) lines.push(`  ${usageLine((await load()).spec)}`);
  return `openeo-auth-tray ${VERSION} — keeps your openEO logins alive (tokens live in the OS keychain)\n\nUsage:\n${lines.join('\n')}\n  openeo-auth-tray help [<command>]\n  openeo-auth-tray --version\n\n${NOTES}`;
}

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const about = name === 'help' ? COMMANDS.find(([n]) => n === rest[0]) : undefined;
    if (about) {
      io.stdout(commandHelp((await about[1]()).spec));
      return EXIT.ok;
    }
    (name === undefined ? io.stderr : io.stdout)(await usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.stdout(`openeo-auth-tray ${VERSION}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS.find(([n]) => n === name)?.[1];
  if (!load) return reportError(new UsageError(`unknown command "${name}"`), io);
  try {
    const { run } = await load();
    return await run(rest, io);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.stdout(commandHelp(e.spec));
      return EXIT.ok;
    }
    return reportError(e, io, rest.includes('--json'));
  }
}
