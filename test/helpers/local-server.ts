/**
 * Tiny node:http servers for the bad-input tests: each test says exactly how the peer misbehaves.
 * They bind a loopback address on port 0 and are closed by the test (`stop()` also drops
 * connections a "never answers" handler left open).
 */
import { after } from 'node:test';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

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

export interface LocalServerOptions {
  /** The host name in `url`; the server binds 127.0.0.1 either way. */
  name?: '127.0.0.1' | 'localhost';
}

/** Starts a server on a free loopback port; the caller stops it. */
export async function startLocalServer(handler: Handler, opts: LocalServerOptions = {}): Promise<LocalServer> {
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

/**
 * A `serve` for one test file: each call starts a server, and all of them stop after the file's
 * tests. Call it once at the top level of the file (it registers the `after` hook there).
 */
export function localServers(): (handler: Handler, opts?: LocalServerOptions) => Promise<LocalServer> {
  const servers: LocalServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  return async (handler, opts) => {
    const s = await startLocalServer(handler, opts);
    servers.push(s);
    return s;
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A server answering each path from a table; unknown paths get the openEO spec's 404 error. */
export function routes(table: Record<string, Handler>): Handler {
  return (req, res, server) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = table[path];
    if (route) route(req, res, server);
    else sendJson(res, 404, { code: 'NotFound', message: `Nothing at ${path}.` });
  };
}

/** A loopback port that was just free: bound then closed, so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
