/**
 * `openeo-auth-tray`: the command line on the same core as the tray app. Each command is loaded
 * only when used, so `token` with a valid cached token loads no OIDC library and no UI code.
 */
import { EXIT, processIo, quietOnClosedPipes, reportError, UsageError, type Io } from './output.ts';
// `token` is what scripts call most: bundled into the entry chunk, the others load on demand.
import * as tokenCommand from './commands/token.ts';
import { VERSION } from '../../shared/version.ts';

export const USAGE = `openeo-auth-tray — keeps your openEO logins alive (tokens live in the OS keychain)

Usage:
  openeo-auth-tray login <backend-url> [--provider ID] [--client-id ID] [--flow device|browser|client-credentials]
                         [--label TEXT] [--json] [--no-browser] [--client-secret-stdin]
  openeo-auth-tray status [--json]
  openeo-auth-tray token [<id>] [--json] [--backend URL] [--bearer] [--min-valid SECONDS] [--refused FINGERPRINT]
  openeo-auth-tray logout <id> [--revoke]
  openeo-auth-tray export-python <id> [--dir DIR]
  openeo-auth-tray import-python [--dir DIR] [--yes]
  openeo-auth-tray exec <id> [--min-valid SECONDS] [--with-client-secret] -- <command…>
  openeo-auth-tray jobs [<id>] [--json]
  openeo-auth-tray agent [--foreground|--detach] [--csh] [--stop]
  openeo-auth-tray forward [<id>…] [--for DURATION] [--json] | --list [--json] | --stop <forward-id>
  openeo-auth-tray script-access <id> [allow|ask|deny]
  openeo-auth-tray doctor [--json] [--set-aside] [--adopt <id>] [--delete <id> --yes]
  openeo-auth-tray help

<id> is an identity's id or label, optional when there is only one.
The agent answers scripts (the Python bridge, oidc-agent clients) on a private socket:
eval "$(openeo-auth-tray agent)" sets OIDC_SOCK and OPENEO_AUTH_TRAY_SOCK. \`forward\` makes a
socket for \`ssh -R\` that serves only the named logins, until it ends (default 8h).
Client secrets are read from OPENEO_AUTH_CLIENT_SECRET or, with --client-secret-stdin, from stdin —
never from an argument. Exit codes: 0 ok, 1 failure, 2 usage, 3 a new login is needed,
4 keychain locked/unavailable, 5 identity provider or backend unreachable or unavailable
(try again later), 130 cancelled.
Settings folder: $OPENEO_AUTH_TRAY_HOME or the platform's config folder. OPENEO_AUTH_TRAY_TIMEOUT:
seconds to wait for one answer from the identity provider or backend (default 30 / 15).
`;

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, () => Promise<{ run: Command }>> = {
  login: () => import('./commands/login.ts'),
  status: () => import('./commands/status.ts'),
  token: async () => tokenCommand,
  logout: () => import('./commands/logout.ts'),
  'export-python': () => import('./commands/export-python.ts'),
  'import-python': () => import('./commands/import-python.ts'),
  exec: () => import('./commands/exec.ts'),
  jobs: () => import('./commands/jobs.ts'),
  agent: () => import('./commands/agent.ts'),
  forward: () => import('./commands/forward.ts'),
  'script-access': () => import('./commands/script-access.ts'),
  doctor: () => import('./commands/doctor.ts'),
};

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.stdout(`openeo-auth-tray ${VERSION}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) return reportError(new UsageError(`unknown command "${name}"`), io);
  try {
    const { run } = await load();
    return await run(rest, io);
  } catch (e) {
    return reportError(e, io, rest.includes('--json'));
  }
}

// Run when executed directly (the bundled bin, or `tsx src/main/cli/main.ts`).
const entry = process.argv[1] ?? '';
if (/openeo-auth-tray(\.c?js)?$|cli[\\/]main\.ts$/.test(entry)) {
  quietOnClosedPipes();
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = reportError(e, processIo);
    },
  );
}
