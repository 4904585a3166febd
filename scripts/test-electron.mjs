// `npm run test:electron`: the Playwright smoke test of the real app in Electron
// (test/e2e/electron.test.ts). Builds first, runs the test inside a private D-Bus session and
// keyring (scripts/with-private-keyring.sh), and hands the display through to the app (that
// script unsets DISPLAY for the keyring daemon's sake). On Linux without a display it uses
// `xvfb-run` when installed. Where the Electron binary is missing, the test reports SKIPPED.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const status = (r) => (r.status ?? 1);

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
if (status(build) !== 0) process.exit(status(build));

const testCommand = [
  join(root, 'scripts/with-private-keyring.sh'),
  process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec', 'test/e2e/electron.test.ts',
];
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const hasXvfb = process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;

let result;
if (process.platform === 'linux' && !hasDisplay && hasXvfb) {
  // xvfb-run sets DISPLAY for its child; pass it on under the name the test reads.
  const inner = 'OPENEO_AUTH_TRAY_E2E_DISPLAY="$DISPLAY" exec "$@"';
  result = spawnSync('xvfb-run', ['-a', 'sh', '-c', inner, 'sh', ...testCommand], { stdio: 'inherit', cwd: root });
} else {
  result = spawnSync(testCommand[0], testCommand.slice(1), {
    stdio: 'inherit',
    cwd: root,
    env: {
      ...process.env,
      OPENEO_AUTH_TRAY_E2E_DISPLAY: process.env.DISPLAY ?? '',
      OPENEO_AUTH_TRAY_E2E_WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY ?? '',
    },
  });
}
process.exit(status(result));
