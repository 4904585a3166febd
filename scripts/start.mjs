// `npm start`: build, then run the tray app in Electron from this folder.
//
// - The Electron binary: npm's `electron` package downloads it on first use; if it is missing and
//   cannot be downloaded, this says so in one sentence and exits non-zero.
// - keytar: the same native build serves the CLI (Node) and the app (Electron), because keytar 7
//   is an N-API module (ABI-stable across Node and Electron), so nothing is rebuilt here.
//   electron-builder rebuilds native modules for Electron itself when packaging (`npm run dist`).
// Arguments after `npm start --` go to the app (e.g. `--hidden` to start in the tray only).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function fail(sentence) {
  console.error(`npm start: ${sentence}`);
  process.exit(1);
}

const PLATFORM_EXECUTABLE = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe', linux: 'electron', freebsd: 'electron', openbsd: 'electron' };

/** The Electron executable, downloading it once if the package has not yet. Null when there is none. */
function electronBinary() {
  const pkgDir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkgDir, 'package.json'))) return { path: null, why: 'the electron package is not installed (run npm install)' };
  // As node_modules/electron/index.js finds it: path.txt names the executable inside dist/.
  const installed = () => {
    const pathFile = join(pkgDir, 'path.txt');
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : override ? PLATFORM_EXECUTABLE[process.platform] : null;
    if (!relative) return null;
    const binary = join(override || join(pkgDir, 'dist'), relative);
    return existsSync(binary) ? binary : null;
  };
  let binary = installed();
  if (!binary) {
    console.error('npm start: downloading the Electron binary (once)…');
    const download = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    binary = installed();
    if (!binary) {
      const reason = (download.stderr || '').split('\n').find((l) => /error|fail|ENOTFOUND|ECONN|ETIMEDOUT|40\d/i.test(l))?.trim();
      return { path: null, why: `the Electron ${require(join(pkgDir, 'package.json')).version} binary is not installed and could not be downloaded${reason ? ` (${reason})` : ''}` };
    }
  }
  return { path: binary, why: null };
}

/** keytar must have its native build; being N-API, that build also loads in Electron. */
function checkKeytar() {
  const keytarDir = join(root, 'node_modules', 'keytar');
  if (!existsSync(join(keytarDir, 'build', 'Release', 'keytar.node'))) {
    fail('keytar has no native build, so the app could not reach the keychain — run `npm rebuild keytar` (it needs libsecret-1-dev on Linux), then `npm start` again.');
  }
  const pkg = JSON.parse(readFileSync(join(keytarDir, 'package.json'), 'utf8'));
  if (!pkg.binary?.napi_versions) {
    console.error(`npm start: keytar ${pkg.version} is not an N-API build; if the keychain fails in the app, run \`npx electron-rebuild -w keytar\` (this rebuild is for Electron only).`);
  }
}

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) fail('the build failed (see above); nothing was started.');
if (!existsSync(join(root, 'dist', 'main', 'index.js'))) fail('the build made no dist/main/index.js; nothing was started.');
checkKeytar();

const electron = electronBinary();
if (!electron.path) {
  fail(`cannot start the tray app: ${electron.why} — on a machine that can reach github.com run \`npx install-electron\`, or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron of that version, then \`npm start\` again (the CLI, \`node dist/cli/openeo-auth-tray.cjs\`, works without Electron).`);
}

const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE; // would make Electron behave as plain Node
const child = spawn(electron.path, [root, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (e) => fail(`Electron could not be started: ${e.message}`));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
