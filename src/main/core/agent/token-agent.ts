/**
 * The token agent: one more front end on the token service, beside the CLI and the window. It
 * answers scripts on a private Unix socket in oidc-agent's protocol (protocol.ts), deciding
 * nothing about tokens of its own: `TokenService.accessToken` refreshes, under the same lock and
 * with the same keychain as the app and the CLI. The tray app serves it while it runs; the
 * command line serves it headless (`openeo-auth-tray agent`). One agent per user: a second one
 * finds the first on the socket.
 *
 * Forwards are extra sockets for remote machines (`ssh -R`): only the named logins, access tokens
 * only, until an end time.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { AuthTrayError, exitCodeFor, toAuthTrayError } from '../errors.ts';
import type { Identity } from '../../../shared/model.ts';
import { MAX_TIMER_DELAY_MS, systemTimers, type Clock, type TimerHandle, type Timers } from '../ports.ts';
import { withFileLock } from '../process-lock.ts';
import { resolveIdentity, resolveIdentityAt } from '../session/identity-records.ts';
import type { IdentityRepository, LogFn } from '../session/ports.ts';
import { freshEnoughMs, type TokenService } from '../session/token-service.ts';
import { trimTrailingSlashes } from '../../../shared/format/peer-text.ts';
import { askAgent, probeAgent, type AgentInfo } from './agent-client.ts';
import { AGENT_SOCKET_NAME, checkSocketPathLength, ensurePrivateFolder } from './agent-folder.ts';
import { newAgentKeys } from './nacl-box.ts';
import { AGENT_PROTOCOL_VERSION, failureAnswer, OWN_REQUESTS, parseRequest, tokenAnswer, type AgentRequest } from './protocol.ts';
import { ScriptAccessGate, type AskFn } from './script-access.ts';
import { ScriptUseLog, type ScriptUse } from './script-use.ts';
import { createSocketServer, type SocketLimits, type SocketServer } from './socket-server.ts';

export interface TokenAgentDeps {
  tokens: TokenService;
  identities: IdentityRepository;
  clock: Clock;
  timers?: Timers;
  /** The agent's private folder (agent-folder.ts `agentDir`). */
  dir: string;
  /** The settings folder (where the scripts' use of logins is recorded). */
  settingsFolder: string;
  /** Who serves: the tray app takes over from a headless agent; the CLI does not start a second one. */
  servedBy: 'app' | 'cli';
  version: string;
  /** Asks the person whether a new script may use a login; absent: such scripts are refused. */
  ask?: AskFn;
  limits?: Partial<SocketLimits>;
  log?: LogFn;
  /** Script use or forwards changed (the tray redraws). */
  onChange?: () => void;
  /** Another agent took over (the tray app started): this one has stopped. */
  onHandedOver?: () => void;
}

/** One forward: a socket for a remote machine. */
export interface Forward {
  id: string;
  identities: Array<Pick<Identity, 'id' | 'label' | 'backendUrl'>>;
  /** Epoch ms. */
  until: number;
  /** The local socket `ssh -R` forwards. */
  socket: string;
  /** Where the forward appears on the remote machine (in its temp folder). */
  remoteSocket: string;
}

/** The `ssh -R` command line for a forward, to reach `host`. */
export function sshCommand(forward: Pick<Forward, 'socket' | 'remoteSocket'>, host = '<host>'): string {
  return `ssh -R ${forward.remoteSocket}:${forward.socket} ${host}`;
}

/** Where a forward's socket appears on the remote machine; the Python bridge looks for this name. */
export function remoteSocketPath(id: string): string {
  return `/tmp/openeo-auth-tray-forward-${id}.sock`;
}

export interface TokenAgent {
  readonly socketPath: string;
  /** Listens (taking over from a headless agent when served by the app); throws AGENT_FOLDER_UNSAFE, or ALREADY_RUNNING via {@link AgentAlreadyRunning}. */
  start(): Promise<void>;
  /** Stops listening; refreshes under way still finish and are saved. */
  stop(): Promise<void>;
  running(): boolean;
  forwards(): Forward[];
  createForward(refs: string[], forMs: number, opts?: { id?: string; until?: number }): Promise<Forward>;
  stopForward(id: string): Promise<boolean>;
  scriptUse(identityId: string): ScriptUse | null;
  /** Forgets what the agent knows of a login (its access answers, its use, its place in forwards): it was signed out. */
  forgetIdentity(identityId: string): void;
  /**
   * Forgets only the person's answers about a login's scripts (its setting changed): the next
   * script is asked again. What scripts did with it stays recorded, and its forwards stay.
   */
  forgetAnswers(identityId: string): void;
}

