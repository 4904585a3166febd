// The `openeo-auth-tray` launchers as scripts, run by dash (/bin/sh here) and bash against a
// stand-in for the app's binary that records what it was given: every argument arrives as it was
// typed (spaces, quotes, globs, `$`, empty, a line break), after `--cli` (and on Linux the
// headless switches); the exit code, stdin and stdout are the binary's; a moved AppImage or app
// says so. Then "Install command line tool…" as the app does it: the AppImage's into ~/.local/bin,
// macOS's through the command the administrator prompt runs (run here with sh, as root).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_FLAG, LAUNCHER_MARK, LINUX_HEADLESS_SWITCHES, launcherTarget, posixLauncher, shellQuote, WINDOWS_LAUNCHER } from '../../../src/main/core/command-line/launchers.ts';
import {
  adminInstallCommand, commandLineHow, commandLinePlan, commandLineState, installCommandLine, launcherFor, MACOS_DESTINATION, osascriptArgs, type CommandLinePlan,
} from '../../../src/main/core/command-line/install.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SHELLS = ['/bin/sh', '/bin/bash'].filter((s) => existsSync(s));
/** Arguments a person or a script may pass; each must arrive unchanged. */
const AWKWARD = ['status', '--json', 'two words', "it's", '"quoted"', '$HOME', '`id`', '*', '', 'line\nbreak', '--', '-x', 'ümlaut'];

let dir: string;
let standIn: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'oat-launchers-'));
  // A folder name a shell would split or expand if quoted wrongly.
  const appDir = join(dir, "My Apps", "it's $here");
  mkdirSync(appDir, { recursive: true });
  standIn = join(appDir, 'openEO Auth Tray.AppImage');
  writeFileSync(standIn, '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$STANDIN_ARGS"\ncat > "$STANDIN_STDIN"\necho "stand-in stdout"\nexit "${STANDIN_EXIT:-0}"\n');
  chmodSync(standIn, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function runLauncher(shell: string, launcher: string, args: string[], opts: { exit?: number; stdin?: string } = {}) {
  const argsFile = join(dir, `args-${Math.random().toString(36).slice(2)}`);
  const stdinFile = `${argsFile}.stdin`;
  const r = spawnSync(shell, [launcher, ...args], {
    encoding: 'utf8',
    input: opts.stdin ?? '',
    env: { PATH: '/usr/bin:/bin', STANDIN_ARGS: argsFile, STANDIN_STDIN: stdinFile, ...(opts.exit === undefined ? {} : { STANDIN_EXIT: String(opts.exit) }) },
  });
  const got = existsSync(argsFile) ? readFileSync(argsFile, 'utf8').split('\0').slice(0, -1) : null;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, args: got, stdin: existsSync(stdinFile) ? readFileSync(stdinFile, 'utf8') : null };
}

describe('the launchers, run against a stand-in binary', () => {
  for (const platform of ['linux', 'darwin'] as const) {
    for (const shell of SHELLS) {
      test(`${platform}, by ${shell}: every argument arrives as typed, after ${platform === 'linux' ? 'the headless switches and ' : ''}--cli; exit code, stdin and stdout are the binary's`, () => {
        const launcher = join(dir, `launcher-${platform}`);
        writeFileSync(launcher, posixLauncher({ target: standIn, platform, whenGone: 'gone' }), { mode: 0o755 });
        const r = runLauncher(shell, launcher, AWKWARD, { exit: 3, stdin: 'from the pipe\n' });
        const expected = [...(platform === 'linux' ? LINUX_HEADLESS_SWITCHES : []), CLI_FLAG, ...AWKWARD];
        assert.deepEqual(r.args, expected, r.stderr);
        assert.equal(r.status, 3);
        assert.equal(r.stdin, 'from the pipe\n');
        assert.equal(r.stdout, 'stand-in stdout\n');
        const none = runLauncher(shell, launcher, []);
        assert.deepEqual(none.args, expected.slice(0, expected.length - AWKWARD.length), 'no arguments: the CLI prints its usage');
        assert.equal(none.status, 0);
      });
    }
  }

  test('a target that is gone (the AppImage moved): exit 127 and what to do, and nothing else runs', () => {
    const launcher = join(dir, 'launcher-gone');
    writeFileSync(launcher, posixLauncher({ target: join(dir, 'moved away.AppImage'), platform: 'linux', whenGone: 'it is gone; install the command again.' }), { mode: 0o755 });
    const r = runLauncher('/bin/sh', launcher, ['status']);
    assert.equal(r.status, 127);
    assert.equal(r.stderr, 'openeo-auth-tray: it is gone; install the command again.\n');
    assert.equal(r.args, null);
  });

  test('a launcher names its target so that the app recognises its own (quotes and all), and only its own', () => {
    const text = posixLauncher({ target: standIn, platform: 'linux', whenGone: 'x' });
    assert.equal(text.split('\n')[1], LAUNCHER_MARK);
    assert.equal(launcherTarget(text), standIn);
    assert.equal(launcherTarget('#!/bin/sh\nexec /usr/bin/something "$@"\n'), null);
    assert.equal(shellQuote("it's"), "'it'\\''s'");
  });

  test('Windows: bin\\openeo-auth-tray.cmd in the installer is the launcher the code describes (CRLF, --cli, %*, the exit code)', () => {
    const shipped = readFileSync(join(ROOT, 'assets/windows/openeo-auth-tray.cmd'), 'utf8');
    assert.equal(shipped, WINDOWS_LAUNCHER);
    assert.match(shipped, /^@echo off\r\n/);
    assert.match(shipped, /^"%~dp0\.\.\\openeo-auth-tray\.exe" --cli %\*\r$/m);
    assert.match(shipped, /^exit \/b %ERRORLEVEL%\r$/m);
  });
});

