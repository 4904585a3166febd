// The core's clipboard guard on Electron's (asynchronous) clipboard, through the app's plug:
// a copied secret is cleared after the delay only if the clipboard still holds it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { electronClipboard } from '../../src/main/app/clipboard.ts';
import { createClipboardGuard } from '../../src/main/core/clipboard/clipboard-guard.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { createFakeElectron } from './fake-electron.ts';
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
    const port = electronClipboard({ clipboard: slow }, recordingLogger());
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
      },
    }, log);
    port.writeText('one');
    await port.settled();
    fail = false;
    port.writeText('two');
    await port.settled();
    assert.equal(world.clipboardText, 'two');
    assert.ok(log.lines.some((l) => /WARN The clipboard could not be written\. — Error: no display/.test(l)), log.lines.join(''));
  });
});
