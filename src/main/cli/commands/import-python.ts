/**
 * `import-python [--dir DIR] [--backend URL] [--yes]`: offers the refresh tokens in the openEO
 * Python client's store as identities. Checking a token spends it (rotating IdPs), so the import
 * takes it over and writes the rotated one straight back; it runs only with --yes.
 */
import { parse, str } from '../args.ts';
import { openContext } from '../context.ts';
import type { Io } from '../output.ts';
import { readRefreshTokenStore } from '../../core/python/refresh-token-store.ts';
import { IMPORT_TAKEOVER_NOTICE, importCandidates } from '../../core/python/sync.ts';
import { importFromPythonStore } from '../../core/session/import-python.ts';
import { toAuthTrayError } from '../../core/errors.ts';

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { dir: { type: 'string' }, backend: { type: 'string' }, yes: { type: 'boolean' } }, 0);
  const ctx = await openContext();
  const storePath = ctx.pythonStorePath(str(values.dir));
  const contents = await readRefreshTokenStore(storePath);
  const candidates = importCandidates(contents, ctx.identities.listIdentities());
  if (candidates.length === 0) {
    io.stderr(contents ? `Nothing new to import from ${storePath}.\n` : `The openEO Python client has no refresh-token store at ${storePath}.\n`);
    return 0;
  }
  io.stderr(`The openEO Python client's store (${storePath}) holds:\n`);
  for (const c of candidates) io.stderr(`  issuer ${c.issuer}  client ${c.clientId}  saved ${c.date || 'at an unknown time'}\n`);
  const backendUrl = str(values.backend);
  if (!backendUrl || !values.yes) {
    io.stderr(`${IMPORT_TAKEOVER_NOTICE}\nTo import, run: openeo-auth-tray import-python --backend <backend-url> --yes${values.dir ? ` --dir ${str(values.dir)}` : ''}\n`);
    return 0;
  }
  let failures = 0;
  for (const c of candidates) {
    try {
      const identity = await importFromPythonStore(ctx.service, { backendUrl, storePath, issuer: c.issuer, clientId: c.clientId });
      io.stderr(`Imported "${identity.label}" (id ${identity.id}${identity.userId ? `, user ${identity.userId}` : ''}); sync with the Python client is on.\n`);
    } catch (e) {
      failures++;
      io.stderr(`Could not import client ${c.clientId} at ${c.issuer}: ${toAuthTrayError(e).sentence}\n`);
    }
  }
  return failures ? 1 : 0;
}
