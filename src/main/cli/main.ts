/**
 * `openeo-auth-tray`, the bin of the npm package and of a checkout (`npm link`): runs the command
 * line (run-cli.ts) under Node and exits with its code.
 */
import { processIo, quietOnClosedPipes, reportError } from './output.ts';
import { runCli } from './run-cli.ts';

// Run when executed directly (the bundled bin, or `tsx src/main/cli/main.ts`).
const entry = process.argv[1] ?? '';
if (/openeo-auth-tray(\.c?js)?$|cli[\\/]main\.ts$/.test(entry)) {
  quietOnClosedPipes();
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = reportError(e, processIo);
    },
  );
}
