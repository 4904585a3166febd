// The window's page comes from the app's own app:// scheme (issue 10, item 11): the built
// renderer folder and nothing else, with the page's CSP as a header (frame-ancestors included),
// registered before `ready`; the window loads it instead of a file:// URL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_SCHEME_PRIVILEGES, PAGE_CSP, PAGE_URL, appFileResponse } from '../../src/main/app/app-protocol.ts';
import { APP_FILES } from '../../src/main/app/windows.ts';
import { status } from '../helpers/identity-status.ts';
import { APP_ROOT, startOnFakes } from './harness.ts';

const RENDERER = join(APP_ROOT, APP_FILES.rendererDir);
const get = (url: string, method = 'GET') => appFileResponse({ url, method }, RENDERER);

/** The page's CSP directives, `name → sources`, from a policy text. */
function directives(policy: string): Map<string, string> {
  return new Map(policy.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name = '', ...rest] = d.split(/\s+/);
    return [name, rest.join(' ')] as const;
  }));
}

describe('the app:// scheme', () => {
  test('serves the built page with its CSP as a header, frame-ancestors included', async (t) => {
    if (!existsSync(join(RENDERER, 'index.html'))) return t.skip('dist/renderer is not built (npm test builds it first)');
    const res = await get(PAGE_URL);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const header = directives(res.headers.get('content-security-policy') ?? '');
    assert.equal(header.get('frame-ancestors'), "'none'", 'the promise the page makes about frames is a header now');
    // The header is at least as strict as the page's own <meta> policy: the same directives.
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(join(RENDERER, 'index.html'), 'utf8'))?.[1];
    assert.ok(meta, 'index.html has its <meta> policy');
    for (const [name, sources] of directives(meta)) assert.equal(header.get(name), sources, `directive ${name}`);
    assert.match(await res.text(), /<!doctype html>/i);
    for (const asset of ['app.js', 'styles.css']) {
      const r = await get(`app://openeo-auth-tray/${asset}`);
      assert.equal(r.status, 200, asset);
    }
  });

  test('nothing outside the renderer folder, nothing of an unknown type, no other host or method', async () => {
    const refused = [
      'app://openeo-auth-tray/../../package.json',
      'app://openeo-auth-tray/%2e%2e/%2e%2e/package.json',
      'app://openeo-auth-tray/..%2f..%2fpackage.json',
      'app://openeo-auth-tray/%2e%2e%5c%2e%2e%5cpackage.json',
      'app://openeo-auth-tray/index.html%00.png',
      'app://openeo-auth-tray/app.js.map',
      'app://openeo-auth-tray/missing.js',
      'app://another-host/index.html',
      'app://user:pw@openeo-auth-tray/index.html',
      'file:///etc/passwd',
      'app://openeo-auth-tray/%E0%A4%A',
    ];
    for (const url of refused) assert.equal((await get(url)).status, 404, url);
    assert.equal((await get(PAGE_URL, 'POST')).status, 405);
  });

  test('is registered before ready as standard and secure only, and answers the window', async (t) => {
    assert.deepEqual(APP_SCHEME_PRIVILEGES, { scheme: 'app', privileges: { standard: true, secure: true } });
    const s = await startOnFakes({ rows: [status()] });
    t.after(() => s.cleanup());
    assert.deepEqual(s.world.schemes, [APP_SCHEME_PRIVILEGES]);
    const serve = s.world.protocolHandlers.get('app');
    assert.ok(serve, 'the scheme is served after ready');
    s.app!.windows.show();
    assert.equal(s.window()!.loadedUrl, PAGE_URL);
    const res = await serve(new Request('app://openeo-auth-tray/../secret'));
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-security-policy'), PAGE_CSP);
  });
});
