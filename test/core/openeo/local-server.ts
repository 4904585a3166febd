/**
 * Tiny node:http servers for the bad-input tests: each test says exactly how the peer misbehaves.
 * They bind a loopback address on port 0 and are closed by the test (`stop()` also drops
 * connections a "never answers" handler left open).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthTrayError, type ErrorCode } from '../../../src/main/core/errors.ts';

export interface Hit {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` (or `http://localhost:<port>` when started with host 'localhost'). */
  url: string;
  port: number;
  hits: Hit[];
  stop(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, server: LocalServer) => void;

export async function startLocalServer(handler: Handler, opts: { name?: '127.0.0.1' | 'localhost' } = {}): Promise<LocalServer> {
  const hits: Hit[] = [];
  let self: LocalServer | undefined;
  const server = createServer((req, res) => {
    hits.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorization: req.headers.authorization });
    if (self) handler(req, res, self);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  self = {
    url: `http://${opts.name ?? '127.0.0.1'}:${port}`,
    port,
    hits,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return self;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A server answering each path from a table; unknown paths get the spec's 404 error. */
export function routes(table: Record<string, (req: IncomingMessage, res: ServerResponse, server: LocalServer) => void>): Handler {
  return (req, res, server) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = table[path];
    if (route) route(req, res, server);
    else sendJson(res, 404, { code: 'NotFound', message: `Nothing at ${path}.` });
  };
}

/** Capabilities as a 1.2 backend sends them. */
export function capabilitiesBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_version: '1.2.0',
    backend_version: '9.9.9',
    stac_version: '1.0.0',
    id: 'tiny',
    title: 'Tiny backend',
    description: 'test',
    endpoints: [{ path: '/credentials/oidc', methods: ['GET'] }, { path: '/me', methods: ['get'] }],
    links: [],
    ...extra,
  };
}

/** Asserts `promise` rejects with an AuthTrayError of `code`, and returns it for more checks. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<AuthTrayError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (e) {
    outcome = e;
  }
  return checkError(outcome, code);
}

/** Synchronous twin of {@link rejectsWith}. */
export function throwsWith(fn: () => unknown, code: ErrorCode): AuthTrayError {
  let outcome: unknown;
  try {
    fn();
  } catch (e) {
    outcome = e;
  }
  return checkError(outcome, code);
}

function checkError(outcome: unknown, code: ErrorCode): AuthTrayError {
  if (outcome === undefined) throw new Error(`expected an AuthTrayError ${code}, but nothing was thrown`);
  if (!(outcome instanceof AuthTrayError)) throw new Error(`expected an AuthTrayError ${code}, got: ${String(outcome)}`, { cause: outcome });
  if (outcome.code !== code) throw new Error(`expected code ${code}, got ${outcome.code}: ${outcome.message}`, { cause: outcome });
  return outcome;
}
