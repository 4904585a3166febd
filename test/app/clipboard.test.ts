// The core's clipboard guard on Electron's (asynchronous) clipboard, through the app's plug:
// a copied secret is cleared after the delay only if the clipboard still holds it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { electronClipboard } from '../../src/main/app/clipboard.ts';
import { createClipboardGuard } from '../../src/main/core/clipboard/clipboard-guard.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { createFakeElectron, FakeClipboardItem } from './fake-electron.ts';
import { APP_ROOT, recordingLogger } from './harness.ts';

function setup() {
  const { electron, world } = createFakeElectron({ appPath: APP_ROOT });
  const log = recordingLogger();
  const port = electronClipboard(electron, log);
  const clock = new FakeClock();
  const guard = createClipboardGuard({ clipboard: port, timers: clock, clearAfterMs: () => 30_000 });
  return { world, port, clock, guard, log };
}

describe('clipboard plug', () => {
  test('a copied secret is cleared after the delay', async () => {
    const { world, port, clock, guard } = setup();
    guard.copy('refresh-token-1');
    await port.settled();
    assert.equal(world.clipboardText, 'refresh-token-1');
    await clock.advance(29_999);
    await port.settled();
    assert.equal(world.clipboardText, 'refresh-token-1');
    await clock.advance(1);
    await port.settled();
    assert.equal(world.clipboardText, '');
  });

  test('what the person copied since is never wiped', async () => {
    const { world, port, clock, guard } = setup();
    guard.copy('refresh-token-1');
    await port.settled();
    world.clipboardText = 'my own notes'; // copied in another app
    await clock.advance(30_000);
    await port.settled();
    assert.equal(world.clipboardText, 'my own notes');
  });

  test('a later copy replaces the first; only the last one is cleared, and only while it is there', async () => {
    const { world, port, clock, guard } = setup();
    guard.copy('token-A');
    await clock.advance(10_000);
    guard.copy('token-B');
    port.writeText('python snippet'); // the core copies non-secrets without the guard
    await clock.advance(30_000);
    await port.settled();
    assert.equal(world.clipboardText, 'python snippet');
  });

  test('quitting clears a secret still on the clipboard, and settled() says when it is done', async () => {
    const { world, port, clock, guard } = setup();
    guard.copy('token-A');
    guard.dispose();
    assert.equal(clock.pendingTimers, 0);
    await port.settled();
    assert.equal(world.clipboardText, '');
  });

  test('operations reach the OS clipboard one at a time, in call order', async () => {
    // A clipboard whose writes take a moment to land, as a real one can.
    let text = '';
    const landed: string[] = [];
    const slow = {
      readText: () => Promise.resolve(text),
      writeText: (value: string) => new Promise<void>((resolve) => setImmediate(() => {
        text = value;
        landed.push(value);
        resolve();
      })),
    };
    const port = electronClipboard({ clipboard: { ...slow, write: () => Promise.reject(new Error('not used here')) }, ClipboardItem: FakeClipboardItem }, recordingLogger());
    port.writeText('one');
    port.writeText(''); // the guard's clear of 'one': must not overtake the write it undoes
    port.writeText('two');
    await port.settled();
    assert.deepEqual(landed, ['one', '', 'two']);
    assert.equal(text, 'two');
  });

  test('a clipboard that fails is logged, and later operations still run', async () => {
    const { electron, world } = createFakeElectron({ appPath: APP_ROOT });
    const log = recordingLogger();
    let fail = true;
    const port = electronClipboard({
      clipboard: {
        readText: electron.clipboard.readText,
        writeText: (text) => (fail ? Promise.reject(new Error('no display')) : electron.clipboard.writeText(text)),
        write: electron.clipboard.write,
      },
      ClipboardItem: electron.ClipboardItem,
    }, log);
    port.writeText('one');
    await port.settled();
    fail = false;
    port.writeText('two');
    await port.settled();
    assert.equal(world.clipboardText, 'two');
    assert.ok(log.lines.some((l) => /WARN The clipboard could not be written\. — Error: no display/.test(l)), log.lines.join(''));
  });

  test('a secret is written with the marks that keep it out of clipboard histories, in one item (issue 10, item 11)', async () => {
    const cases: Array<[NodeJS.Platform, Record<string, number[]>]> = [
      ['linux', { 'x-kde-passwordManagerHint': [...Buffer.from('secret')] }],
      ['darwin', { 'org.nspasteboard.ConcealedType': [] }],
      ['win32', { ExcludeClipboardContentFromMonitorProcessing: [1, 0, 0, 0], CanIncludeInClipboardHistory: [0, 0, 0, 0], CanUploadToCloudClipboard: [0, 0, 0, 0] }],
    ];
    for (const [platform, marks] of cases) {
      const { electron, world } = createFakeElectron({ appPath: APP_ROOT, platform });
      const port = electronClipboard(electron, recordingLogger(), platform);
      const guard = createClipboardGuard({ clipboard: port, timers: new FakeClock(), clearAfterMs: () => 30_000 });
      guard.copy('refresh-token-1');
      await port.settled();
      assert.equal(world.clipboardItems.length, 1, `${platform}: one write`);
      const entries = world.clipboardItems[0]!.entries;
      assert.equal(entries['text/plain'], 'refresh-token-1');
      const written: Record<string, number[]> = {};
      for (const [type, value] of Object.entries(entries)) {
        const format = /^electron application\/osclipboard;format="(.+)"$/.exec(type)?.[1];
        if (format) written[format] = [...new Uint8Array(await (value as Blob).arrayBuffer())];
      }
      assert.deepEqual(written, marks, `${platform}: the concealed formats`);
      assert.equal(world.clipboardText, 'refresh-token-1');

      // What is not a secret (the Python snippet) is plain text, without marks.
      port.writeText('import openeo');
      await port.settled();
      assert.equal(world.clipboardItems.length, 1, `${platform}: plain text is not written as an item`);
      assert.equal(world.clipboardText, 'import openeo');
    }
  });

  test('a clipboard that refuses the marks still gets the secret (and it is still cleared)', async () => {
    const { electron, world } = createFakeElectron({ appPath: APP_ROOT });
    const log = recordingLogger();
    const port = electronClipboard({ ...electron, clipboard: { ...electron.clipboard, write: () => Promise.reject(new Error('format refused')) } }, log, 'linux');
    const clock = new FakeClock();
    const guard = createClipboardGuard({ clipboard: port, timers: clock, clearAfterMs: () => 30_000 });
    guard.copy('refresh-token-1');
    await port.settled();
    assert.equal(world.clipboardText, 'refresh-token-1');
    assert.ok(log.lines.some((l) => /copied without them/.test(l)), log.lines.join(''));
    await clock.advance(30_000);
    await port.settled();
    assert.equal(world.clipboardText, '');
  });
});
