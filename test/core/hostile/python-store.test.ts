/**
 * Hostile input: the openEO Python client's `refresh-tokens.json`, which any program of the user
 * can write. Reading it gives the store or PYTHON_STORE_INVALID and never changes the file;
 * writing keeps whatever client id a backend lists, even `__proto__`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { getStoredRefreshToken, readRefreshTokenStore, writeRefreshToken } from '../../../src/main/core/python/refresh-token-store.ts';
import { clearRegisteredSecrets, redact, registerSecret } from '../../../src/shared/redact.ts';
import {
  FILE_RUNS,
  PROTO_KEYS,
  SECRET_SLOT,
  assertNoPollution,
  assertTypedFailure,
  documentOf,
  hostileString,
  hostileValue,
  plantSecret,
  pollutionPayload,
  secretToken,
} from '../../helpers/arbitraries.ts';

const posix = process.platform !== 'win32';
let root: string;
before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'hostile-pystore-'));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const key = fc.oneof(fc.constantFrom('https://idp.example/realms/CDSE', 'openeo-client', ...PROTO_KEYS, SECRET_SLOT, 'toString', ''), hostileString);
const entry = documentOf({ refresh_token: fc.oneof({ weight: 4, arbitrary: fc.constant(SECRET_SLOT) }, { weight: 1, arbitrary: hostileString }), date: fc.constant('2025-05-06T07:08:09Z') });
const storeShaped = fc.dictionary(key, fc.oneof({ weight: 5, arbitrary: fc.dictionary(key, fc.oneof({ weight: 6, arbitrary: entry }, { weight: 1, arbitrary: hostileValue }), { maxKeys: 3 }) }, { weight: 1, arbitrary: hostileValue }), { maxKeys: 3 });

/** The file's bytes: JSON of a store-shaped object (own `__proto__` keys kept), or anything. */
const fileBytes = fc.oneof(
  { weight: 6, arbitrary: storeShaped.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.tuple(storeShaped, pollutionPayload).map(([o, p]) => JSON.stringify({ ...p, ...o }).replace(/^\{/, '{"__proto__":{"https://x":{"c":{"refresh_token":"injected-0001"}}},')) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom('', '\ufeff{}', '{}', '[]', 'null', '"text"', '{"a":', '['.repeat(100_000), '{"a":'.repeat(20_000)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b).toString('latin1')) },
);

let n = 0;

test('readRefreshTokenStore: the store or PYTHON_STORE_INVALID; the file is never changed', { timeout: 120_000 }, async (t) => {
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(fileBytes, secretToken, fc.constantFrom(0o600, 0o600, 0o600, 0o644, 0o400), async (template, secret, mode) => {
      clearRegisteredSecrets();
      registerSecret(secret);
      const file = path.join(root, `store-${++n}.json`);
      const bytes = Buffer.from(plantSecret(template, secret) as string, 'utf8');
      await fs.writeFile(file, bytes, { mode });
      await fs.chmod(file, mode);
      const before = await fs.stat(file);
      try {
        const contents = await readRefreshTokenStore(file);
        accepted++;
        assert.ok(!posix || (mode & 0o077) === 0, `a file with mode ${mode.toString(8)} was accepted`);
        assert.ok(contents !== null && typeof contents === 'object' && !Array.isArray(contents));
        for (const clients of Object.values(contents)) {
          assert.ok(typeof clients === 'object' && clients !== null && !Array.isArray(clients));
          for (const e of Object.values(clients)) {
            assert.equal(typeof e.refresh_token, 'string');
            assert.ok(e.date === undefined || typeof e.date === 'string');
            // Every token in the store is a secret from now on.
            if (e.refresh_token.length >= 8) assert.ok(!redact(e.refresh_token).includes(e.refresh_token), 'refresh token not registered');
          }
        }
      } catch (e) {
        assertTypedFailure(e, ['PYTHON_STORE_INVALID'], secret);
      }
      const after = await fs.stat(file);
      assert.deepEqual(await fs.readFile(file), bytes, 'the file was changed');
      assert.equal(after.mtimeMs, before.mtimeMs, 'the file was touched');
      assert.equal(after.mode, before.mode, 'the mode was changed');
      assertNoPollution();
      await fs.rm(file);
    }),
    { numRuns: FILE_RUNS, plugins: [fc.timeout(10_000)] },
  );
  t.diagnostic(`${accepted} accepted, ${FILE_RUNS - accepted} refused`);
  assert.ok(accepted > FILE_RUNS / 10, `only ${accepted} files were accepted`);
});

test('writeRefreshToken keeps the entry for any client id a backend lists, even "__proto__"', { timeout: 60_000 }, async () => {
  const clientId = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS, 'toString', 'hasOwnProperty', '__defineGetter__') }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) });
  await fc.assert(
    fc.asyncProperty(clientId, fc.constantFrom('https://idp.example/realms/CDSE', 'https://idp.example/'), async (id, issuer) => {
      const file = path.join(root, `write-${++n}`, 'refresh-tokens.json');
      // Written before and after another client: the entry must survive the next read-modify-write too.
      await writeRefreshToken(file, issuer, 'first-client', 'refresh-token-first-01', 1_700_000_000_000);
      await writeRefreshToken(file, issuer, id, 'refresh-token-value-01', 1_700_000_000_000);
      if (id !== 'other-client') await writeRefreshToken(file, issuer, 'other-client', 'refresh-token-other-01', 1_700_000_000_000);
      const contents = await readRefreshTokenStore(file);
      assert.equal(getStoredRefreshToken(contents, issuer, id)?.refreshToken, 'refresh-token-value-01', `entry for client "${id}" lost`);
      if (id !== 'other-client') assert.equal(getStoredRefreshToken(contents, issuer, 'other-client')?.refreshToken, 'refresh-token-other-01');
      if (id !== 'first-client') assert.equal(getStoredRefreshToken(contents, issuer, 'first-client')?.refreshToken, 'refresh-token-first-01');
      assertNoPollution();
    }),
    { numRuns: 50, plugins: [fc.timeout(10_000)] },
  );
});

const STORE_MODULE = fileURLToPath(new URL('../../../src/main/core/python/refresh-token-store.ts', import.meta.url));

test('readRefreshTokenStore: a FIFO, a device or a folder in its place is PYTHON_STORE_INVALID, without blocking', { skip: !posix && 'no FIFOs' }, async () => {
  const cases: Array<[string, (file: string) => Promise<unknown>]> = [
    ['fifo', async (file) => assert.equal(spawnSync('mkfifo', ['-m', '600', file]).status, 0, 'mkfifo failed')],
    ['device', (file) => fs.symlink('/dev/zero', file)],
    ['folder', (file) => fs.mkdir(file, { mode: 0o700 })],
  ];
  for (const [name, make] of cases) {
    const file = path.join(root, `special-${name}.json`);
    await make(file);
    // In a child with a deadline: an open() blocked on a FIFO would keep this process from ever exiting.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `import { readRefreshTokenStore } from ${JSON.stringify(STORE_MODULE)};
       try { await readRefreshTokenStore(${JSON.stringify(file)}); console.log('READ'); } catch (e) { console.log(e.code); }`,
    ], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.signal, null, `reading a store ${name} did not return within 20 s`);
    assert.equal(child.stdout.trim(), 'PYTHON_STORE_INVALID', `${name}: ${child.stdout}${child.stderr}`);
  }
});
