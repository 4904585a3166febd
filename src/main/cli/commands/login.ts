/**
 * `login <backend-url>`: device login (default), browser login, or a service account.
 * Human output goes to stderr; with --json, one JSON object per line on stdout.
 */
import { parse, str, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { EXIT, iso, jsonText, plain, UsageError, type Io } from '../output.ts';
import { openInBrowser } from '../open-browser.ts';
import { addServiceAccount, browserIdentityLogin, startDeviceIdentityLogin, type LoginRequest } from '../../core/session/login.ts';
import type { Identity, LoginFlow } from '../../../shared/model.ts';

const FLOWS: LoginFlow[] = ['device', 'browser', 'client-credentials'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const spec: CommandSpec = {
  name: 'login',
  args: '<backend-url>',
  summary: 'Signs in at an openEO backend: device code (default; a code to enter on any device), the browser on this computer, or a service account\'s client credentials. The tokens go to the OS keychain.',
  options: {
    provider: { type: 'string', value: 'ID', help: 'the backend\'s login provider (default: its first, or OPENEO_AUTH_PROVIDER_ID)' },
    'client-id': { type: 'string', value: 'ID', help: 'the OAuth client (default: the provider\'s default client; needed for a service account)' },
    flow: { type: 'string', value: 'device|browser|client-credentials', help: 'how to sign in (default device)' },
    label: { type: 'string', value: 'TEXT', help: 'the login\'s name (default from the backend\'s title)' },
    json: { type: 'boolean', help: 'one JSON object per event on stdout' },
    'no-browser': { type: 'boolean', help: 'do not open a browser; print the address' },
    'client-secret-stdin': { type: 'boolean', help: 'read a service account\'s secret from stdin (else OPENEO_AUTH_CLIENT_SECRET; never an argument)' },
  },
  maxPositionals: 1,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, spec);
  const backendUrl = positionals[0];
  if (!backendUrl) throw new UsageError('login needs a backend URL, e.g. openeo.dataspace.copernicus.eu');
  const flow = (str(values.flow) ?? 'device') as LoginFlow;
  if (!FLOWS.includes(flow)) throw new UsageError(`--flow must be one of ${FLOWS.join(', ')}`);
  const json = values.json === true;
  const noBrowser = values['no-browser'] === true;
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error('Cancelled with Ctrl+C'));
  process.once('SIGINT', onSigint);
  const req: LoginRequest = {
    backendUrl,
    signal: abort.signal,
    ...(str(values.provider) ? { providerId: str(values.provider)! } : {}),
    ...(str(values['client-id']) ? { clientId: str(values['client-id'])! } : {}),
    ...(str(values.label) ? { label: str(values.label)! } : {}),
  };
  try {
    const ctx = await openContext();
    let identity: Identity;
    if (flow === 'client-credentials') {
      if (!req.clientId) throw new UsageError('a service account needs --client-id');
      const secret = values['client-secret-stdin'] ? await readStdin() : process.env.OPENEO_AUTH_CLIENT_SECRET;
      if (!secret) throw new UsageError('give the client secret in OPENEO_AUTH_CLIENT_SECRET or on stdin with --client-secret-stdin (never as an argument)');
      io.stderr('Checking the client credentials…\n');
      identity = await addServiceAccount(ctx, { ...req, clientId: req.clientId, clientSecret: secret });
    } else if (flow === 'browser') {
      identity = await browserIdentityLogin(ctx, {
        ...req,
        openBrowser: (url) => {
          if (json) io.stdout(`${jsonText({ event: 'authorization_url', url })}\n`);
          const opened = !noBrowser && openInBrowser(url);
          io.stderr(opened ? `Opened your browser to sign in. If nothing happened, visit:\n  ${plain(url)}\n` : `Visit this URL to sign in:\n  ${plain(url)}\n`);
        },
      });
    } else {
      identity = await deviceLogin(ctx, req, io, json, noBrowser);
    }
    const done = {
      event: 'authenticated',
      identity: identity.id,
      label: identity.label,
      kind: identity.kind,
      backend: identity.backendUrl,
      provider: identity.providerId,
      user_id: identity.userId ?? null,
      access_token_expires_at: iso(identity.accessTokenExpiresAt),
      refresh_token_expires_at: identity.refreshTokenExpiry.kind === 'at' ? iso(identity.refreshTokenExpiry.at) : null,
    };
    if (json) io.stdout(`${jsonText(done)}\n`);
    io.stderr(`Authorized successfully: "${plain(identity.label)}" (id ${identity.id}${identity.userId ? `, user ${plain(identity.userId)}` : ''}).\n`);
    return EXIT.ok;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function deviceLogin(ctx: Awaited<ReturnType<typeof openContext>>, req: LoginRequest, io: Io, json: boolean, noBrowser: boolean): Promise<Identity> {
  const handle = await startDeviceIdentityLogin(ctx, req);
  const a = handle.authorization;
  const now = ctx.clock.now();
  if (json) {
    io.stdout(`${jsonText({
      event: 'device_authorization',
      verification_uri: a.verificationUri,
      verification_uri_complete: a.verificationUriComplete,
      user_code: a.userCode,
      expires_in: Math.max(0, Math.round((a.expiresAt - now) / 1000)),
      interval: a.interval,
      ...(a.warning ? { warning: a.warning } : {}),
    })}\n`);
  }
  io.stderr(a.verificationUriComplete
    ? `Visit ${plain(a.verificationUriComplete)} to authenticate.\nUser code: ${plain(a.userCode)}\n`
    : `Visit ${plain(a.verificationUri)} and enter user code '${plain(a.userCode)}' to authenticate.\n`);
  if (a.warning) io.stderr(`Warning: ${plain(a.warning)}\n`);
  if (!noBrowser) openInBrowser(a.verificationUriComplete ?? a.verificationUri);
  // A countdown on a terminal; scripts (no TTY) get no control characters.
  let countdown: ReturnType<typeof setInterval> | undefined;
  if (io.isTTY && !json) {
    countdown = setInterval(() => {
      const left = Math.max(0, Math.round((a.expiresAt - ctx.clock.now()) / 1000));
      io.stderr(`\r  waiting for approval… the code expires in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} `);
    }, 1000);
  }
  try {
    return await handle.done;
  } finally {
    if (countdown) {
      clearInterval(countdown);
      io.stderr('\n');
    }
  }
}
