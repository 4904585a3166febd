import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClipboardGuard, type ClipboardPort } from '../../../src/main/core/clipboard/clipboard-guard.ts';
import type { Timers } from '../../../src/main/core/ports.ts';

/** A tiny manual clock: timers fire only when the test advances time. */
function fakeTimers(): Timers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      const id = next++;
      due.set(id, { at: now + ms, fn });
      return { id };
    },
    clearTimeout(handle) {
      due.delete((handle as { id: number }).id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const first = [...due.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!first) break;
        due.delete(first[0]);
        now = first[1].at;
        first[1].fn();
      }
      now = until;
    },
    pending: () => due.size,
  };
}

function fakeClipboard(): ClipboardPort & { text: string; writes: string[] } {
  return {
    text: 'what the user had',
    writes: [],
    readText() { return this.text; },
    writeText(t) { this.text = t; this.writes.push(t); },
  };
}

function setup(clearAfterMs = 30_000) {
  const timers = fakeTimers();
  const clipboard = fakeClipboard();
  let delay = clearAfterMs;
  const guard = createClipboardGuard({ clipboard, timers, clearAfterMs: () => delay });
  return { timers, clipboard, guard, setDelay: (ms: number) => { delay = ms; } };
}

describe('clipboard guard', () => {
  test('writes, then clears after the delay, not a moment before', () => {
    const { timers, clipboard, guard } = setup();
    assert.deepEqual(guard.copy('token-A'), { clearsInMs: 30_000 });
    assert.equal(clipboard.text, 'token-A');
    timers.advance(29_999);
    assert.equal(clipboard.text, 'token-A');
    timers.advance(1);
    assert.equal(clipboard.text, '');
    assert.equal(timers.pending(), 0);
  });

  test('leaves the clipboard alone if the user copied something else meanwhile', () => {
    const { timers, clipboard, guard } = setup();
    guard.copy('token-A');
    clipboard.text = 'the user copied this';
    timers.advance(30_000);
    assert.equal(clipboard.text, 'the user copied this');
    assert.deepEqual(clipboard.writes, ['token-A']);
  });

  test('compares exactly: a text that merely contains ours is not ours', () => {
    const { timers, clipboard, guard } = setup();
    guard.copy('token-A');
    clipboard.text = 'token-A ';
    timers.advance(30_000);
    assert.equal(clipboard.text, 'token-A ');
  });

  test('a new copy replaces the pending clear: one timer, counted from the new copy', () => {
    const { timers, clipboard, guard } = setup();
    guard.copy('token-A');
    timers.advance(20_000);
    guard.copy('token-B');
    assert.equal(timers.pending(), 1);
    timers.advance(10_000); // A's clear would have fired here
    assert.equal(clipboard.text, 'token-B');
    timers.advance(20_000);
    assert.equal(clipboard.text, '');
  });

  test('the delay is read at each copy; zero means never clear', () => {
    const { timers, clipboard, guard, setDelay } = setup();
    setDelay(5_000);
    assert.deepEqual(guard.copy('a'), { clearsInMs: 5_000 });
    setDelay(0);
    assert.deepEqual(guard.copy('b'), { clearsInMs: 0 });
    assert.equal(timers.pending(), 0);
    timers.advance(3_600_000);
    assert.equal(clipboard.text, 'b');
  });

  test('dispose on quit clears now if the clipboard is still ours, and stops the timer', () => {
    const { timers, clipboard, guard } = setup();
    guard.copy('token-A');
    guard.dispose();
    assert.equal(clipboard.text, '');
    assert.equal(timers.pending(), 0);
    assert.throws(() => guard.copy('late'), /disposed/);
    assert.equal(clipboard.text, '');
  });

  test('dispose does not touch what the user copied, nor a clipboard already cleared', () => {
    const { clipboard, guard, timers } = setup();
    guard.copy('token-A');
    clipboard.text = 'mine';
    guard.dispose();
    assert.equal(clipboard.text, 'mine');

    const second = setup();
    second.guard.copy('token-B');
    second.timers.advance(30_000);
    second.clipboard.text = 'later copy';
    second.guard.dispose();
    assert.equal(second.clipboard.text, 'later copy');
    assert.equal(timers.pending(), 0);
  });

  test('an unreadable clipboard is never cleared blindly', () => {
    const { timers, clipboard, guard } = setup();
    guard.copy('token-A');
    clipboard.readText = () => { throw new Error('no clipboard owner'); };
    timers.advance(30_000);
    assert.deepEqual(clipboard.writes, ['token-A']);
  });
});
