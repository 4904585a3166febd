// What needs which Node (the README's "Node versions" says it in words):
// - the CLI, the core, the build (esbuild), the tests and the npm tarball: Node >= 20.19 (package.json
//   `engines`; the CLI loads conf, an ES module, through require(esm), which 20.19 brought);
// - Electron's own download and packaging tools, devDependencies used only by `npm start` and
//   `npm run dist`: they declare Node >= 22.12, so on Node 20 npm prints an EBADENGINE warning for
//   each of them (5 packages, 25 lines). They are harmless there: nothing runs them on `npm install`
//   but electron's download, which these machines cannot do anyway.
// Run as `postinstall`: on a Node older than 22.12 it says so right under npm's warnings, so that a
// newcomer does not read them as a failed install. test/ci/node-versions.test.ts keeps the list
// below equal to what package-lock.json declares.
import { fileURLToPath } from 'node:url';

/** What Electron's tooling declares. */
export const TOOLING_NODE = '>=22.12.0';
/** The packages that declare it: all devDependencies, all Electron's download and packaging tools. */
export const TOOLING_PACKAGES = ['@electron-internal/extract-zip', '@electron/get', '@electron/rebuild', 'electron', 'node-abi'];

/** Package names in a package-lock.json whose `engines.node` does not admit `nodeVersion`, sorted. */
export function packagesRefusing(lock, nodeVersion, satisfies) {
  const names = new Set();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const range = entry?.engines?.node;
    if (!path || typeof range !== 'string' || satisfies(nodeVersion, range)) continue;
    names.add(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  }
  return [...names].sort();
}

/** Whether `version` (x.y.z) is at least `least` (x.y.z); no dependency, so that it runs in any install. */
function atLeast(version, least) {
  const [a, b] = [version, least].map((v) => v.split('.').map((n) => Number.parseInt(n, 10) || 0));
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** The note for a Node version, or null when nothing needs saying. */
export function nodeNote(nodeVersion) {
  if (atLeast(nodeVersion, TOOLING_NODE.slice(2))) return null;
  return `\nnote: npm's EBADENGINE warnings above are for Electron's download and packaging tools (${TOOLING_PACKAGES.join(', ')}), `
    + `which support Node ${TOOLING_NODE.slice(2)} or later. Nothing failed: the CLI, the build and the tests run on this Node ${nodeVersion}; `
    + `for \`npm start\` and \`npm run dist\`, which use those tools, use Node 22.12 or later (see the README's "Node versions").\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const note = nodeNote(process.versions.node);
  if (note) process.stderr.write(note);
}