/** Another agent answers on the socket already (only for `servedBy: 'cli'`). */
export class AgentAlreadyRunning extends Error {
  constructor(readonly info: AgentInfo) {
    super(`openEO Auth Tray's agent is already running at ${info.socket} (${info.servedBy === 'app' ? 'the tray app' : 'the command line'}, pid ${info.pid}).`);
  }
}

interface Channel {
  server: SocketServer;
  forward?: Forward;
  endTimer?: TimerHandle;
}

const HANDOVER_WAIT_MS = 5_000;

export function createTokenAgent(deps: TokenAgentDeps): TokenAgent {
  const timers = deps.timers ?? systemTimers;
  const socketPath = join(deps.dir, AGENT_SOCKET_NAME);
  const keys = newAgentKeys();
  const gate = new ScriptAccessGate({ clock: deps.clock, timers, ...(deps.ask ? { ask: deps.ask } : {}) });
  const use = new ScriptUseLog({
    settingsFolder: deps.settingsFolder,
    clock: deps.clock,
    timers,
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
    log: (m, e) => deps.log?.('warn', m, e),
  });
  let main: Channel | undefined;
  const forwards = new Map<string, Channel>();
  const answering = new Set<Promise<unknown>>();

  const listFor = (forward: Forward | undefined): Identity[] => {
    const all = deps.identities.listIdentities();
    if (!forward) return all;
    const ids = new Set(forward.identities.map((i) => i.id));
    return all.filter((i) => ids.has(i.id));
  };

  const resolve = (req: Extract<AgentRequest, { type: 'access_token' }>, list: Identity[]): Identity => {
    if (req.issuer !== undefined) {
      const issuer = trimTrailingSlashes(req.issuer);
      const here = list.filter((i) => i.issuer === issuer);
      if (here.length === 1) return req.backend === undefined ? here[0]! : resolveIdentityAt(here, here[0]!.id, req.backend);
      throw new AuthTrayError(here.length ? 'IDENTITY_AMBIGUOUS' : 'IDENTITY_NOT_FOUND', here.length ? `There are ${here.length} logins at ${issuer}; say which one.` : `There is no login at ${issuer}.`, {
        nextStep: here.length
          ? `Ask with "account" set to one of: ${here.map((i) => `${i.id} (${i.label})`).join(', ')}`
          : list.length ? `Logins there are: ${list.map((i) => `${i.id} at ${i.issuer}`).join(', ')}` : 'Sign in with: openeo-auth-tray login <backend-url>',
      });
    }
    return resolveIdentityAt(list, req.account, req.backend);
  };

  const answerToken = async (req: Extract<AgentRequest, { type: 'access_token' }>, forward: Forward | undefined): Promise<Record<string, unknown>> => {
    const identity = resolve(req, listFor(forward));
    await gate.check({ identity, hint: req.hint, ...(forward ? { forward: { id: forward.id, until: forward.until } } : {}) });
    // A minimum below "fresh enough" (oidc-agent's clients ask for 0 by default) would hand out a
    // token about to end; a longer one asked for is honoured.
    const minValidMs = Math.max((req.minValidS ?? 0) * 1000, freshEnoughMs(identity));
    // The agent lives on: a renewed token goes to the script as soon as the IdP answered; the
    // save goes on under the lock (stop() waits for it).
    const token = await deps.tokens.accessToken(identity.id, {
      minValidMs, answerBeforeSaved: true, ...(req.forceNew ? { force: true } : {}), ...(req.refused === undefined ? {} : { refused: req.refused }),
    });
    use.record(identity.id, req.hint);
    return tokenAnswer(token.identity, { accessToken: token.accessToken, expiresAt: token.expiresAt, bearer: deps.tokens.bearer(token.identity, token.accessToken) });
  };

  const describeForward = (f: Forward): Record<string, unknown> => ({
    id: f.id,
    identities: f.identities.map((i) => ({ id: i.id, label: i.label, backend: i.backendUrl })),
    until: Math.floor(f.until / 1000),
    socket: f.socket,
    remote_socket: f.remoteSocket,
    ssh: sshCommand(f),
  });

  const ownOnly = (): never => {
    throw new AuthTrayError('AGENT_REQUEST_INVALID', 'A forwarded socket hands out access tokens only.', { nextStep: 'Ask the agent on your own computer.' });
  };

  const handle = async (req: AgentRequest, forward: Forward | undefined): Promise<Record<string, unknown>> => {
    if (forward && deps.clock.now() >= forward.until) {
      throw new AuthTrayError('AGENT_UNAVAILABLE', `This forward of openEO Auth Tray ended at ${new Date(forward.until).toISOString()}.`, {
        nextStep: 'Start a new one on your computer: openeo-auth-tray forward',
      });
    }
    switch (req.type) {
      case 'access_token':
        return answerToken(req, forward);
      case 'loaded_accounts': {
        const list = listFor(forward);
        return { status: 'success', info: list.map((i) => i.id), accounts: list.map((i) => ({ id: i.id, label: i.label, backend: i.backendUrl, issuer: i.issuer, kind: i.kind })) };
      }
      case 'info':
        return {
          status: 'success', name: 'openeo-auth-tray', version: deps.version, protocol: AGENT_PROTOCOL_VERSION, pid: process.pid, served_by: deps.servedBy,
          ...(forward ? { forward: describeForward(forward) } : {}),
        };
      case 'forward-create': {
        if (forward) return ownOnly();
        return { status: 'success', forward: describeForward(await agent.createForward(req.identities, req.forSeconds * 1000)) };
      }
      case 'forward-list':
        if (forward) return ownOnly();
        return { status: 'success', forwards: agent.forwards().map(describeForward) };
      case 'forward-stop':
        if (forward) return ownOnly();
        return { status: 'success', stopped: await agent.stopForward(req.forward) };
      case 'renew': {
        if (forward) return ownOnly();
        if (resolvePath(req.settingsFolder) !== resolvePath(deps.settingsFolder)) {
          throw new AuthTrayError('AGENT_REQUEST_INVALID', 'This agent serves another settings folder.', { nextStep: 'Renew with the command line itself.' });
        }
        const identity = resolveIdentity(deps.identities.listIdentities(), req.account);
        const token = await deps.tokens.accessToken(identity.id, {
          ...(req.minValidS === undefined ? {} : { minValidMs: req.minValidS * 1000 }),
          ...(req.refused === undefined ? {} : { refused: req.refused }),
        });
        return { status: 'success', identity: token.identity.id, expires_at: token.expiresAt === null ? 0 : Math.floor(token.expiresAt / 1000), renewed: token.renewed };
      }
      case 'handover': {
        if (forward) return ownOnly();
        const handed = agent.forwards().map((f) => ({ id: f.id, identities: f.identities.map((i) => i.id), until: f.until }));
        // After this answer has gone out: stop, and let the new agent have the sockets.
        setImmediate(() => {
          void agent.stop().then(() => deps.onHandedOver?.());
        });
        return { status: 'success', forwards: handed };
      }
    }
  };

  const answerFor = (forward: Forward | undefined) => async (text: string): Promise<Record<string, unknown>> => {
    const work = (async () => {
      try {
        return await handle(parseRequest(text), forward);
      } catch (e) {
        const err = toAuthTrayError(e);
        if (err.code === 'INTERNAL') deps.log?.('warn', 'the agent could not answer a request', e);
        return failureAnswer(err, exitCodeFor(err));
      }
    })();
    answering.add(work);
    void work.finally(() => answering.delete(work));
    return work;
  };

  const listen = async (path: string, forward?: Forward): Promise<SocketServer> => {
    checkSocketPathLength(path);
    const server = createSocketServer({ path, answer: answerFor(forward), keys, ...(deps.limits ? { limits: deps.limits } : {}), log: (m) => deps.log?.('warn', m) });
    await server.listen();
    chmodSync(path, 0o600);
    return server;
  };

  const removeStale = (path: string): void => {
    try {
      if (lstatSync(path).isSocket()) unlinkSync(path);
    } catch {
      // gone already
    }
  };

  const armEnd = (channel: Channel): void => {
    const f = channel.forward!;
    const left = f.until - deps.clock.now();
    channel.endTimer = timers.setTimeout(() => {
      if (deps.clock.now() >= f.until) void agent.stopForward(f.id);
      else armEnd(channel); // longer than a timer holds, or the clock went back: look again later
    }, Math.min(Math.max(0, left), MAX_TIMER_DELAY_MS));
  };

  const agent: TokenAgent = {
    socketPath,
    running: () => main !== undefined,
    async start() {
      if (main) return;
      ensurePrivateFolder(deps.dir);
      checkSocketPathLength(socketPath);
      let handed: Array<{ id: string; identities: string[]; until: number }> = [];
      // Under a lock: two agents starting at once must not both find the socket free.
      await withFileLock(join(deps.dir, 'agent.lock'), async () => {
        const other = await probeAgent(socketPath);
        if (other) {
          if (deps.servedBy !== 'app') throw new AgentAlreadyRunning(other);
          handed = await takeOver();
        }
        removeStale(socketPath);
        main = { server: await listen(socketPath) };
      }, { timeoutMs: 15_000 });
      for (const f of handed) {
        const refs = f.identities.filter((id) => deps.identities.getIdentity(id));
        if (refs.length && f.until > deps.clock.now()) {
          await agent.createForward(refs, f.until - deps.clock.now(), { id: f.id, until: f.until }).catch((e: unknown) => deps.log?.('warn', `could not keep the forward ${f.id}`, e));
        }
      }
      deps.log?.('info', `the token agent listens at ${socketPath}`);
    },
    async stop() {
      const channels = [...forwards.values(), ...(main ? [main] : [])];
      main = undefined;
      forwards.clear();
      for (const c of channels) if (c.endTimer) timers.clearTimeout(c.endTimer);
      await Promise.all(channels.map((c) => c.server.close()));
      // Answers being worked out finish (a refresh started for a script is saved); then the record.
      await Promise.allSettled([...answering]);
      // …and the saves of tokens already handed out (answerBeforeSaved).
      await deps.tokens.idle();
      await use.flush();
      if (channels.length) deps.onChange?.();
    },
    forwards: () => [...forwards.values()].map((c) => c.forward!).sort((a, b) => a.until - b.until),
    async createForward(refs, forMs, opts = {}) {
      if (!main) throw new AuthTrayError('AGENT_UNAVAILABLE', 'The token agent is not running, so nothing can be forwarded.', { nextStep: 'Start it: openeo-auth-tray agent' });
      const all = deps.identities.listIdentities();
      const chosen = new Map<string, Identity>();
      if (refs.length === 0) {
        const only = resolveIdentity(all, undefined);
        chosen.set(only.id, only);
      }
      for (const ref of refs) {
        const identity = resolveIdentity(all, ref);
        chosen.set(identity.id, identity);
      }
      const id = opts.id ?? randomBytes(4).toString('hex');
      if (forwards.has(id)) throw new AuthTrayError('INVALID_ARGUMENT', `There is a forward ${id} already.`);
      const path = join(deps.dir, `forward-${id}.sock`);
      const forward: Forward = {
        id,
        identities: [...chosen.values()].map((i) => ({ id: i.id, label: i.label, backendUrl: i.backendUrl })),
        until: opts.until ?? deps.clock.now() + forMs,
        socket: path,
        remoteSocket: remoteSocketPath(id),
      };
      removeStale(path);
      const channel: Channel = { server: await listen(path, forward), forward };
      forwards.set(id, channel);
      armEnd(channel);
      deps.log?.('info', `forwarding ${forward.identities.map((i) => i.id).join(', ')} at ${path} until ${new Date(forward.until).toISOString()}`);
      deps.onChange?.();
      return forward;
    },
    async stopForward(id) {
      const channel = forwards.get(id);
      if (!channel) return false;
      forwards.delete(id);
      if (channel.endTimer) timers.clearTimeout(channel.endTimer);
      await channel.server.close();
      deps.log?.('info', `the forward ${id} ended`);
      deps.onChange?.();
      return true;
    },
    scriptUse: (id) => use.use(id),
    forgetAnswers: (id) => gate.forget(id),
    forgetIdentity(id) {
      gate.forget(id);
      use.forget(id);
      for (const [fid, c] of forwards) {
        if (c.forward!.identities.some((i) => i.id === id)) {
          const left = c.forward!.identities.filter((i) => i.id !== id);
          if (left.length === 0) void agent.stopForward(fid);
          else c.forward!.identities = left;
        }
      }
    },
  };

  /** Asks the agent on the socket to hand over; waits (bounded) until it has let go. */
  async function takeOver(): Promise<Array<{ id: string; identities: string[]; until: number }>> {
    const answer = await askAgent(socketPath, { request: OWN_REQUESTS.handover });
    const handed = Array.isArray(answer.forwards) ? answer.forwards.slice(0, 100) : [];
    const deadline = Date.now() + HANDOVER_WAIT_MS;
    while ((await probeAgent(socketPath, 1_000).catch(() => null)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    deps.log?.('info', 'took over the token agent from the command line');
    return handed.flatMap((f: unknown) => {
      const o = f as Record<string, unknown>;
      const ids = Array.isArray(o.identities) ? o.identities.filter((x): x is string => typeof x === 'string').slice(0, 50) : [];
      return typeof o.id === 'string' && /^[0-9a-f]{8}$/.test(o.id) && typeof o.until === 'number' && Number.isFinite(o.until) && ids.length
        ? [{ id: o.id, identities: ids, until: o.until }]
        : [];
    });
  }

  return agent;
}
