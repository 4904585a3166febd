/**
 * `export-python <id> [--dir DIR] [--sync|--no-sync]`: writes the identity's refresh token into the
 * openEO Python client's store (mode 0600, atomic, other entries kept).
 */
import { dirname, resolve } from 'node:path';
import { parse, str, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { UsageError, type Io } from '../output.ts';
import { resolveIdentity } from '../../core/session/identity-records.ts';
import { signInAgainStep } from '../../core/session/token-service.ts';
import { exportRefreshToken } from '../../core/session/python-store-sync.ts';
import { SHARING_NOTICE } from '../../core/python/sync-policy.ts';
import { AuthTrayError } from '../../core/errors.ts';
import { secretKey } from '../../../shared/model.ts';
import { writeRefreshToken } from '../../core/python/refresh-token-store.ts';

export const spec: CommandSpec = {
  name: 'export-python',
  args: '<id>',
  summary: 'Writes the login\'s refresh token into the openEO Python client\'s store (refresh-tokens.json, mode 0600; other entries kept), for scripts that use the client\'s own refresh. Sharing a rotating refresh token can end the login for both sides: the bridge (openeo_auth_tray) needs none of this.',
  options: {
    dir: { type: 'string', value: 'DIR', help: 'write the store in DIR instead of the Python client\'s own folder' },
    sync: { type: 'boolean', help: 'keep the store in step from now on (each rotated token is written back)' },
    'no-sync': { type: 'boolean', help: 'write once; do not keep it in step' },
  },
  maxPositionals: 1,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, spec);
  if (!positionals[0]) throw new UsageError('export-python needs the id or label of a login');
  const ctx = await openContext();
  const identity = resolveIdentity(ctx.identities.listIdentities(), positionals[0]);
  if (identity.kind !== 'personal') {
    throw new AuthTrayError('INVALID_ARGUMENT', `"${identity.label}" is a service account; it has no refresh token to share.`, {
      nextStep: `Use \`openeo-auth-tray exec ${identity.id} -- <command>\` to give a script its client credentials.`,
    });
  }
  const storePath = await ctx.pythonStorePath(str(values.dir));
  // The sync (here and in the tray) follows the Python client's own store only; an identity does
  // not remember another file, so a copy elsewhere cannot be kept in step and must not be marked so.
  const followedPath = await ctx.pythonStorePath();
  const followed = resolve(storePath) === resolve(followedPath);
  if (!followed && values.sync === true) {
    throw new UsageError(`--sync keeps only the Python client's own store in step (${followedPath}), not ${storePath}; `
      + `export there without --sync, or run this app and your scripts with OPENEO_CONFIG_HOME=${dirname(storePath)}`);
  }
  // A plain re-export keeps an identity's sync as it was; only --no-sync turns it off.
  const keepInSync = followed && (values['no-sync'] ? false : values.sync === true || ctx.settings().pythonSync || identity.pythonSync?.enabled === true);
  // Under the refresh lock: a refresh running elsewhere must not rotate the token mid-export.
  await ctx.tokens.underRefreshLock(identity.id, async () => {
    const refreshToken = await ctx.secrets.get(secretKey(identity.id, 'refresh_token'));
    if (!refreshToken) {
      throw new AuthTrayError('SECRET_MISSING', `"${identity.label}" has no refresh token in the keychain.`, {
        nextStep: signInAgainStep(identity),
      });
    }
    if (followed) await exportRefreshToken(ctx.pythonSyncDeps(storePath), ctx.tokens.identity(identity.id), refreshToken, keepInSync);
    else await writeRefreshToken(storePath, identity.issuer, identity.clientId, refreshToken, ctx.clock.now());
  });
  io.stderr(`Wrote the refresh token of "${identity.label}" to ${storePath} (issuer ${identity.issuer}, client ${identity.clientId}).\n`);
  io.stderr(`${SHARING_NOTICE}\n`);
  io.stderr(keepInSync
    ? 'Sync is on: this app adopts tokens the Python client saves and writes back the ones it rotates.\n'
    : followed
      ? 'Sync is off: run export-python again after this app refreshes, or use --sync.\n'
      : `This copy is not kept in sync (the app follows ${followedPath}): run export-python again after this app refreshes.\n`);
  return 0;
}
