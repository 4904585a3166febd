/**
 * One listening socket of the token agent: a Unix domain socket, one request per connection, as
 * oidc-agent does it. A connection starts with either a JSON request (plain) or a client's NaCl
 * public key (then the agent answers with its own and the request comes sealed).
 *
 * Every connection is bounded: bytes ({@link MAX_REQUEST_BYTES}), the time to send a request, and
 * the number of connections at once. At the limit, the connection that has been sending its
 * request the longest is dropped for a new one, so half-open or slow clients can never keep others
 * out; connections whose request is being answered are never dropped. Once its answer is out, a
 * connection the client keeps open is closed after the idle limit, and is the first to go when
 * room is needed: answered clients cannot keep others out either. A client that goes away
 * while its answer is being worked out changes nothing: a refresh started for it finishes and is
 * saved (the handler is not told).
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { MAX_REQUEST_BYTES } from './protocol.ts';
import { newAgentKeys, openMessage, parsePublicKey, sealMessage, sharedKey, type AgentKeys } from './nacl-box.ts';

export interface SocketLimits {
  /** Connections at once (default 128). */
  maxConnections: number;
  /** Longest pause while a client sends its request (default 5 s). */
  idleMs: number;
  /** Longest time from connecting to a whole request (default 15 s). */
  requestMs: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = { maxConnections: 128, idleMs: 5_000, requestMs: 15_000 };

/** The answer to one request (a JSON object), from the request's text; never throws. */
export type AnswerFn = (requestText: string) => Promise<Record<string, unknown>>;

export interface SocketServer {
  readonly path: string;
  listen(): Promise<void>;
  /** Stops listening, drops connections still sending, removes the socket file (if still ours). */
  close(): Promise<void>;
  /** Connections open now (for tests and the benchmark). */
  connections(): number;
}

/** `done`: the answer (or a failure) went out; the client has yet to close its side. */
type Phase = 'first' | 'sealed' | 'answering' | 'done';

/** A 32-byte public key in base64, as the clients send it. */
const KEY_TEXT_LENGTH = 44;

interface Conn {
  socket: Socket;
  phase: Phase;
  text: string;
  bytes: number;
  since: number;
  key?: Uint8Array;
  timer?: ReturnType<typeof setTimeout>;
}

/** A failure answer for a connection that never made a request. */
function protocolFailure(error: string): Record<string, unknown> {
  return { status: 'failure', error, info: 'See docs/agent-protocol.md for the requests the agent answers.', code: 'AGENT_REQUEST_INVALID', exit_code: 1 };
}

