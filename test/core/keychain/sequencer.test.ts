import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { KeySequencer } from '../../../src/main/core/keychain/sequencer.ts';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('KeySequencer', () => {
  test('one key: the next task starts only after the previous one settled, failures included', async () => {
    const seq = new KeySequencer();
    const started: string[] = [];
    const a = deferred();
    const b = deferred();
    const ra = seq.run('k', async () => {
      started.push('a');
      await a.promise;
      return 'a';
    });
    const rb = seq.run('k', async () => {
      started.push('b');
      await b.promise;
    });
    const rc = seq.run('k', async () => {
      started.push('c');
      return 'c';
    });
    await flush();
    assert.deepEqual(started, ['a']);
    a.resolve();
    assert.equal(await ra, 'a');
    await flush();
    assert.deepEqual(started, ['a', 'b']);
    b.reject(new Error('b failed'));
    await assert.rejects(rb, /b failed/);
    assert.equal(await rc, 'c');
    assert.deepEqual(started, ['a', 'b', 'c']);
    await flush();
    assert.equal(seq.busyKeys, 0, 'no leftover bookkeeping');
  });

  test('different keys run concurrently', async () => {
    const seq = new KeySequencer();
    const gate = deferred();
    const started: string[] = [];
    const x = seq.run('x', async () => {
      started.push('x');
      await gate.promise;
    });
    const y = seq.run('y', async () => {
      started.push('y');
    });
    await y;
    assert.deepEqual(started, ['x', 'y']);
    gate.resolve();
    await x;
  });
});
