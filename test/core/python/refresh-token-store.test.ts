import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  getStoredRefreshToken,
  pythonStoreDate,
  readRefreshTokenStore,
  removeRefreshToken,
  writeRefreshToken,
} from '../../../src/main/core/python/refresh-token-store.ts';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';

const STORE_MODULE = fileURLToPath(new URL('../../../src/main/core/python/refresh-token-store.ts', import.meta.url));
const ISSUER = 'https://idp.example/realms/CDSE';
const NOW = Date.UTC(2025, 4, 6, 7, 8, 9, 123);
const posix = process.platform !== 'win32';

let root: string;
before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'pystore-'));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

let n = 0;
async function freshDir(): Promise<string> {
  const dir = path.join(root, `case-${++n}`);
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

const modeOf = async (p: string) => (await fs.stat(p)).mode & 0o777;

/** Reads the store like the openEO Python client (assert_private_file, json.load, deep_get). */
const PYTHON_READER = `
import json, stat, sys
p, issuer, client = sys.argv[1], sys.argv[2], sys.argv[3]
mode = __import__('os').stat(p).st_mode
if (mode & stat.S_IRWXG) or (mode & stat.S_IRWXO):
    raise PermissionError("readable by others")
with open(p, "r", encoding="utf8") as f:
    data = json.load(f)
print(json.dumps({"token": data.get(issuer.rstrip("/") or "/", {}).get(client, {}).get("refresh_token"), "keys": sorted(data.keys())}))
`;
const hasPython = spawnSync('python3', ['-c', 'import json'], { encoding: 'utf8' }).status === 0;

describe('export to the Python client store', () => {
  test('writes by the Python client\'s rules and keeps every other entry', async () => {
    const dir = path.join(await freshDir(), 'new', 'openeo-python-client');
    const store = path.join(dir, 'refresh-tokens.json');
    await writeRefreshToken(store, `${ISSUER}/`, 'openeo-client', 'RT-one', NOW);
    if (posix) {
      assert.equal(await modeOf(store), 0o600);
      assert.equal(await modeOf(dir), 0o700);
    }
    const parsed = JSON.parse(await fs.readFile(store, 'utf8'));
    assert.deepEqual(parsed, { [ISSUER]: { 'openeo-client': { date: '2025-05-06T07:08:09Z', refresh_token: 'RT-one' } } });
    assert.equal(pythonStoreDate(NOW), '2025-05-06T07:08:09Z');

    // Other issuers, other clients and unknown fields survive; the target entry is replaced.
    const seeded = {
      'https://other.example': { c1: { date: '2024-01-01T00:00:00Z', refresh_token: 'OTHER', note: 'kept' } },
      [ISSUER]: { 'openeo-client': parsed[ISSUER]['openeo-client'], 'second-client': { date: '2024-02-02T00:00:00Z', refresh_token: 'SECOND' } },
    };
    await fs.writeFile(store, JSON.stringify(seeded, null, 2), { mode: 0o600 });
    await writeRefreshToken(store, ISSUER, 'openeo-client', 'RT-two', NOW + 1000);
    const after = await readRefreshTokenStore(store);
    assert.deepEqual(after?.['https://other.example'], seeded['https://other.example']);
    assert.deepEqual(after?.[ISSUER]?.['second-client'], seeded[ISSUER]['second-client']);
    assert.deepEqual(getStoredRefreshToken(after, `${ISSUER}//`, 'openeo-client'), { refreshToken: 'RT-two', date: '2025-05-06T07:08:10Z' });
    assert.equal(getStoredRefreshToken(after, ISSUER, 'unknown'), null);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['refresh-tokens.json'], 'temp or lock files left behind');
  });

  test('the Python client reads back what was written', { skip: hasPython ? false : 'python3 is not installed' }, async () => {
    const store = path.join(await freshDir(), 'refresh-tokens.json');
    await writeRefreshToken(store, `${ISSUER}/`, 'openeo-client', 'RT-py', NOW);
    const r = spawnSync('python3', ['-c', PYTHON_READER, store, ISSUER, 'openeo-client'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { token: 'RT-py', keys: [ISSUER] });
  });

  test('non-ASCII is escaped like Python\'s json.dump (ensure_ascii)', async () => {
    const store = path.join(await freshDir(), 'refresh-tokens.json');
    await writeRefreshToken(store, 'https://idp.example/réalm', 'clïent', 'RT', NOW);
    const text = await fs.readFile(store, 'utf8');
    assert.ok(text.includes('r\\u00e9alm') && text.includes('cl\\u00efent'), text);
    assert.ok(getStoredRefreshToken(await readRefreshTokenStore(store), 'https://idp.example/réalm', 'clïent'));
  });

  test('a symlinked store is written through, the link stays', { skip: posix ? false : 'POSIX only' }, async () => {
    const dir = await freshDir();
    const real = path.join(dir, 'real.json');
    const link = path.join(dir, 'refresh-tokens.json');
    await fs.writeFile(real, '{}', { mode: 0o600 });
    await fs.symlink(real, link);
    await writeRefreshToken(link, ISSUER, 'c', 'RT', NOW);
    assert.ok((await fs.lstat(link)).isSymbolicLink());
    assert.equal(getStoredRefreshToken(await readRefreshTokenStore(real), ISSUER, 'c')?.refreshToken, 'RT');
  });

  test('removeRefreshToken drops only that entry and creates nothing when absent', async () => {
    const dir = await freshDir();
    const store = path.join(dir, 'refresh-tokens.json');
    assert.equal(await removeRefreshToken(store, ISSUER, 'c'), false);
    await assert.rejects(fs.access(store), 'a missing store was created by a removal');
    await writeRefreshToken(store, ISSUER, 'c', 'RT-c', NOW);
    await writeRefreshToken(store, ISSUER, 'd', 'RT-d', NOW);
    await writeRefreshToken(store, 'https://x.example', 'c', 'RT-x', NOW);
    assert.equal(await removeRefreshToken(store, `${ISSUER}/`, 'c'), true);
    assert.equal(await removeRefreshToken(store, ISSUER, 'c'), false);
    assert.equal(await removeRefreshToken(store, ISSUER, 'toString'), false, 'an inherited property was taken for an entry');
    assert.equal(getStoredRefreshToken(await readRefreshTokenStore(store), ISSUER, 'toString'), null);
    assert.equal(await removeRefreshToken(store, ISSUER, 'd'), true);
    assert.deepEqual(await readRefreshTokenStore(store), {
      'https://x.example': { c: { date: pythonStoreDate(NOW), refresh_token: 'RT-x' } },
    });
  });

  test('absent store reads as null', async () => {
    assert.equal(await readRefreshTokenStore(path.join(await freshDir(), 'nope.json')), null);
  });
});

describe('concurrent exports', () => {
  test('two processes × 20 writes (different client ids) keep every entry and valid JSON throughout', async () => {
    const dir = await freshDir();
    const store = path.join(dir, 'refresh-tokens.json');
    await fs.writeFile(store, JSON.stringify({ 'https://keep.example': { k: { date: '2024-01-01T00:00:00Z', refresh_token: 'KEEP' } } }), { mode: 0o600 });
    const child = (prefix: string) =>
      new Promise<void>((resolve, reject) => {
        const code = `
          const { writeRefreshToken } = await import(${JSON.stringify(pathToFileURL(STORE_MODULE).href)});
          for (let i = 0; i < 20; i++) await writeRefreshToken(process.argv[1], ${JSON.stringify(ISSUER)}, '${prefix}-' + i, 'RT-${prefix}-' + i, Date.now());
        `;
        const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, store], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('error', reject);
        p.on('close', (c) => (c === 0 ? resolve() : reject(new Error(`writer ${prefix} exited ${c}: ${err}`))));
      });

    // A reader in this process must never see a half-written file.
    let done = false;
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        const contents = await readRefreshTokenStore(store);
        assert.ok(contents?.['https://keep.example']?.['k'], 'an entry vanished during the writes');
        reads++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    try {
      await Promise.all([child('A'), child('B')]);
    } finally {
      done = true;
      await reader;
    }
    assert.ok(reads > 0);
    const final = await readRefreshTokenStore(store);
    const clients = Object.keys(final?.[ISSUER] ?? {}).sort();
    const expected = ['A', 'B'].flatMap((p) => Array.from({ length: 20 }, (_, i) => `${p}-${i}`)).sort();
    assert.deepEqual(clients, expected);
    assert.equal(final?.[ISSUER]?.['B-7']?.refresh_token, 'RT-B-7');
    assert.ok(final?.['https://keep.example']);
    if (posix) assert.equal(await modeOf(store), 0o600);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['refresh-tokens.json'], 'temp or lock files left behind');
  });
});

