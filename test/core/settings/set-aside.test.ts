/**
 * A settings file damaged in one login's entry (a hand edit): the app keeps every login it can
 * read, moves only the damaged entries to a file of their own, and says which; nothing is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleIdentity } from '../../helpers/sample-identity.ts';
import { startAppCore } from '../../helpers/app-core.ts';
import { createMemorySecretStore } from '../../helpers/memory-store.ts';

test('the app starts with the readable logins, sets the damaged one aside in a 0600 file, and tells the person which and how to get it back', async (t) => {
  const good = sampleIdentity({ id: 'good-000001', label: 'works' });
  const bad = { ...sampleIdentity({ id: 'bad-000002' }), label: 'alice\tat work' };
  const dup = sampleIdentity({ id: 'good-000001', label: 'a copy' });
  const h = await startAppCore({
    secrets: createMemorySecretStore(),
    prepare: (dir) => writeFileSync(join(dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings: { theme: 'dark' }, identities: [good, bad, dup] }), { mode: 0o600 }),
  });
  t.after(() => h.stop());
  assert.deepEqual(h.core.statuses().map((s) => s.id), ['good-000001']);
  const aside = readdirSync(h.dir).filter((n) => n.startsWith('settings.json.damaged-'));
  assert.equal(aside.length, 1);
  const file = join(h.dir, aside[0]!);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const kept = JSON.parse(readFileSync(file, 'utf8')) as { damaged: Array<{ where: string; entry: { id: string; label: string } }> };
  assert.deepEqual(kept.damaged.map((d) => [d.where, d.entry.id, d.entry.label]), [['identities[1]', 'bad-000002', 'alice\tat work'], ['identities[2]', 'good-000001', 'a copy']]);
  const settings = JSON.parse(readFileSync(join(h.dir, 'settings.json'), 'utf8')) as { settings: { theme: string } };
  assert.equal(settings.settings.theme, 'dark', 'the settings themselves are kept');
  const n = h.notifications.find((x) => /set aside/.test(x.title));
  assert.ok(n, 'the person is told');
  assert.match(n.title, /2 logins were set aside/);
  assert.match(n.body, /"alice at work", "a copy"/);
  assert.match(n.body, /doctor --adopt/);
  assert.ok(n.body.includes(file));
});
