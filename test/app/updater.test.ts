// The electron-updater adapter (src/main/app/updater.ts): how it sets electron-updater up (stable
// releases, downloaded at once, never installed on quit behind the person's back), what it makes
// of a check's result, how it loads the package (absent: no updater, said in the log). And its
// type against electron-updater's own .d.ts, wherever the package is installed: the app layer
// types it itself, so that a build without the package still type-checks and runs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronUpdaterPort, loadElectronUpdater, type ElectronAppUpdater } from '../../src/main/app/updater.ts';
import { APP_ROOT, recordingLogger } from './harness.ts';

function fakeUpdater(result: Awaited<ReturnType<ElectronAppUpdater['checkForUpdates']>>) {
  const calls: unknown[][] = [];
  const updater: ElectronAppUpdater = {
    autoDownload: false,
    autoInstallOnAppQuit: true,
    allowPrerelease: true,
    checkForUpdates: () => Promise.resolve(result),
    quitAndInstall: (...args) => {
      calls.push(args);
    },
  };
  return { updater, calls };
}

describe('electron-updater behind the core\'s port', () => {
  test('set up for stable releases, downloaded at once, installed only when the core says so', () => {
    const { updater } = fakeUpdater(null);
    electronUpdaterPort(updater);
    assert.deepEqual([updater.autoDownload, updater.autoInstallOnAppQuit, updater.allowPrerelease], [true, false, false]);
  });

  test('a check: nothing (no feed, or not newer) is null; a newer release is its version, its notes as text, and its download', async () => {
    assert.equal(await electronUpdaterPort(fakeUpdater(null).updater).check(), null);
    assert.equal(await electronUpdaterPort(fakeUpdater({ isUpdateAvailable: false, updateInfo: { version: '0.1.0' } }).updater).check(), null);
    let finish!: () => void;
    const download = new Promise<string[]>((resolve) => { finish = () => resolve(['/tmp/x.AppImage']); });
    const { updater, calls } = fakeUpdater({ isUpdateAvailable: true, updateInfo: { version: '0.2.0', releaseNotes: '<p>Faster &amp; safer</p>' }, downloadPromise: download });
    const port = electronUpdaterPort(updater);
    const found = await port.check();
    assert.ok(found);
    assert.equal(found.version, '0.2.0');
    assert.equal(found.notes, 'Faster & safer');
    let done = false;
    void found.downloaded.then(() => { done = true; });
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false, 'ready only when the download has finished');
    finish();
    await found.downloaded;
    port.quitAndInstall();
    assert.deepEqual(calls, [[false, true]], 'not silent; the new version starts after');
  });

  test('loading: the package\'s autoUpdater (named export or CommonJS default); without the package, null and one line in the log', async () => {
    const { updater } = fakeUpdater(null);
    const log = recordingLogger();
    assert.equal(await loadElectronUpdater(log, async () => ({ autoUpdater: updater })), updater);
    assert.equal(await loadElectronUpdater(log, async () => ({ default: { autoUpdater: updater } })), updater);
    assert.equal(await loadElectronUpdater(log, () => Promise.reject(new Error("Cannot find package 'electron-updater'"))), null);
    assert.ok(log.lines.some((l) => /electron-updater is not installed/.test(l)), log.lines.join('\n'));
  });
});

/** electron-updater where it is installed: the project's node_modules, or a folder named by the environment. */
const UPDATER_DIR = process.env.OPENEO_AUTH_TRAY_ELECTRON_UPDATER_DIR || join(APP_ROOT, 'node_modules', 'electron-updater');
const absent = existsSync(join(UPDATER_DIR, 'package.json')) ? null
  : 'electron-updater is not installed (npm install --save electron-updater); its types cannot be compared';

test('ElectronAppUpdater is a part of electron-updater\'s own AppUpdater (tsc, strict), and a wrong one is not', { skip: absent ?? false, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'oat-updater-types-'));
  try {
    const check = (ours: string): { ok: boolean; output: string } => {
      writeFileSync(join(dir, 'check.ts'), `import type { AppUpdater } from 'electron-updater';
${ours}
declare const real: AppUpdater;
const used: Ours = real;
void used;
`);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
          allowImportingTsExtensions: true, typeRoots: [join(APP_ROOT, 'node_modules/@types')], types: ['node'], baseUrl: '.', paths: { 'electron-updater': [UPDATER_DIR] },
        },
        files: ['check.ts'],
      }));
      const r = spawnSync(process.execPath, [join(APP_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
      return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
    };
    const right = check(`import type { ElectronAppUpdater as Ours } from ${JSON.stringify(join(APP_ROOT, 'src/main/app/updater.ts'))};`);
    assert.ok(right.ok, right.output);
    const wrong = check('type Ours = { checkForUpdates(): Promise<{ updateInfo: { version: number } } | null> };');
    assert.equal(wrong.ok, false, 'a type that differs from electron-updater\'s is refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
