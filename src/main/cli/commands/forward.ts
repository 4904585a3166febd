/**
 * `forward [<id>…] [--for DURATION] [--json]`, `forward --list`, `forward --stop <forward-id>`:
 * a socket for a remote machine (`ssh -R`) that serves only the named logins, access tokens only,
 * until it ends. The running agent (the tray app's or `openeo-auth-tray agent`) makes and serves
 * it; this command only asks.
 */
import { parse, str, type CommandSpec } from '../args.ts';
import { jsonText, plain, UsageError, type Io } from '../output.ts';
import { AuthTrayError } from '../../core/errors.ts';
import { agentSocketPath, AGENT_SOCK_ENV } from '../../core/agent/agent-folder.ts';
import { askAgent } from '../../core/agent/agent-client.ts';
import { MAX_FORWARD_S, OWN_REQUESTS } from '../../core/agent/protocol.ts';
import { formatRelative } from '../../../shared/format/relative-time.ts';
import { formatSince } from '../../../shared/format/calendar.ts';

/** Default length of a forward. */
const DEFAULT_FOR_S = 8 * 3600;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90m`, `8h`, `2d`, `3600` (seconds) → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,7}(?:\.\d{1,3})?)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--for needs a duration such as 90m, 8h or 2d, not "${plain(text, 40)}"`);
  const s = Number(m[1]) * UNITS[m[2] || 's']!;
  if (s < 60) throw new UsageError('--for needs at least a minute');
  if (s > MAX_FORWARD_S) throw new UsageError(`--for is at most ${MAX_FORWARD_S / 86_400} days (${plain(text, 40)} was given)`);
  return Math.round(s);
}

interface ForwardView {
  id: string;
  identities: Array<{ id: string; label: string; backend: string }>;
  until: number;
  socket: string;
  remote_socket: string;
  ssh: string;
}

/** A forward as the agent described it, checked field by field (an agent is a peer too). */
function forwardView(v: unknown): ForwardView {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const s = (x: unknown): string => (typeof x === 'string' ? plain(x, 4096) : '');
  const ids = Array.isArray(o.identities) ? o.identities.slice(0, 50) : [];
  return {
    id: s(o.id),
    identities: ids.map((i) => {
      const r = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
      return { id: s(r.id), label: s(r.label), backend: s(r.backend) };
    }),
    until: typeof o.until === 'number' && Number.isFinite(o.until) ? o.until * 1000 : 0,
    socket: s(o.socket),
    remote_socket: s(o.remote_socket),
    ssh: s(o.ssh),
  };
}

function checked(answer: Record<string, unknown>): Record<string, unknown> {
  if (answer.status === 'success') return answer;
  throw new AuthTrayError(typeof answer.code === 'string' && answer.code === 'IDENTITY_NOT_FOUND' ? 'IDENTITY_NOT_FOUND' : 'AGENT_REQUEST_INVALID',
    plain(typeof answer.error === 'string' ? answer.error : 'The agent refused.'), typeof answer.info === 'string' ? { nextStep: plain(answer.info) } : {});
}

function describe(f: ForwardView, now: number): string {
  const who = f.identities.map((i) => `${i.label} (${i.id})`).join(', ');
  return `forward ${f.id}: ${who} until ${formatSince(f.until, now)} (${formatRelative(f.until, now)})`;
}

export const spec: CommandSpec = {
  name: 'forward',
  args: '[<id>…]',
  summary: 'Makes a socket for a remote machine (ssh -R) that serves only the named logins (default: the only one), access tokens only, until it ends, and prints the ssh command. The running agent (the tray app\'s or openeo-auth-tray agent) serves it.',
  options: {
    for: { type: 'string', value: 'DURATION', help: 'how long it serves: 90m, 8h (default), 2d; at most 7 days' },
    list: { type: 'boolean', help: 'list the forwards there are' },
    stop: { type: 'string', value: 'FORWARD-ID', help: 'stop one' },
    json: { type: 'boolean', help: 'print JSON' },
  },
  maxPositionals: 50,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, spec);
  const socket = process.env[AGENT_SOCK_ENV]?.trim() || agentSocketPath();
  if (!socket) throw new AuthTrayError('AGENT_UNAVAILABLE', 'Forwarding needs the token agent, which is not available on Windows.');
  const now = Date.now();
  if (values.stop !== undefined) {
    if (values.list || positionals.length) throw new UsageError('--stop takes only the forward\'s id');
    const answer = checked(await askAgent(socket, { request: OWN_REQUESTS.forwardStop, forward: str(values.stop) }));
    if (answer.stopped !== true) throw new AuthTrayError('INVALID_ARGUMENT', `There is no forward "${plain(str(values.stop), 64)}".`, { nextStep: 'See the forwards there are: openeo-auth-tray forward --list' });
    io.stderr(`Stopped the forward ${plain(str(values.stop), 64)}.\n`);
    return 0;
  }
  if (values.list) {
    if (positionals.length || values.for !== undefined) throw new UsageError('--list takes no other arguments');
    const answer = checked(await askAgent(socket, { request: OWN_REQUESTS.forwardList }));
    const list = (Array.isArray(answer.forwards) ? answer.forwards.slice(0, 1000) : []).map(forwardView);
    if (values.json) io.stdout(`${jsonText(list, 2)}\n`);
    else if (list.length === 0) io.stdout('No forwards.\n');
    else for (const f of list) io.stdout(`${describe(f, now)}\n    ${f.ssh}\n`);
    return 0;
  }
  const forSeconds = values.for === undefined ? DEFAULT_FOR_S : parseDuration(str(values.for) ?? '');
  const answer = checked(await askAgent(socket, { request: OWN_REQUESTS.forwardCreate, identities: positionals, for_seconds: forSeconds }, { timeoutMs: 15_000 }));
  const f = forwardView(answer.forward);
  if (values.json) {
    io.stdout(`${jsonText(f, 2)}\n`);
    return 0;
  }
  io.stdout(`${f.ssh.replace(/ <host>$/, ' HOST')}\n`);
  io.stderr(
    `Forwarding ${describe(f, now)}.\n`
    + 'Connect to the remote machine with the command above (HOST: where your scripts run).\n'
    + `There, the openeo_auth_tray package finds the socket by itself; other oidc-agent clients need:\n  export OIDC_SOCK=${f.remote_socket}\n`
    + `Stop it: openeo-auth-tray forward --stop ${f.id} (or in the tray's menu).\n`,
  );
  return 0;
}
