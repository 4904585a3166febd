// electron-builder.yml cannot be exercised by packaging here (no Electron binary), so it is
// checked the way electron-builder itself checks it — its own loader and schema validator —
// plus a stricter pass without type coercion, plus the values that matter for security.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG_FILE = 'electron-builder.yml';

// js-yaml, ajv and minimatch are electron-builder's own dependencies: resolve them from
// app-builder-lib so the test uses exactly the versions `npm run dist` would.
const fromHere = createRequire(import.meta.url);
const builderLibDir = dirname(createRequire(fromHere.resolve('electron-builder/package.json')).resolve('app-builder-lib/package.json'));
const fromBuilderLib = createRequire(join(builderLibDir, 'package.json'));

interface AjvError { instancePath: string; message?: string; params: Record<string, unknown> }
interface Validate { (data: unknown): boolean; errors?: AjvError[] | null }
const yaml = fromBuilderLib('js-yaml') as { load(text: string): unknown };
const Ajv = (fromBuilderLib('ajv') as { default: new (o: object) => { compile(schema: object): Validate } }).default;
const { minimatch } = fromBuilderLib('minimatch') as { minimatch: (path: string, pattern: string, o?: object) => boolean };
const builderConfig = fromBuilderLib('./out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string, fromOptions: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const scheme = JSON.parse(readFileSync(join(builderLibDir, 'scheme.json'), 'utf8')) as {
  definitions: Record<string, { additionalProperties?: unknown; properties?: Record<string, unknown> }>;
};

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML, checked by the schema
const raw = yaml.load(readFileSync(join(root, CONFIG_FILE), 'utf8')) as Config;
const clone = (): Config => structuredClone(raw);

/** No coercion ("false" is not false), every error reported. */
const strict = new Ajv({ allErrors: true, strict: false }).compile(scheme);
function strictErrors(config: unknown): string[] {
  return strict(config) ? [] : (strict.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
const quiet = { isEnabled: false, add() {} };

function pngInfo(file: string): { width: number; height: number; rgba: Buffer } {
  const buf = readFileSync(file);
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', `${file} is not a PNG`);
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let o = 8; o < buf.length;) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString('latin1', o + 4, o + 8);
    const data = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.deepEqual([data[8], data[9], data[12]], [8, 6, 0], `${file}: expected 8-bit RGBA, not interlaced`);
    }
    if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const a = i >= 4 ? rgba[y * stride + i - 4]! : 0;
      const b = y > 0 ? rgba[(y - 1) * stride + i]! : 0;
      const c = i >= 4 && y > 0 ? rgba[(y - 1) * stride + i - 4]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter!];
      assert.notEqual(predictor, undefined, `${file}: bad filter ${filter}`);
      rgba[y * stride + i] = (raw[y * (stride + 1) + 1 + i]! + predictor!) & 0xff;
    }
  }
  return { width, height, rgba };
}

/** Where electron-builder finds a resource: the build resources folder first, then the project. */
function resource(path: string): string {
  const inResources = resolve(root, raw.directories.buildResources, path);
  return existsSync(inResources) ? inResources : resolve(root, path);
}

/**
 * electron-builder logs ("• loaded configuration …") straight to process.stdout, which in a test
 * file run by node's test runner (Node 20) is the runner's serialized channel: a log line written
 * in the middle of a message made the whole file fail now and then ("Unable to deserialize cloned
 * data"). Its text output is held back while it runs.
 */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  // Only its text is held back: the runner's own messages are binary and pass.
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' ? true : (write as (...args: unknown[]) => boolean)(chunk, ...rest));
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

