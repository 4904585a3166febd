/**
 * `token [<id>] [--json] [--backend URL] [--bearer] [--min-valid SECONDS] [--refused FINGERPRINT]`:
 * a valid access token on stdout, nothing else. `--refused` says a backend refused the token with
 * that fingerprint: a newer one is handed out, or it is renewed (unless it is seconds old). `--json` prints one object with its expiry and where it may be sent,
 * for programs that renew it themselves (the Python bridge, R, JavaScript).
 */
import { parse, seconds, str, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { iso, jsonText, UsageError, type Io } from '../output.ts';
import { resolveIdentityAt } from '../../core/session/identity-records.ts';

/** What `token --json` prints (snake_case, like `status --json`). */
export interface TokenJson {
  access_token: string;
  /** ISO 8601 UTC, or null when the identity provider gave no lifetime. */
  expires_at: string | null;
  /** The value after `Authorization: Bearer ` for this backend. */
  bearer: string;
  identity: string;
  label: string;
  provider_id: string;
  backend: string;
  api_url: string;
  kind: 'personal' | 'client-credentials';
}

export const spec: CommandSpec = {
  name: 'token',
  args: '[<id>]',
  summary: 'Prints a valid access token of the login (the only one, when there is one), renewing it when it is not fresh enough (60 s left, or a quarter of a short token\'s life). With the tray app or the agent running, the refresh is theirs.',
  options: {
    json: { type: 'boolean', help: 'one object: access_token, expires_at, bearer, identity, label, provider_id, backend, api_url, kind' },
    backend: { type: 'string', value: 'URL', help: 'the only login at this backend, or a check that <id> belongs to it' },
    bearer: { type: 'boolean', help: 'print what goes after "Authorization: Bearer " at the backend' },
    'min-valid': { type: 'string', value: 'SECONDS', help: 'renew unless the token stays valid this long' },
    refused: { type: 'string', value: 'FINGERPRINT', help: 'a backend refused the token with this fingerprint (first 16 hex digits of its SHA-256): hand out a newer one or renew it' },
  },
  maxPositionals: 1,
};

/**
 * Asks this user's running agent (the tray app's, or `openeo-auth-tray agent`) to renew and save
 * the token. True when it did; false when there is no agent for this settings folder (then this
 * process refreshes itself). The agent's refusal (a login that ended, …) is this command's error.
 */
async function renewThroughAgent(settingsFolder: string, id: string, minValid: number | undefined, refused: string | undefined): Promise<boolean> {
  const { agentSocketPath } = await import('../../core/agent/agent-folder.ts');
  const socket = agentSocketPath();
  if (!socket) return false;
  const { askAgent } = await import('../../core/agent/agent-client.ts');
  let answer: Record<string, unknown>;
  try {
    answer = await askAgent(socket, {
      request: 'openeo-auth-tray/renew', account: id, settings_folder: settingsFolder,
      ...(minValid === undefined ? {} : { min_valid_period: minValid }),
      ...(refused === undefined ? {} : { refused }),
    }, { timeoutMs: 120_000 });
  } catch {
    return false; // no agent (or one that does not answer): renew here
  }
  if (answer.status === 'success') return true;
  const { agentFailure } = await import('../../core/agent/agent-client.ts');
  const failure = agentFailure(answer);
  if (failure.code === 'AGENT_REQUEST_INVALID') return false; // an older agent, or another settings folder
  throw failure;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, spec);
  const minValid = seconds(str(values['min-valid']), '--min-valid');
  const refused = str(values.refused);
  if (refused !== undefined && !/^[0-9a-f]{16}$/.test(refused)) throw new UsageError('--refused takes the refused token\'s fingerprint: the first 16 hex digits of its SHA-256');
  const ctx = await openContext();
  const identity = resolveIdentityAt(ctx.identities.listIdentities(), positionals[0], str(values.backend));
  const minValidMs = minValid === undefined ? undefined : minValid * 1000;
  const cached = refused === undefined ? await ctx.tokens.cachedToken(identity.id, minValidMs) : null;
  // A refresh is the running agent's when there is one: a refresh that outlives this process
  // (killed with -9 in the middle) is then finished and saved all the same.
  const renewed = cached ? false : await renewThroughAgent(ctx.dir, identity.id, minValid, refused);
  const token = cached ?? await ctx.tokens.accessToken(identity.id, renewed ? { minValidMs: 0 } : {
    ...(minValidMs === undefined ? {} : { minValidMs }),
    ...(refused === undefined ? {} : { refused }),
  });
  const bearer = ctx.tokens.bearer(token.identity, token.accessToken);
  if (values.json) {
    const out: TokenJson = {
      access_token: token.accessToken,
      expires_at: iso(token.expiresAt),
      bearer,
      identity: token.identity.id,
      label: token.identity.label,
      provider_id: token.identity.providerId,
      backend: token.identity.backendUrl,
      api_url: token.identity.apiUrl,
      kind: token.identity.kind,
    };
    io.stdout(`${jsonText(out)}\n`);
  } else {
    io.stdout(`${values.bearer ? bearer : token.accessToken}\n`);
  }
  return 0;
}
