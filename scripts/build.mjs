// Bundles every part of the app with esbuild: the CLI, the Electron main process, the preload
// (CommonJS: sandboxed preloads cannot load modules) and the renderer.
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const at = (p) => root + p;
const watch = process.argv.includes('--watch');
const requireShim = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/** Native or Electron-provided modules stay outside the bundles. */
const nodeExternal = ['electron', 'keytar'];

async function main() {
  const jobs = [];
  if (existsSync(at('src/main/cli/main.ts'))) {
    await rm(at('dist/cli'), { recursive: true, force: true });
    jobs.push(build({
      entryPoints: { 'openeo-auth-tray': at('src/main/cli/main.ts') },
      outdir: at('dist/cli'), bundle: true, splitting: true, format: 'esm', platform: 'node',
      target: 'node20', external: nodeExternal, banner: { js: `#!/usr/bin/env node\n${requireShim}` },
      chunkNames: 'chunks/[name]-[hash]', sourcemap: 'linked', logLevel: 'warning',
    }));
  }
  if (existsSync(at('src/main/app/index.ts'))) {
    await rm(at('dist/main'), { recursive: true, force: true });
    jobs.push(build({
      entryPoints: { index: at('src/main/app/index.ts') },
      outdir: at('dist/main'), bundle: true, splitting: true, format: 'esm', platform: 'node',
      target: 'node22', external: nodeExternal, banner: { js: requireShim },
      chunkNames: 'chunks/[name]-[hash]', sourcemap: 'linked', logLevel: 'warning',
    }));
  }
  if (existsSync(at('src/preload/preload.ts'))) {
    jobs.push(build({
      entryPoints: [at('src/preload/preload.ts')], outfile: at('dist/preload/preload.cjs'),
      bundle: true, format: 'cjs', platform: 'node', target: 'chrome130', external: ['electron'],
      logLevel: 'warning',
    }));
  }
  if (existsSync(at('src/renderer/index.ts'))) {
    jobs.push(build({
      entryPoints: { app: at('src/renderer/index.ts') }, outdir: at('dist/renderer'),
      bundle: true, format: 'esm', platform: 'browser', target: 'chrome130', minify: true,
      sourcemap: 'linked', logLevel: 'warning',
    }).then(async () => {
      await mkdir(at('dist/renderer'), { recursive: true });
      for (const f of ['index.html', 'styles.css']) {
        if (existsSync(at(`src/renderer/${f}`))) await cp(at(`src/renderer/${f}`), at(`dist/renderer/${f}`));
      }
    }));
  }
  await Promise.all(jobs);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
if (watch) console.error('--watch is not supported; run npm run build again.');
