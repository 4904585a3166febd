// Bundles every part of the app with esbuild: the CLI, the Electron main process, the preload
// (CommonJS: sandboxed preloads cannot load modules) and the renderer. Each part is built into a
// temporary folder and then swapped in, so a process running the previous build never sees a
// half-written one.
import { build } from 'esbuild';
import { chmod, cp, mkdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => root + p;
const requireShim = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/** Native or Electron-provided modules stay outside the bundles. */
const nodeExternal = ['electron', 'keytar'];
/** Dependencies (package.json `dependencies`) the CLI loads only when it signs in, refreshes or writes settings. */
const cliLazyLibraries = ['conf'];
/**
 * openid-client (with oauth4webapi and jose) is bundled on its own, as CommonJS beside the CLI:
 * a refresh then loads one file instead of resolving and linking some thirty ES modules (about
 * 15 ms of a forced refresh), and `token` with a cached token still loads none of it.
 */
const cliOidcFile = 'openid-client.cjs';
const besideTheCli = {
  name: 'openid-client-beside-the-cli',
  setup(b) {
    b.onResolve({ filter: /^openid-client$/ }, () => ({ path: `./${cliOidcFile}`, external: true }));
  },
};

/** Builds into dist/.<name>-<pid>, then replaces dist/<name> with it. */
async function part(name, make) {
  const tmp = at(`dist/.${name}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await make(tmp);
  const old = at(`dist/.${name}-old-${process.pid}`);
  if (existsSync(at(`dist/${name}`))) await rename(at(`dist/${name}`), old);
  await rename(tmp, at(`dist/${name}`));
  await rm(old, { recursive: true, force: true });
}

/** Every entry point must be there: a build that silently makes nothing (e.g. a wrong path on Windows) must fail. */
for (const entry of ['src/main/cli/main.ts', 'src/main/app/index.ts', 'src/preload/preload.ts', 'src/renderer/index.ts', 'src/renderer/index.html', 'src/renderer/styles.css']) {
  if (!existsSync(at(entry))) {
    console.error(`build: ${at(entry)} is missing; nothing was built.`);
    process.exit(1);
  }
}

const parts = [];
{
  parts.push(part('cli', async (out) => {
    await build({
      entryPoints: [at('node_modules/openid-client/build/index.js')],
      outfile: `${out}/${cliOidcFile}`, bundle: true, format: 'cjs', platform: 'node', target: 'node20',
      sourcemap: 'linked', logLevel: 'warning',
    });
    await build({
    // One CommonJS file: every ESM file costs the loader about a millisecond on `token`'s path,
    // while in one CommonJS bundle a dynamically imported module is only initialised (and its
    // libraries required) when the import runs. openid-client and conf are ESM packages, loaded
    // from node_modules with require(esm) (Node >= 20.19) only by a login, refresh or write.
    entryPoints: { 'openeo-auth-tray': at('src/main/cli/main.ts') },
    outdir: out, outExtension: { '.js': '.cjs' }, bundle: true, format: 'cjs', platform: 'node',
    target: 'node20', external: [...nodeExternal, ...cliLazyLibraries], banner: { js: '#!/usr/bin/env node' },
    plugins: [besideTheCli], sourcemap: 'linked', logLevel: 'warning',
    });
    // The bin that `npm link` and `npm install -g` put on the PATH runs as a program.
    await chmod(`${out}/openeo-auth-tray.cjs`, 0o755);
  }));
}
{
  parts.push(part('main', (out) => build({
    entryPoints: { index: at('src/main/app/index.ts') },
    outdir: out, bundle: true, splitting: true, format: 'esm', platform: 'node',
    // electron-updater is loaded at run time by name (src/main/app/updater.ts), from the app's node_modules.
    target: 'node22', external: [...nodeExternal, 'electron-updater'], banner: { js: requireShim },
    chunkNames: 'chunks/[name]-[hash]', sourcemap: 'linked', logLevel: 'warning',
  })));
}
{
  parts.push(part('preload', (out) => build({
    entryPoints: [at('src/preload/preload.ts')], outfile: `${out}/preload.cjs`,
    bundle: true, format: 'cjs', platform: 'node', target: 'chrome130', external: ['electron'],
    logLevel: 'warning',
  })));
}
{
  parts.push(part('renderer', async (out) => {
    await build({
      entryPoints: { app: at('src/renderer/index.ts') }, outdir: out,
      // A classic script (not a module): file:// pages in Electron load it without special privileges.
      bundle: true, format: 'iife', platform: 'browser', target: 'chrome130', minify: true,
      sourcemap: 'linked', logLevel: 'warning',
    });
    for (const f of ['index.html', 'styles.css']) await cp(at(`src/renderer/${f}`), `${out}/${f}`);
  }));
}

Promise.all(parts).catch((e) => {
  console.error(e);
  process.exit(1);
});
