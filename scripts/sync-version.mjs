// The version's one source is package.json. This writes it where Python reads it
// (python/openeo_auth_tray/_version.py, which the wheel's metadata takes through pyproject's
// `dynamic` version). `npm version` runs it (the "version" script); `--check` only compares and
// exits 1 when they differ (test/ci/one-version.test.ts runs the same comparison).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const VERSION_FILE = `${root}python/openeo_auth_tray/_version.py`;

/** The file's text for a version. */
export function versionFileText(version) {
  return `# Written by scripts/sync-version.mjs from package.json, the one source of the version (npm version
# runs it); test/ci/one-version.test.ts fails when the two differ. Do not edit by hand.
__version__ = ${JSON.stringify(version)}
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  const want = versionFileText(version);
  const have = readFileSync(VERSION_FILE, 'utf8');
  if (process.argv.includes('--check')) {
    if (have !== want) {
      console.error(`sync-version: ${VERSION_FILE} does not say ${version}; run node scripts/sync-version.mjs`);
      process.exit(1);
    }
  } else if (have !== want) {
    writeFileSync(VERSION_FILE, want);
    console.error(`sync-version: ${VERSION_FILE} now says ${version}`);
  }
}