describe('electron-builder.yml', () => {
  let loaded: Record<string, unknown>;
  before(async () => {
    loaded = await quietly(() => builderConfig.getConfig(root, CONFIG_FILE, null));
  });

  test('electron-builder loads it and its own validator accepts it', async () => {
    assert.equal(loaded.appId, 'eu.openeo.authtray');
    await builderConfig.validateConfiguration(structuredClone(loaded), quiet);
  });

  test('it also passes the schema without type coercion', () => {
    assert.deepEqual(strictErrors(raw), []);
  });

  test('an unknown key is rejected, at the top and nested', async () => {
    const cases: Array<(c: Config) => void> = [
      (c) => { c.appID = 'typo'; },
      (c) => { c.electronFuses.runAsNod = false; },
      (c) => { c.linux.desktopEntry = {}; },
      (c) => { c.mac.LSUIElement = true; },
    ];
    for (const mutate of cases) {
      const c = clone();
      mutate(c);
      assert.notDeepEqual(strictErrors(c), [], mutate.toString());
      await assert.rejects(builderConfig.validateConfiguration(c, quiet), /Invalid configuration object/, mutate.toString());
    }
    // The fuse check above only means something while the schema forbids unknown fuse names.
    assert.equal(scheme.definitions.FuseOptionsV1?.additionalProperties, false);
  });

  test('a value of the wrong type is rejected', async () => {
    const cases: Array<(c: Config) => void> = [
      (c) => { c.asar = 'maybe'; },
      (c) => { c.electronFuses.runAsNode = 'no'; },
      (c) => { c.linux.target = { AppImage: true }; },
      (c) => { c.directories = ['release']; },
    ];
    for (const mutate of cases) {
      const c = clone();
      mutate(c);
      assert.notDeepEqual(strictErrors(c), [], mutate.toString());
      await assert.rejects(builderConfig.validateConfiguration(c, quiet), /Invalid configuration object/, mutate.toString());
    }
    // electron-builder would coerce these; the strict pass does not let them through.
    const coerced: Array<(c: Config) => void> = [
      (c) => { c.electronFuses.runAsNode = 'false'; },
      (c) => { c.asar = 'true'; },
      (c) => { c.asarUnpack = 42; },
    ];
    for (const mutate of coerced) {
      const c = clone();
      mutate(c);
      assert.notDeepEqual(strictErrors(c), [], mutate.toString());
    }
  });

  test('unused Electron features are fused off, and the app loads only from a checked asar', () => {
    assert.deepEqual(raw.electronFuses, {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    assert.equal(raw.asar, true);
  });

  test('keytar is unpacked from the asar (a native module cannot load from inside it)', () => {
    const unpack: string[] = raw.asarUnpack;
    for (const file of ['node_modules/keytar/build/Release/keytar.node', 'node_modules/keytar/package.json']) {
      assert.ok(unpack.some((p) => minimatch(file, p, { dot: true })), `${file} not unpacked by ${unpack.join(', ')}`);
    }
    assert.ok(!unpack.some((p) => minimatch('dist/main/index.js', p, { dot: true })), 'app code stays inside the asar');
  });

  test('macOS: a tray-only app (LSUIElement), dmg and zip, developer tools', () => {
    assert.equal(raw.mac.extendInfo.LSUIElement, true);
    assert.deepEqual(raw.mac.target, ['dmg', 'zip'], 'the dmg to install, the zip for electron-updater');
    assert.equal(raw.mac.category, 'public.app-category.developer-tools');
  });

  test('Linux: AppImage and deb with a desktop entry that matches the window; Windows: nsis', () => {
    assert.deepEqual(raw.linux.target, ['AppImage', 'deb']);
    const entry = raw.linux.desktop.entry;
    assert.equal(entry.Name, 'openEO Auth Tray');
    assert.ok(entry.Comment);
    assert.equal(entry.Exec, undefined, 'electron-builder refuses desktop.entry.Exec');
    assert.deepEqual(String(raw.linux.category).split(';'), ['Utility', 'Network']);
    assert.equal(raw.extraMetadata.desktopName, `${entry.StartupWMClass}.desktop`);
    assert.equal(raw.linux.syncDesktopName, true);
    assert.ok(raw.linux.maintainer);
    assert.equal(raw.win.target, 'nsis');
    assert.equal(raw.productName, 'openEO Auth Tray');
  });

  test('the app files include the bundles, the tray icons and package.json, not the sources', () => {
    const patterns: string[] = raw.files;
    const included = (f: string) => patterns.reduce((inc, p) => (p.startsWith('!') ? (minimatch(f, p.slice(1)) ? false : inc) : inc || minimatch(f, p)), false);
    for (const f of ['dist/main/index.js', 'dist/renderer/index.html', 'assets/tray-ok.png', 'assets/trayTemplate@2x.png', 'package.json']) {
      assert.ok(included(f), f);
    }
    for (const f of ['src/shared/model.ts', 'test/app/electron-builder-config.test.ts', 'dist/main/index.js.map']) {
      assert.ok(!included(f), f);
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    assert.ok(included(pkg.main), `package.json main ${pkg.main} is packaged`);
    assert.match(pkg.scripts.dist ?? '', /electron-builder --config electron-builder\.yml/);
  });

  test('every platform icon exists, is a square PNG and big enough for its platform', () => {
    for (const [platform, min] of [['mac', 512], ['win', 256], ['linux', 256]] as const) {
      const file = resource(raw[platform].icon);
      assert.ok(existsSync(file), `${platform} icon ${file} missing`);
      const { width, height } = pngInfo(file);
      assert.equal(width, height);
      assert.ok(width >= min, `${platform} icon is ${width}px, needs ${min}`);
    }
  });
});

describe('tray icons in assets/', () => {
  const looks = ['ok', 'warning', 'error', 'offline', 'idle'];
  const assets = join(root, 'assets');

  test('every look at 16, 24 and 32 px with @2x variants', () => {
    for (const look of looks) {
      for (const size of [16, 24, 32]) {
        const base = size === 16 ? `tray-${look}` : `tray-${look}-${size}`;
        for (const [name, px] of [[`${base}.png`, size], [`${base}@2x.png`, size * 2]] as const) {
          const { width, height } = pngInfo(join(assets, name));
          assert.deepEqual([width, height], [px, px], name);
        }
      }
    }
  });

  test('macOS template images are black with alpha only, and not empty', () => {
    for (const [name, px] of [['trayTemplate.png', 16], ['trayTemplate@2x.png', 32]] as const) {
      const { width, rgba } = pngInfo(join(assets, name));
      assert.equal(width, px);
      let opaque = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        assert.deepEqual([rgba[i], rgba[i + 1], rgba[i + 2]], [0, 0, 0], `${name}: colour at pixel ${i / 4}`);
        if (rgba[i + 3]! > 128) opaque++;
      }
      assert.ok(opaque > px * px * 0.1, `${name}: glyph too faint (${opaque} opaque pixels)`);
    }
  });

  test('the looks differ from each other, so the state is visible', () => {
    const seen = new Set(looks.map((l) => pngInfo(join(assets, `tray-${l}.png`)).rgba.toString('base64')));
    assert.equal(seen.size, looks.length);
  });

  test('the committed icons are what scripts/make-icons.mjs draws', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/make-icons.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('the .deb puts the command on the PATH with electron-builder\'s own maintainer scripts', () => {
  // electron-builder cannot make the .deb here (it downloads fpm from GitHub), so its own
  // after-install and after-remove templates are rendered with this configuration's values, as
  // its FpmTarget does, and read: the command is the link they make.
  const render = (file: string): string => {
    const template = readFileSync(join(builderLibDir, 'templates', 'linux', file), 'utf8');
    const values: Record<string, string> = { executable: raw.executableName, sanitizedProductName: raw.productName };
    return template.replace(/\$\{([a-zA-Z]+)\}/g, (whole, name: string) => values[name] ?? whole);
  };

  test('no own maintainer scripts, and the executable is named like the command', () => {
    assert.equal(raw.executableName, 'openeo-auth-tray');
    assert.equal(raw.deb.afterInstall, undefined);
    assert.equal(raw.deb.afterRemove, undefined);
  });

  test('after install: /usr/bin/openeo-auth-tray links to the app\'s binary; after removal it is gone', () => {
    const install = render('after-install.tpl');
    assert.match(install, /update-alternatives --install '\/usr\/bin\/openeo-auth-tray' 'openeo-auth-tray' '\/opt\/openEO Auth Tray\/openeo-auth-tray' 100/);
    assert.match(install, /ln -sf '\/opt\/openEO Auth Tray\/openeo-auth-tray' '\/usr\/bin\/openeo-auth-tray'/);
    const remove = render('after-remove.tpl');
    assert.match(remove, /update-alternatives --remove 'openeo-auth-tray' '\/opt\/openEO Auth Tray\/openeo-auth-tray'|rm -f '\/usr\/bin\/openeo-auth-tray'/);
    assert.doesNotMatch(`${install}${remove}`, /\$\{(executable|sanitizedProductName)\}/, 'every value filled in');
  });
});
