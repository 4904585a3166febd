// Runs the CLI's `token` path from dist/cli (or $OPENEO_AUTH_TRAY_BENCH_CLI_DIR) in phases and prints, as JSON on stdout, the time
// (performance.now(), ms since the process started) at the end of each phase. Run with plain
// `node` in the bench's environment; the token itself is not printed.
import { pathToFileURL } from 'node:url';

const marks = [['node start-up (to the first line of a script)', performance.now()]];
const mark = (label) => marks.push([label, performance.now()]);
const cliDir = process.env.OPENEO_AUTH_TRAY_BENCH_CLI_DIR
  ? pathToFileURL(`${process.env.OPENEO_AUTH_TRAY_BENCH_CLI_DIR}/`)
  : new URL('../../dist/cli/', import.meta.url);

process.argv[1] = '/bench-probe'; // the entry runs the CLI only when started as openeo-auth-tray
const { runCli } = await import(new URL('openeo-auth-tray.cjs', cliDir).href);
mark('CLI bundle (one CommonJS file, loaded here through import(): slower than the real CLI\'s require)');
const keytar = (await import('keytar')).default;
mark('import keytar (native addon: libsecret, glib, gio)');
await keytar.getPassword('openeo-auth-tray', '__health__');
mark('first keychain call (D-Bus session connect + Secret Service lookup)');
let printed = '';
const code = await runCli(['token'], { stdout: (t) => (printed += t), stderr: (t) => process.stderr.write(t), isTTY: false });
if (code !== 0 || printed.length < 20) process.exit(1);
mark('run(token): read + check settings, keychain get, print');
process.stdout.write(JSON.stringify(marks));