describe('bad store files are refused and left byte-identical', () => {
  const cases: Array<{ name: string; content: string; mode: number; expect: RegExp; posixOnly?: boolean }> = [
    { name: 'bad JSON', content: '{"https://idp": {"c": {"refresh_token": "SECRET-IN-BROKEN-FILE-0123456789"', mode: 0o600, expect: /not valid JSON/ },
    { name: 'array root', content: '[{"refresh_token": "x"}]', mode: 0o600, expect: /top level is not an object/ },
    { name: 'entry without a refresh token', content: '{"https://idp": {"c": {"date": "2024-01-01T00:00:00Z"}}}', mode: 0o600, expect: /no refresh_token/ },
    { name: 'issuer value not an object', content: '{"https://idp": "oops"}', mode: 0o600, expect: /"https:\/\/idp" is not an object/ },
    { name: 'empty file', content: '', mode: 0o600, expect: /not valid JSON/ },
    { name: 'readable by others (0644)', content: '{"https://idp": {"c": {"date": "2024-01-01T00:00:00Z", "refresh_token": "R"}}}', mode: 0o644, expect: /chmod 600/, posixOnly: true },
    { name: 'group-writable (0620)', content: '{}', mode: 0o620, expect: /mode 620/, posixOnly: true },
  ];
  for (const c of cases) {
    test(c.name, { skip: c.posixOnly && !posix ? 'POSIX permissions only' : false }, async () => {
      const dir = await freshDir();
      const store = path.join(dir, 'refresh-tokens.json');
      await fs.writeFile(store, c.content);
      await fs.chmod(store, c.mode);
      const bytes = await fs.readFile(store);
      const stat = await fs.stat(store);

      const check = (e: unknown): boolean => {
        assert.ok(isAuthTrayError(e, 'PYTHON_STORE_INVALID'), `wrong error: ${String(e)}`);
        assert.match(e.sentence, c.expect);
        assert.ok(e.sentence.includes(store), 'the message must name the file');
        assert.ok(!e.sentence.includes('SECRET-IN-BROKEN-FILE'), 'the message quoted the file content');
        if (c.mode === 0o644) assert.ok(e.message.includes(`chmod 600 ${store}`), e.message);
        return true;
      };
      await assert.rejects(readRefreshTokenStore(store), check);
      await assert.rejects(writeRefreshToken(store, 'https://idp', 'c', 'NEW', NOW), check);
      await assert.rejects(removeRefreshToken(store, 'https://idp', 'c'), check);

      assert.ok((await fs.readFile(store)).equals(bytes), 'the bad file was changed');
      const after = await fs.stat(store);
      assert.equal(after.mode, stat.mode, 'permissions were changed');
      assert.equal(after.mtimeMs, stat.mtimeMs);
      assert.deepEqual(await fs.readdir(dir), ['refresh-tokens.json'], 'temp or lock files left behind');
    });
  }
});