export function createSocketServer(opts: { path: string; answer: AnswerFn; limits?: Partial<SocketLimits>; keys?: AgentKeys; log?: (message: string) => void }): SocketServer {
  const limits = { ...DEFAULT_SOCKET_LIMITS, ...opts.limits };
  const keys = opts.keys ?? newAgentKeys();
  const open = new Set<Conn>();
  let server: Server | undefined;
  let socketIno: number | undefined;

  const finish = (c: Conn, answer: Record<string, unknown>, sealed: boolean): void => {
    clearTimeout(c.timer);
    c.phase = 'done';
    if (c.socket.destroyed) return;
    const json = JSON.stringify(answer);
    // One write, then the end: liboidcagent reads until a read returns less than 4096 bytes.
    c.socket.end(sealed && c.key ? sealMessage(json, c.key) : json);
    // A client that keeps its side open after the answer gets no longer than an idle one.
    c.timer = setTimeout(() => drop(c), limits.idleMs);
    c.timer.unref();
  };

  const drop = (c: Conn): void => {
    clearTimeout(c.timer);
    open.delete(c);
    c.socket.destroy();
  };

  const arm = (c: Conn): void => {
    clearTimeout(c.timer);
    const left = c.since + limits.requestMs - Date.now();
    c.timer = setTimeout(() => {
      if (c.phase === 'answering' || c.phase === 'done') return;
      // Something came but never made a request: say so, then close. Nothing came: just close.
      if (c.text.trim()) finish(c, protocolFailure('The request was not complete in time.'), c.phase === 'sealed');
      else drop(c);
    }, Math.max(0, Math.min(limits.idleMs, left)));
    c.timer.unref();
  };

  const serve = (c: Conn, requestText: string, sealed: boolean): void => {
    c.phase = 'answering';
    clearTimeout(c.timer);
    opts.answer(requestText).then(
      (answer) => finish(c, answer, sealed),
      () => finish(c, protocolFailure('The agent could not answer.'), sealed),
    );
  };

  const onData = (c: Conn, chunk: string): void => {
    if (c.phase === 'answering' || c.phase === 'done') return; // one request per connection; the rest is ignored
    c.bytes += Buffer.byteLength(chunk);
    c.text += chunk;
    if (c.bytes > MAX_REQUEST_BYTES) {
      finish(c, protocolFailure(`The request is larger than ${MAX_REQUEST_BYTES / 1024} KiB.`), c.phase === 'sealed');
      return;
    }
    if (c.phase === 'first') {
      const start = c.text.trimStart();
      if (start.startsWith('{')) {
        // Parsed only when it could be whole: a client sending a byte at a time costs no more.
        const state = start.trimEnd().endsWith('}') ? jsonState(start) : 'partial';
        if (state === 'partial') arm(c);
        else serve(c, start, false); // whole, or broken before its end: the parser says what is wrong
        return;
      }
      const clientKey = start.length >= KEY_TEXT_LENGTH ? parsePublicKey(start.slice(0, KEY_TEXT_LENGTH)) : null;
      if (clientKey) {
        try {
          c.key = sharedKey(keys, clientKey);
        } catch {
          // X25519 refuses low-order points (e.g. 32 zero bytes): no key can be agreed on.
          finish(c, protocolFailure('The agent cannot agree on a key with that public key; send a freshly made NaCl public key.'), false);
          return;
        }
        c.phase = 'sealed';
        // Clients wait for the agent's key before they send more; what came early is kept.
        c.text = start.slice(KEY_TEXT_LENGTH).trimStart();
        c.bytes = Buffer.byteLength(c.text);
        c.socket.write(keys.publicKeyBase64);
        if (c.text) onData(c, '');
        else arm(c);
        return;
      }
      if (start.length >= KEY_TEXT_LENGTH) {
        finish(c, protocolFailure('The agent expected a JSON request or a NaCl public key.'), false);
        return;
      }
      arm(c);
      return;
    }
    const request = c.key ? openMessage(c.text, c.key) : null;
    if (request !== null) serve(c, request, true);
    else arm(c);
  };

  const onConnection = (socket: Socket): void => {
    if (open.size >= limits.maxConnections) {
      // Make room: an answered connection the client kept open goes first, else the one that has
      // been sending its request the longest.
      const rank = (c: Conn): number => (c.phase === 'done' ? 0 : 1);
      let oldest: Conn | undefined;
      for (const c of open) {
        if (c.phase === 'answering') continue;
        if (!oldest || rank(c) < rank(oldest) || (rank(c) === rank(oldest) && c.since < oldest.since)) oldest = c;
      }
      if (oldest) drop(oldest);
      else {
        socket.end(JSON.stringify({ ...protocolFailure('The agent is busy answering other scripts.'), code: 'LOCK_TIMEOUT', exit_code: 1, info: 'Try again in a moment.' }));
        return;
      }
    }
    const c: Conn = { socket, phase: 'first', text: '', bytes: 0, since: Date.now() };
    open.add(c);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      // Nothing a client sends may stop the agent (an exception here would end the process).
      try {
        onData(c, chunk);
      } catch (e) {
        opts.log?.(`the agent could not read a request: ${e instanceof Error ? e.message : String(e)}`);
        finish(c, protocolFailure('The agent could not read the request.'), false);
      }
    });
    socket.on('error', () => undefined); // a client that went away: nothing to do
    // The client shut its side (socat, `nc -N`, Node's `end(data)`): its answer still goes out
    // (the server is half-open), and a request cut short is answered now, as no more can come.
    socket.on('end', () => {
      if (c.phase !== 'first' && c.phase !== 'sealed') return;
      if (c.text.trim()) finish(c, protocolFailure('The request ended before it was complete.'), c.phase === 'sealed');
      else drop(c);
    });
    socket.on('close', () => {
      clearTimeout(c.timer);
      open.delete(c);
    });
    arm(c);
  };

  return {
    path: opts.path,
    connections: () => open.size,
    async listen() {
      // Half-open: a client's end is not ours; we end after the answer (finish).
      const s = createServer({ allowHalfOpen: true }, onConnection);
      s.maxConnections = limits.maxConnections * 4; // the kernel's backlog beyond our own limit
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.path, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.on('error', (e) => opts.log?.(`the agent's socket ${opts.path} failed: ${e.message}`));
      server = s;
      socketIno = lstatSync(opts.path).ino;
    },
    async close() {
      const s = server;
      server = undefined;
      for (const c of open) if (c.phase !== 'answering') drop(c);
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      // Another agent may have replaced the file since (a handover): only ours is removed.
      try {
        if (socketIno !== undefined && lstatSync(opts.path).ino === socketIno) unlinkSync(opts.path);
      } catch {
        // already gone
      }
    },
  };
}

/**
 * Whether `text` is one whole JSON value, the start of one (a request may come in pieces), or
 * already broken before its end (then waiting for more cannot help).
 */
function jsonState(text: string): 'whole' | 'partial' | 'broken' {
  try {
    JSON.parse(text);
    return 'whole';
  } catch (e) {
    return /end of (JSON|data)|Unterminated/i.test(e instanceof Error ? e.message : '') ? 'partial' : 'broken';
  }
}
