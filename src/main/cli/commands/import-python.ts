/**
 * `import-python [--dir DIR] [--backend URL] [--yes]`: offers the refresh tokens in the openEO
 * Python client's store as identities. Checking a token spends it (rotating IdPs), so the import
 * takes it over and writes the rotated one straight back; it runs only with --yes.
 */
import { dirname, resolve } from 'node:path';
import { parse, str, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { plain, UsageError, type Io } from '../output.ts';
import { readRefreshTokenStore } from '../../core/python/refresh-token-store.ts';
import { IMPORT_TAKEOVER_NOTICE, importCandidates } from '../../core/python/sync-policy.ts';
import { importFromPythonStore } from '../../core/session/import-python.ts';
import { isAuthTrayError, toAuthTrayError } from '../../core/errors.ts';

export const spec: CommandSpec = {
  name: 'import-python',
  args: '',
  summary: 'Lists the refresh tokens in the openEO Python client\'s store and, with --backend and --yes, takes one over as a login (checking it spends it: the rotated one is written straight back, and the two are kept in step).',
  options: {
    dir: { type: 'string', value: 'DIR', help: 'read the store in DIR instead of the Python client\'s own folder' },
    backend: { type: 'string', value: 'URL', help: 'the openEO backend the login is for' },
    yes: { type: 'boolean', help: 'do the import' },
  },
  maxPositionals: 0,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, spec);
  const ctx = await openContext();
  const storePath = await ctx.pythonStorePath(str(values.dir));
  const contents = await readRefreshTokenStore(storePath);
  const candidates = importCandidates(contents, ctx.identities.listIdentities());
  if (candidates.length === 0) {
    io.stderr(contents ? `Nothing new to import from ${storePath}.\n` : `The openEO Python client has no refresh-token store at ${storePath}.\n`);
    return 0;
  }
  io.stderr(`The openEO Python client's store (${storePath}) holds:\n`);
  // The store is a file other programs write: its keys and dates are shown as plain text only.
  for (const c of candidates) io.stderr(`  issuer ${plain(c.issuer, 300)}  client ${plain(c.clientId, 200)}  saved ${plain(c.date, 64) || 'at an unknown time'}\n`);
  const backendUrl = str(values.backend);
  if (!backendUrl || !values.yes) {
    io.stderr(`${IMPORT_TAKEOVER_NOTICE}\nTo import, run: openeo-auth-tray import-python --backend <backend-url> --yes${values.dir ? ` --dir ${str(values.dir)}` : ''}\n`);
    return 0;
  }
  // An import turns sync on, and the sync follows only the Python client's own store: importing
  // from another file would leave that file with a token this app spends behind its back.
  const followedPath = await ctx.pythonStorePath();
  if (resolve(storePath) !== resolve(followedPath)) {
    throw new UsageError(`importing keeps the store in sync, and this app follows ${followedPath}, not ${storePath}; `
      + `run this app and your scripts with OPENEO_CONFIG_HOME=${dirname(storePath)} to use that store`);
  }
  let imported = 0;
  let failures = 0;
  for (const c of candidates) {
    try {
      const identity = await importFromPythonStore(ctx, { backendUrl, storePath, issuer: c.issuer, clientId: c.clientId });
      imported++;
      io.stderr(`Imported "${plain(identity.label)}" (id ${identity.id}${identity.userId ? `, user ${plain(identity.userId)}` : ''}); sync with the Python client is on.\n`);
    } catch (e) {
      // A login of another backend's provider is not this backend's to import: skipped, untouched.
      if (isAuthTrayError(e, 'UNKNOWN_PROVIDER')) {
        io.stderr(`Skipped client ${plain(c.clientId, 200)} at ${plain(c.issuer, 300)}: not a login provider of ${backendUrl}.\n`);
        continue;
      }
      failures++;
      io.stderr(`Could not import client ${plain(c.clientId, 200)} at ${plain(c.issuer, 300)}: ${toAuthTrayError(e).sentence}\n`);
    }
  }
  if (imported === 0 && failures === 0) {
    io.stderr(`None of these logins belongs to ${backendUrl}; name the backend whose provider has that issuer.\n`);
    return 1;
  }
  return failures ? 1 : 0;
}
