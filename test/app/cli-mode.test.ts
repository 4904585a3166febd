// The installed app's binary as the command line: which start is which (launch.ts), and one CLI run
// in the main process on the typed Electron stand-in (cli-mode.ts) — the real runCli, no window,
// no tray, no single-instance lock, Chromium's files apart from the tray app's, the exit code
// handed to app.exit(); and, on macOS, no refresh token or client secret out of the keychain.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headlessRelaunchArgs, launchMode, userArgs } from '../../src/main/app/launch.ts';
import { CLI_ELECTRON_FOLDER, MACOS_SECRET_REFUSAL, runCliMode, takesSecretOut } from '../../src/main/app/cli-mode.ts';
import { runCli, usage } from '../../src/main/cli/run-cli.ts';
import { COMMAND_NAMES } from '../../src/main/cli/command-names.ts';
import { HIDDEN_ARG } from '../../src/main/app/start-at-login.ts';
import type { Io } from '../../src/main/cli/output.ts';
import { createFakeElectron } from './fake-electron.ts';
import { APP_ROOT } from './harness.ts';

const VERSION = (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function capture(): Io & { out: string; err: string } {
  const io = { out: '', err: '', isTTY: false, stdout: (t: string) => { io.out += t; }, stderr: (t: string) => { io.err += t; } };
  return io;
}

describe('which start is which', () => {
  test('the launchers\' --cli, or a command, help or --version first: the command line; anything else: the tray app', () => {
    assert.deepEqual(launchMode(['--cli', 'status', '--json']), { mode: 'cli', args: ['status', '--json'] });
    assert.deepEqual(launchMode(['--cli']), { mode: 'cli', args: [] });
    assert.deepEqual(launchMode(['--ozone-platform=headless', '--disable-gpu', '--cli', 'token', 'x']), { mode: 'cli', args: ['token', 'x'] });
    // An AppImage runtime's or a person's Chromium switch before the command changes nothing.
    assert.deepEqual(launchMode(['--no-sandbox', 'status']), { mode: 'cli', args: ['status'] });
    for (const word of [...COMMAND_NAMES, 'help', '--help', '-h', '--version']) {
      assert.deepEqual(launchMode([word, 'more']), { mode: 'cli', args: [word, 'more'] }, word);
    }
    // The tray app: no arguments (a desktop entry, a double click), the login item's --hidden,
    // Chromium switches alone, macOS's -psn_ argument, a file a desktop hands over.
    for (const args of [[], [HIDDEN_ARG], ['--no-sandbox'], ['-psn_0_12345'], ['/home/me/file.txt'], ['statsu']]) {
      assert.deepEqual(launchMode(args), { mode: 'app' }, JSON.stringify(args));
    }
    // Past --cli everything is the command line's own, switches that look like Chromium's included.
    assert.deepEqual(launchMode(['--cli', '--no-sandbox']), { mode: 'cli', args: ['--no-sandbox'] });
  });

  test('the person\'s arguments come after the executable, or after `electron <app folder>` in development', () => {
    assert.deepEqual(userArgs(['/opt/openEO Auth Tray/openeo-auth-tray', 'status'], true), ['status']);
    assert.deepEqual(userArgs(['/usr/lib/electron/electron', '/work/app', 'status'], false), ['status']);
  });

  test('every command the CLI has is one the binary recognises (the two lists are one)', async () => {
    const help = await usage();
    const listed = [...help.matchAll(/^ {2}openeo-auth-tray ([a-z-]+)/gm)].map((m) => m[1]).filter((n) => n !== 'help' && !n!.startsWith('-'));
    assert.deepEqual(listed, [...COMMAND_NAMES]);
  });

  test('Linux without a display: a command line starts again with the headless switches, before Chromium looks for one', () => {
    const cli = launchMode(['status']);
    assert.deepEqual(headlessRelaunchArgs(cli, ['status'], {}, 'linux'), ['--ozone-platform=headless', '--disable-gpu', '--cli', 'status']);
    assert.equal(headlessRelaunchArgs(cli, ['status'], { DISPLAY: ':0' }, 'linux'), null);
    assert.equal(headlessRelaunchArgs(cli, ['status'], { WAYLAND_DISPLAY: 'wayland-0' }, 'linux'), null);
    const launched = ['--ozone-platform=headless', '--disable-gpu', '--cli', 'status'];
    assert.equal(headlessRelaunchArgs(launchMode(launched), launched, {}, 'linux'), null, 'the second start does not start a third');
    assert.equal(headlessRelaunchArgs(cli, ['status'], {}, 'darwin'), null);
    assert.equal(headlessRelaunchArgs(launchMode([]), [], {}, 'linux'), null, 'the tray app needs its display');
  });
});

describe('one command-line run in the app binary, on the stand-in', () => {
  const run = async (args: string[], platform: NodeJS.Platform = 'linux') => {
    const home = mkdtempSync(join(tmpdir(), 'oat-cli-mode-'));
    const fake = createFakeElectron({ appPath: APP_ROOT, platform });
    const io = capture();
    let flushed = 0;
    try {
      const env = { OPENEO_AUTH_TRAY_HOME: join(home, 'settings'), OPENEO_AUTH_TRAY_AGENT_DIR: join(home, 'agent') };
      const code = await runCliMode(fake.world.app, { args, env, platform, io, runCli, flush: async () => { flushed += 1; } });
      return { code, io, world: fake.world, home, flushed };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };

  test('--version: the real CLI answers, the code goes to app.exit after the output is flushed, and nothing of the tray app exists', async () => {
    const { code, io, world, home, flushed } = await run(['--version']);
    assert.equal(io.out, `openeo-auth-tray ${VERSION}\n`);
    assert.equal(code, 0);
    assert.equal(world.app.exitCode, 0);
    assert.equal(flushed, 1);
    assert.deepEqual([world.windows.length, world.trays.length, world.notifications.length], [0, 0, 0]);
    assert.equal(world.app.lockRequests, 0, 'no single-instance lock: it runs beside the tray app');
    assert.equal(world.app.readyCalled, false, 'it never waits for Electron to be ready');
    assert.equal(world.app.hardwareAccelerationDisabled, true);
    assert.equal(world.app.paths.get('userData'), join(home, 'settings', CLI_ELECTRON_FOLDER), 'Chromium\'s files apart from the tray app\'s (settings/electron)');
    assert.equal(world.app.logsPath, join(home, 'settings', 'logs'));
  });

  test('a command\'s exit code is the process\'s: an unknown command is 2, status with no logins 0 and an empty JSON list', async () => {
    const unknown = await run(['statsu']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.world.app.exitCode, 2);
    assert.match(unknown.io.err, /unknown command "statsu"/);
    const status = await run(['status', '--json']);
    assert.equal(status.code, 0, status.io.err);
    assert.deepEqual(JSON.parse(status.io.out), []);
  });

  test('macOS: export-python and exec --with-client-secret are refused, before the keychain is touched; elsewhere they run', async () => {
    assert.ok(takesSecretOut(['export-python', 'x']));
    assert.ok(takesSecretOut(['exec', 'x', '--with-client-secret', '--', 'env']));
    assert.ok(!takesSecretOut(['exec', 'x', '--', 'my-tool', '--with-client-secret']), 'the child\'s own arguments are not exec\'s');
    assert.ok(!takesSecretOut(['token', 'x']));
    const mac = await run(['export-python', 'nobody'], 'darwin');
    assert.equal(mac.code, 1);
    assert.equal(mac.world.app.exitCode, 1);
    assert.equal(mac.io.err, MACOS_SECRET_REFUSAL);
    const linux = await run(['export-python', 'nobody'], 'linux');
    assert.notEqual(linux.io.err, MACOS_SECRET_REFUSAL);
    assert.match(linux.io.err, /nobody/, 'on Linux the CLI itself answered (no such login)');
  });

  test('a CLI that throws still ends the process with a code and one line', async () => {
    const fake = createFakeElectron({ appPath: APP_ROOT, platform: 'linux' });
    const io = capture();
    const home = mkdtempSync(join(tmpdir(), 'oat-cli-mode-'));
    try {
      const code = await runCliMode(fake.world.app, {
        args: ['status'], env: { OPENEO_AUTH_TRAY_HOME: home }, platform: 'linux', io, flush: async () => undefined,
        runCli: () => Promise.reject(new Error('boom')),
      });
      assert.equal(code, 1);
      assert.equal(fake.world.app.exitCode, 1);
      assert.match(io.err, /^openeo-auth-tray: .*boom/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
