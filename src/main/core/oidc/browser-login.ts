/**
 * Authorization code + PKCE with a loopback redirect (RFC 8252): a one-shot listener on
 * http://127.0.0.1:<free port>/callback that checks `state`, exchanges the code, shows the
 * browser a small page, and is closed in every outcome.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { AuthTrayError } from '../errors.ts';
import type { TokenSet } from '../../../shared/model.ts';
import { systemClock, type Clock } from '../ports.ts';
import { registerSecret } from '../../../shared/redact.ts';
import { loginCancelled, oidcError } from './errors.ts';
import { configurationFor, type IssuerConnection } from './issuer.ts';
import { failurePage, successPage } from './login-pages.ts';
import { tokenSetFromResponse } from './token-facts.ts';

export const DEFAULT_BROWSER_LOGIN_TIMEOUT_MS = 5 * 60_000;

export interface BrowserLoginOptions {
  scopes: string[];
  /** Opens the authorization URL in the user's browser (the app uses shell.openExternal). */
  openBrowser: (url: string) => void | Promise<void>;
  signal?: AbortSignal;
  /** Default 5 minutes; then LOGIN_TIMEOUT. */
  timeoutMs?: number;
  clock?: Clock;
}

/**
 * Runs a browser sign-in and resolves with the tokens. Rejects with AuthTrayError:
 * LOGIN_REFUSED (denied at the IdP; an answer with another state is refused on its own page and
 * does not end the sign-in),
 * LOGIN_CANCELLED (signal), LOGIN_TIMEOUT, IDP_UNREACHABLE, IDP_ERROR, IDP_INVALID_RESPONSE.
 */
export async function browserLogin(conn: IssuerConnection, opts: BrowserLoginOptions): Promise<TokenSet> {
  if (opts.signal?.aborted) throw loginCancelled(opts.signal.reason);
  const clock = opts.clock ?? systemClock;
  const config = configurationFor(conn, opts.signal);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  registerSecret(verifier);

  const server = createServer();
  await listen(server);
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Set by the first real answer (or the end of the login): later callbacks are turned away. */
  let answered = false;
  let onAbort: (() => void) | undefined;
  try {
    const authorizationUrl = authorizationUrlFor(conn, config, {
      redirect_uri: redirectUri,
      scope: opts.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    return await new Promise<TokenSet>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: { tokens: TokenSet } | { error: AuthTrayError }) => {
        if (settled) return;
        settled = true;
        answered = true;
        if ('tokens' in outcome) resolve(outcome.tokens);
        else reject(outcome.error);
      };
      onAbort = () => settle({ error: loginCancelled(opts.signal?.reason) });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timeoutMs = opts.timeoutMs ?? DEFAULT_BROWSER_LOGIN_TIMEOUT_MS;
      timer = setTimeout(() => settle({ error: loginTimedOut(timeoutMs) }), timeoutMs);

      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        handleRequest(req, res).then(
          (outcome) => { if (outcome) settle(outcome); },
          (e: unknown) => settle({ error: oidcError(e, 'browser-login', conn.issuer) }),
        );
      });

      Promise.resolve()
        .then(() => opts.openBrowser(authorizationUrl.href))
        .catch((e: unknown) => settle({ error: browserDidNotOpen(e) }));
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    await close(server);
  }

  /** Answers one request to the listener; returns the login's outcome when it was the callback. */
  async function handleRequest(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      void send(res, 404, failurePage('Not found', 'This address only receives the answer of a sign-in.'));
      return undefined;
    }
    const params = url.searchParams;
    if (answered) {
      void send(res, 410, failurePage('This sign-in is over', 'Go back to openEO Auth Tray and start the sign-in again if needed.'));
      return undefined;
    }
    if (!params.has('code') && !params.has('error')) {
      void send(res, 400, failurePage('Nothing to do here', 'This address only receives the answer of a sign-in.'));
      return undefined;
    }
    if (params.get('state') !== state) {
      // Anyone on this computer (or a page the browser visits) can call the listener; only the
      // answer carrying our state may end the sign-in, so a forged one is turned away and the
      // real one is still awaited.
      void send(res, 400, failurePage('Sign-in refused',
        'This answer does not belong to the sign-in under way, so it was refused for safety. Finish the sign-in in the page openEO Auth Tray opened.'));
      return undefined;
    }
    answered = true;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedState: state });
      const tokenSet = tokenSetFromResponse(tokens, clock.now());
      await send(res, 200, successPage());
      return { tokens: tokenSet };
    } catch (e) {
      const error = opts.signal?.aborted ? loginCancelled(e) : oidcError(e, 'browser-login', conn.issuer);
      await send(res, 400, failurePage('Sign-in failed', `${error.message} ${error.nextStep ?? ''}`.trim()));
      return { error };
    }
  }
}

function authorizationUrlFor(conn: IssuerConnection, config: oidc.Configuration, parameters: Record<string, string>): URL {
  try {
    return oidc.buildAuthorizationUrl(config, parameters);
  } catch (e) {
    throw oidcError(e, 'browser-login', conn.issuer);
  }
}

function loginTimedOut(timeoutMs: number): AuthTrayError {
  const minutes = Math.max(1, Math.round(timeoutMs / 60_000));
  return new AuthTrayError('LOGIN_TIMEOUT',
    `The sign-in in the browser was not finished within ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    { nextStep: 'Start the sign-in again and finish it in the browser window that opens.' });
}

function browserDidNotOpen(cause: unknown): AuthTrayError {
  return new AuthTrayError('INTERNAL', 'The browser could not be opened for the sign-in.', {
    cause,
    nextStep: 'Open your default browser once, or use the device code sign-in instead.',
  });
}

/** Sends a page; resolves once it is handed to the OS, so closing the listener cannot cut it off. */
function send(res: ServerResponse, status: number, html: string): Promise<void> {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  return new Promise((resolve) => res.end(html, () => resolve()));
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new AuthTrayError('INTERNAL',
      'Could not open a local port to receive the sign-in answer.', { cause: e, nextStep: 'Use the device code sign-in instead.' })));
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

/** Closes the listener and any connection a browser kept open, so the port is free at once. */
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
