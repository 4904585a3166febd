/**
 * Changes the settings file from a separate process, for tests of what two processes do to it.
 *
 *   node --import tsx test/helpers/settings-child.ts <dir> <scenario> [args...]
 *
 * Scenarios:
 *   upsert <prefix> <count>  adds <count> identities and appends to `shared`'s warningsSent each time
 *   try-write                 tries one change; prints {code} (or {code: null} when it worked)
 */
import { openSettingsStore } from '../../src/main/core/settings/store.ts';
import { isAuthTrayError } from '../../src/main/core/errors.ts';
import { sampleIdentity } from './sample-identity.ts';

const [dir, scenario, ...args] = process.argv.slice(2);
if (!dir || !scenario) throw new Error('usage: settings-child.ts <dir> <scenario> [args...]');

if (scenario === 'upsert') {
  const [prefix, count] = args;
  const store = openSettingsStore({ dir });
  for (let i = 0; i < Number(count); i++) {
    await store.upsertIdentity(sampleIdentity({ id: `${prefix}-${i}` }));
    await store.updateIdentity('shared', (current) => ({ warningsSent: [...current.warningsSent, current.warningsSent.length] }));
  }
} else if (scenario === 'try-write') {
  try {
    const store = openSettingsStore({ dir });
    await store.upsertIdentity(sampleIdentity({ id: 'added-by-child' }));
    process.stdout.write(JSON.stringify({ code: null }));
  } catch (e) {
    if (!isAuthTrayError(e)) throw e;
    process.stdout.write(JSON.stringify({ code: e.code, message: e.message }));
  }
} else {
  throw new Error(`unknown scenario ${scenario}`);
}
