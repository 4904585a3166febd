// The BUILT main process (dist/main/index.js, as `npm start` runs it) starts and quits under
// plain Node, with the typed stand-in served as 'electron': the bundle's wiring, its imports from
// 'electron', and the native keytar load are exercised without the Electron binary. The app's
// keychain is a private one (scripts/with-private-keyring.sh), never the user's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INVOKE_CHANNELS } from '../../src/shared/channels.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundle = join(root, 'dist/main/index.js');

function newestSource(dir: string): number {
  return Math.max(...readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
}

test('the built main process starts, opens its first window, builds the tray, and quits cleanly', { timeout: 60_000 }, () => {
  let built: number;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    assert.fail('dist/main/index.js is missing: run `npm run build` first (npm test does)');
  }
  assert.ok(built >= newestSource(join(root, 'src/main/app')), 'dist/main is older than src/main/app: run `npm run build` first');

  const home = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-bundle-'));
  try {
    const run = spawnSync(join(root, 'scripts/with-private-keyring.sh'), [
      process.execPath, '--import', 'tsx', '--import', './test/app/bundle/resolve-electron.ts', bundle,
    ], {
      cwd: root,
      encoding: 'utf8',
      timeout: 45_000,
      // Its own agent folder: the app serves the token agent, and no other test may meet its socket.
      env: { ...process.env, OPENEO_AUTH_TRAY_HOME: join(home, 'settings'), XDG_CONFIG_HOME: join(home, 'config'), OPENEO_AUTH_TRAY_AGENT_DIR: join(home, 'agent') },
    });
    assert.equal(run.status, 0, `exit ${run.status} ${run.signal ?? ''}\n${run.stderr}`);
    const seen = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
      trayMenu: string[]; tooltip: string; channels: string[]; listenerChannels: string[]; userData: string;
      windows: Array<{ url: string; webPreferences: Record<string, unknown> }>;
      page: { status: number; csp: string; html: string } | null;
      schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>;
      agentSocket: string | null;
    };
    assert.ok(seen.trayMenu.includes('Add account…'), seen.trayMenu.join(' | '));
    assert.equal(seen.tooltip, 'No openEO accounts yet');
    assert.deepEqual(seen.channels, [...INVOKE_CHANNELS].sort());
    // electron-store's own ipcMain listener was removed once the store existed.
    assert.deepEqual(seen.listenerChannels, []);
    assert.equal(seen.userData, join(home, 'settings', 'electron'));
    assert.equal(seen.windows.length, 1, 'first start opens the window');
    assert.equal(seen.windows[0]?.url, 'app://openeo-auth-tray/index.html', 'the page comes from the app\'s own scheme, not file://');
    assert.deepEqual(seen.schemes, [{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    assert.equal(seen.page?.status, 200, 'the built page is served on the scheme');
    assert.match(seen.page?.html ?? '', /<!doctype html>/i);
    assert.match(seen.page?.csp ?? '', /frame-ancestors 'none'/);
    assert.equal(seen.windows[0]?.webPreferences.sandbox, true);
    assert.equal(seen.windows[0]?.webPreferences.contextIsolation, true);
    assert.equal(seen.windows[0]?.webPreferences.preload, join(root, 'dist/preload/preload.cjs'));

    assert.equal(seen.agentSocket, join(home, 'agent', 'agent.sock'), 'the app serves the token agent in its folder');

    const log = readFileSync(join(home, 'settings', 'logs', 'tray.log'), 'utf8');
    assert.match(log, /INFO the token agent listens at /);
    assert.match(log, /INFO openEO Auth Tray is running\./);
    assert.match(log, /INFO Quitting: stopping every timer\./);
    assert.doesNotMatch(log, /ERROR/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('the built main process started as the command line runs it and exits with its code, before any window or tray', { timeout: 60_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-bundle-cli-'));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  try {
    const run = (args: string[]) => spawnSync(join(root, 'scripts/with-private-keyring.sh'), [
      process.execPath, '--import', 'tsx', '--import', './test/app/bundle/resolve-electron.ts', bundle, ...args,
    ], { cwd: root, encoding: 'utf8', timeout: 45_000, env: { ...process.env, OPENEO_AUTH_TRAY_HOME: join(home, 'settings'), OPENEO_AUTH_TRAY_AGENT_DIR: join(home, 'agent'), DISPLAY: ':0' } });
    const v = run(['--cli', '--version']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `openeo-auth-tray ${version}\n`, 'nothing but the CLI\'s answer: no tray report from the stand-in');
    const status = run(['status', '--json']);
    assert.equal(status.status, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), []);
    assert.equal(run(['--cli', 'statsu']).status, 2);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