describe('"Install command line tool…"', () => {
  const context = (over: Partial<Parameters<typeof commandLinePlan>[0]>) => ({
    platform: 'linux' as NodeJS.Platform, env: {}, execPath: '/opt/openEO Auth Tray/openeo-auth-tray', isPackaged: true, home: join(dir, 'home'), ...over,
  });

  test('offered for the AppImage and on macOS; not for the .deb, Windows or a development run, which say where the command is', () => {
    const appImage = commandLinePlan(context({ env: { APPIMAGE: standIn, PATH: `/usr/bin:${join(dir, 'home', '.local', 'bin')}/` } }));
    assert.deepEqual(appImage, { kind: 'appimage', target: standIn, destination: join(dir, 'home', '.local', 'bin', 'openeo-auth-tray'), onPath: true });
    assert.equal(commandLinePlan(context({ env: { APPIMAGE: standIn, PATH: '/usr/bin' } }))?.onPath, false);
    assert.deepEqual(commandLinePlan(context({ platform: 'darwin', execPath: '/Applications/openEO Auth Tray.app/Contents/MacOS/openeo-auth-tray', env: { PATH: '/usr/local/bin:/usr/bin' } })), {
      kind: 'macos', target: '/Applications/openEO Auth Tray.app/Contents/MacOS/openeo-auth-tray', destination: MACOS_DESTINATION, onPath: true,
    });
    assert.equal(commandLinePlan(context({})), null, 'the .deb: /usr/bin/openeo-auth-tray is its own');
    assert.match(commandLineHow(context({})), /\/usr\/bin\/openeo-auth-tray/);
    assert.equal(commandLinePlan(context({ platform: 'win32' })), null);
    assert.match(commandLineHow(context({ platform: 'win32' })), /PATH/);
    assert.equal(commandLinePlan(context({ isPackaged: false, env: { APPIMAGE: standIn } })), null);
    assert.match(commandLineHow(context({ isPackaged: false })), /npm link/);
    assert.equal(commandLinePlan(context({ env: { APPIMAGE: 'relative.AppImage' } })), null);
  });

  test('the AppImage: a launcher in ~/.local/bin that runs $APPIMAGE; recognised as installed, outdated when the AppImage moves, other when not ours', async () => {
    const plan = commandLinePlan(context({ env: { APPIMAGE: standIn, PATH: '/usr/bin' } }))!;
    assert.equal(await commandLineState(plan), 'missing');
    await installCommandLine(plan, { run: () => Promise.reject(new Error('nothing to run for the AppImage')), tmpdir: dir });
    assert.equal(statSync(plan.destination).mode & 0o777, 0o755);
    assert.equal(await commandLineState(plan), 'installed');
    const r = runLauncher('/bin/sh', plan.destination, ['token', '--json']);
    assert.deepEqual(r.args, [...LINUX_HEADLESS_SWITCHES, '--cli', 'token', '--json']);
    assert.equal(await commandLineState({ ...plan, target: join(dir, 'elsewhere.AppImage') }), 'outdated');
    writeFileSync(plan.destination, '#!/bin/sh\necho mine\n');
    assert.equal(await commandLineState(plan), 'other');
    await installCommandLine(plan, { run: () => Promise.reject(new Error('unused')), tmpdir: dir });
    assert.equal(await commandLineState(plan), 'installed', 'installing again replaces it');
  });

  test('macOS: the command the administrator prompt runs installs the launcher 0755 and removes the prepared copy, paths quoted', async () => {
    const destination = join(dir, 'usr local', "bin's", 'openeo-auth-tray');
    const plan: CommandLinePlan = { kind: 'macos', target: standIn, destination, onPath: false };
    const ran: string[][] = [];
    await installCommandLine(plan, {
      tmpdir: dir,
      // osascript's part, done here: read the AppleScript string back and run it with sh (as root).
      run: async (file, args) => {
        ran.push([file, ...args]);
        const script = /^do shell script "((?:[^"\\]|\\.)*)" with administrator privileges$/.exec(args[1] ?? '');
        assert.ok(script, args[1]);
        const shell = script[1]!.replace(/\\(.)/g, '$1');
        const r = spawnSync('/bin/sh', ['-c', shell], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(r.stderr);
      },
    });
    assert.equal(ran.length, 1);
    assert.equal(ran[0]![0], '/usr/bin/osascript');
    assert.equal(statSync(destination).mode & 0o777, 0o755);
    assert.equal(readFileSync(destination, 'utf8'), launcherFor(plan));
    assert.equal(await commandLineState(plan), 'installed');
    assert.deepEqual(runLauncher('/bin/sh', destination, ['status']).args, ['--cli', 'status'], 'macOS: no Linux switches');
    const prepared = /install -m 0755 '([^']+)'/.exec(adminInstallCommand('/tmp/x', destination))?.[1];
    assert.equal(prepared, '/tmp/x');
  });

  test('macOS: a cancelled administrator prompt is a failure, and nothing is written', async () => {
    const destination = join(dir, 'cancelled', 'openeo-auth-tray');
    const plan: CommandLinePlan = { kind: 'macos', target: standIn, destination, onPath: true };
    await assert.rejects(installCommandLine(plan, { tmpdir: dir, run: () => Promise.reject(new Error('User canceled. (-128)')) }), /User canceled/);
    assert.equal(existsSync(destination), false);
  });

  test('the AppleScript string carries any path: quotes and backslashes escaped', () => {
    const [flag, script] = osascriptArgs(`install 'a"b\\c' '/usr/local/bin/x'`);
    assert.equal(flag, '-e');
    assert.equal(script, 'do shell script "install \'a\\"b\\\\c\' \'/usr/local/bin/x\'" with administrator privileges');
  });
});
