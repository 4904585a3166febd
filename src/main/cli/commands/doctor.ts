/**
 * `doctor [--json] [--set-aside] [--adopt <id>] [--delete <id> --yes]`: what is wrong with the
 * settings file and the keychain, and the repairs for it. It lists keychain entries that belong to
 * no login (a damaged settings entry set aside, a lost file), takes a login back from what was set
 * aside (`--adopt`), or deletes such entries (`--delete`). It never shows a secret.
 */
import { spawnSync } from 'node:child_process';
import { parse, str, type CommandSpec } from '../args.ts';
import { openContext } from '../context.ts';
import { jsonText, plain, UsageError, type Io } from '../output.ts';
import { AuthTrayError } from '../../core/errors.ts';
import { DEFAULT_KEYCHAIN_SERVICE, HEALTH_ACCOUNT } from '../../core/keychain/keytar-store.ts';
import { findOrphans, type Orphan } from '../../core/session/orphans.ts';
import { readSettingsFile, settingsFilePath } from '../../core/settings/settings-file.ts';
import { secretKey } from '../../../shared/model.ts';

/**
 * The keychain's account names for our service. keytar's `findCredentials` crashes the process on
 * a locked keyring, so it runs in a child process that prints names only (never a secret).
 */
function keychainAccounts(): string[] {
  const script = process.argv[1];
  if (!script) throw new AuthTrayError('INTERNAL', 'Cannot tell where the openeo-auth-tray command is.');
  const r = spawnSync(process.execPath, [...process.execArgv, script, 'doctor', '--keychain-accounts'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 4 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new AuthTrayError('KEYCHAIN_UNAVAILABLE', 'The keychain\'s entries could not be listed (it may be locked).', { nextStep: 'Unlock your keyring and run `openeo-auth-tray doctor` again.' });
  }
  const parsed: unknown = JSON.parse(r.stdout);
  return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string' && a.length <= 256).slice(0, 10_000) : [];
}

async function printKeychainAccounts(io: Io): Promise<number> {
  const keytar = (await import('keytar')).default;
  // Proves the keychain answers (a locked one throws here instead of crashing below).
  await keytar.getPassword(DEFAULT_KEYCHAIN_SERVICE, HEALTH_ACCOUNT);
  const found = await keytar.findCredentials(DEFAULT_KEYCHAIN_SERVICE);
  io.stdout(JSON.stringify(found.map((c) => c.account)));
  return 0;
}

function describe(o: Orphan): string {
  const what = `${o.id} (${o.kinds.join(', ')})`;
  return o.rebuilt
    ? `${what}: can be taken back from ${o.from} as "${plain(o.rebuilt.label)}": openeo-auth-tray doctor --adopt ${o.id}`
    : `${what}: nothing to rebuild its login from; remove with: openeo-auth-tray doctor --delete ${o.id} --yes`;
}

export const spec: CommandSpec = {
  name: 'doctor',
  args: '',
  summary: 'Checks the settings file and the keychain: lists keychain entries that belong to no login (a damaged entry set aside, a lost file), takes such a login back or deletes its entries. Never shows a secret.',
  options: {
    json: { type: 'boolean', help: 'print the findings as JSON' },
    'set-aside': { type: 'boolean', help: 'move logins whose settings entries cannot be read to a file of their own; the others keep working' },
    adopt: { type: 'string', value: 'ID', help: 'take back a login from what was set aside (its text repaired)' },
    delete: { type: 'string', value: 'ID', help: 'delete the keychain entries of a login that is gone (with --yes)' },
    yes: { type: 'boolean', help: 'confirm --delete' },
    'keychain-accounts': { type: 'boolean', help: 'list the keychain\'s account names (doctor\'s own child process)', hidden: true },
  },
  maxPositionals: 0,
};

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, spec);
  if (values['keychain-accounts']) return printKeychainAccounts(io);
  const ctx = await openContext();
  const file = settingsFilePath(ctx.dir);
  const read = readSettingsFile(file);
  if (values['set-aside']) {
    if (read.state !== 'damaged' || !read.salvage) {
      io.stderr(read.state === 'damaged' ? `The settings file is damaged beyond single logins (${plain(read.problem)}); the app keeps it aside whole.\n` : 'Nothing to set aside: every login in the settings file can be read.\n');
      return read.state === 'damaged' ? 1 : 0;
    }
    const store = (await import('../../core/settings/direct-store.ts')).openDirectSettingsStore(ctx.dir);
    for (const a of store?.takeSetAside() ?? []) io.stderr(`Set aside ${plain(a.label ?? a.id ?? 'a login')} (${plain(a.problem)}) in ${a.file}; its secrets stay in the keychain.\n`);
    return 0;
  }
  if (read.state === 'damaged') {
    throw new AuthTrayError('SETTINGS_CORRUPT', `The settings file ${file} is damaged (${read.problem}).`, {
      nextStep: read.salvage ? 'Set the damaged logins aside first: openeo-auth-tray doctor --set-aside' : 'Start the app (it keeps the file aside), then run doctor again.',
    });
  }
  const known = ctx.identities.listIdentities();
  const health = await ctx.secrets.health();
  if (!health.ok) throw new AuthTrayError(health.reason === 'locked' ? 'KEYCHAIN_LOCKED' : 'KEYCHAIN_UNAVAILABLE', health.message, { nextStep: 'Unlock your keyring and run doctor again.' });
  const orphans = findOrphans(keychainAccounts(), known, ctx.dir);
  const adopt = str(values.adopt);
  const remove = str(values.delete);
  if (adopt !== undefined || remove !== undefined) {
    const id = (adopt ?? remove)!;
    const orphan = orphans.find((o) => o.id === id);
    if (!orphan) throw new UsageError(`"${plain(id, 64)}" has no keychain entries without a login (see \`openeo-auth-tray doctor\`)`);
    if (adopt !== undefined) {
      if (!orphan.rebuilt) throw new AuthTrayError('INVALID_ARGUMENT', `There is no set-aside entry for ${id} that can be read, even repaired.`, { nextStep: `Repair its entry in the set-aside file by hand and try again, or sign in anew and run: openeo-auth-tray doctor --delete ${id} --yes` });
      await ctx.identities.upsertIdentity(orphan.rebuilt);
      io.stderr(`Took back ${plain(orphan.rebuilt.label)} (${id}) from ${orphan.from}.\n`);
      return 0;
    }
    if (!values.yes) throw new UsageError(`--delete removes the keychain entries of ${id} for good; add --yes`);
    for (const kind of orphan.kinds) await ctx.secrets.delete(secretKey(id, kind));
    io.stderr(`Removed ${orphan.kinds.join(', ')} of ${id} from the keychain.\n`);
    return 0;
  }
  if (values.json) {
    io.stdout(`${jsonText({ settings: { file, logins: known.length }, keychain: 'ok', orphans: orphans.map((o) => ({ id: o.id, secrets: o.kinds, adoptable: o.rebuilt !== null, from: o.from, label: o.rebuilt?.label ?? null })) }, 2)}\n`);
    return 0;
  }
  io.stdout(`Settings file: ${file}, ${known.length} login${known.length === 1 ? '' : 's'}, readable.\nKeychain: answers.\n`);
  if (orphans.length === 0) io.stdout('Every keychain entry belongs to a login.\n');
  else {
    io.stdout('Keychain entries without a login:\n');
    for (const o of orphans) io.stdout(`  ${describe(o)}\n`);
  }
  return 0;
}
