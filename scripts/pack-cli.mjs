// `npm run pack:cli`: the command line as its own npm package (release/openeo-auth-tray-<version>.tgz),
// for `npm install -g`. It holds the built CLI (dist/cli: one bundle, openid-client beside it), the
// agent protocol's documents and a package.json derived from the project's: the same name, version,
// licence and Node range, and only the dependencies the CLI loads at run time (keytar for the
// keychain, conf for writing settings). No tests, no app, no window. Prints the tarball's path.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What the CLI bundle requires from node_modules (everything else is bundled into it). */
export const CLI_RUNTIME_DEPENDENCIES = ['keytar', 'conf'];
const FILES = ['dist/cli/openeo-auth-tray.cjs', 'dist/cli/openid-client.cjs', 'docs/agent-protocol.md', 'docs/agent-protocol.schema.json', 'README.md', 'LICENSE'];

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const f of FILES) {
  if (!existsSync(join(root, f))) {
    console.error(`pack-cli: ${f} is missing (run npm run build first)`);
    process.exit(1);
  }
}
const stage = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-pack-'));
try {
  for (const f of FILES) {
    mkdirSync(join(stage, f, '..'), { recursive: true });
    cpSync(join(root, f), join(stage, f));
  }
  const cli = {
    name: pkg.name,
    version: pkg.version,
    description: 'The command line of openEO Auth Tray: openEO logins kept alive in the OS keychain, tokens for scripts, and a token agent that oidc-agent clients can ask.',
    license: pkg.license,
    homepage: pkg.homepage,
    // npm's provenance (the release workflow publishes with --provenance) checks that this names
    // the repository the package was built from.
    repository: pkg.repository,
    bugs: pkg.bugs,
    bin: pkg.bin,
    engines: pkg.engines,
    files: FILES,
    dependencies: Object.fromEntries(CLI_RUNTIME_DEPENDENCIES.map((d) => [d, pkg.dependencies[d]])),
    allowScripts: { keytar: true },
    keywords: ['openeo', 'oidc', 'oidc-agent', 'copernicus', 'keychain'],
  };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(cli, null, 2)}\n`);
  const r = spawnSync('npm', ['pack', '--json', '--ignore-scripts'], { cwd: stage, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`pack-cli: npm pack failed: ${r.stderr}`);
    process.exit(1);
  }
  const [info] = JSON.parse(r.stdout);
  mkdirSync(join(root, 'release'), { recursive: true });
  const out = join(root, 'release', info.filename);
  renameSync(join(stage, info.filename), out);
  process.stdout.write(`${out}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
