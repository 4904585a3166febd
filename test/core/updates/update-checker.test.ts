// The update decisions on a fake clock: a first look five minutes after the start, then one a day;
// none by itself while the person's setting is off, but "Check for updates" still looks; nothing at
// all in a development run or a build without an updater; a found update is downloaded, and the
// restart comes only after the notes were shown and the person agreed. A scripted updater stands
// in for electron-updater (src/main/app/updater.ts maps it).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createUpdateChecker, type UpdateCheckerDeps } from '../../../src/main/core/updates/update-checker.ts';
import { CHECK_EVERY_MS, FIRST_CHECK_AFTER_MS, notesForDialog, plainNotes, type UpdateState } from '../../../src/main/core/updates/update-state.ts';
import type { FoundUpdate, UpdaterPort } from '../../../src/main/core/updates/updater-port.ts';
import { createLogger } from '../../../src/main/core/log.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

class ScriptedUpdater implements UpdaterPort {
  checks: number[] = [];
  installs = 0;
  /** What the next checks answer, in order; when empty, "nothing new". */
  answers: Array<FoundUpdate | Error | null> = [];
  constructor(private readonly clock: FakeClock) {}
  check(): Promise<FoundUpdate | null> {
    this.checks.push(this.clock.now());
    const next = this.answers.shift() ?? null;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
  quitAndInstall(): void {
    this.installs += 1;
  }
}

function found(version: string, notes: string, download: 'ok' | 'fail' = 'ok'): FoundUpdate {
  const downloaded = download === 'ok' ? Promise.resolve() : Promise.reject(new Error('network'));
  downloaded.catch(() => undefined); // handled here too: the checker attaches its own handler a moment later
  return { version, notes, downloaded };
}

function setup(over: Partial<UpdateCheckerDeps> = {}, opts: { automatic?: boolean; confirm?: boolean } = {}) {
  const clock = new FakeClock();
  const updater = new ScriptedUpdater(clock);
  const states: UpdateState[] = [];
  const questions: Array<{ version: string; notes: string }> = [];
  let automatic = opts.automatic ?? true;
  const checker = createUpdateChecker({
    updater,
    isPackaged: true,
    automatic: () => automatic,
    confirm: async (u) => {
      questions.push(u);
      // The restart has not happened while the question is open.
      assert.equal(updater.installs, 0);
      return opts.confirm ?? true;
    },
    clock,
    timers: clock,
    log: createLogger({ level: 'error', echo: () => undefined }),
    onChange: (s) => states.push(s),
    ...over,
  });
  return { clock, updater, checker, states, questions, setAutomatic: (v: boolean) => { automatic = v; } };
}

describe('when the app looks for an update', () => {
  test('five minutes after the start, then once a day, and never more often', async () => {
    const { clock, updater, checker } = setup();
    const start = clock.now();
    checker.start();
    await clock.advance(FIRST_CHECK_AFTER_MS - 1);
    assert.deepEqual(updater.checks, []);
    await clock.advance(1);
    assert.deepEqual(updater.checks, [start + FIRST_CHECK_AFTER_MS]);
    assert.equal(checker.state().kind, 'up-to-date');
    await clock.advance(3 * CHECK_EVERY_MS);
    assert.deepEqual(updater.checks, [0, 1, 2, 3].map((d) => start + FIRST_CHECK_AFTER_MS + d * CHECK_EVERY_MS));
    checker.stop();
    await clock.advance(5 * CHECK_EVERY_MS);
    assert.equal(updater.checks.length, 4, 'none after stop');
  });

  test('with the setting off: never by itself, but "Check for updates" looks; turned on again, the daily look resumes', async () => {
    const { clock, updater, checker, setAutomatic } = setup({}, { automatic: false });
    checker.start();
    await clock.advance(10 * CHECK_EVERY_MS);
    assert.deepEqual(updater.checks, []);
    assert.deepEqual(checker.state(), { kind: 'idle', automatic: false, lastCheckedAt: null });
    const after = await checker.checkNow();
    assert.equal(after.kind, 'up-to-date');
    assert.equal(updater.checks.length, 1);
    setAutomatic(true);
    checker.settingsChanged();
    const now = checker.state();
    assert.equal(now.kind === 'up-to-date' && now.automatic, true);
    await clock.advance(CHECK_EVERY_MS);
    assert.equal(updater.checks.length, 2, 'a day after the last look');
  });

  test('a development run (npm start) and a build without an updater: off, with the reason, and no look at all', async () => {
    for (const [over, reason] of [[{ isPackaged: false }, 'development'], [{ updater: null }, 'unavailable']] as const) {
      const { clock, updater, checker } = setup(over);
      checker.start();
      await clock.advance(3 * CHECK_EVERY_MS);
      const state = await checker.checkNow();
      assert.equal(state.kind, 'off');
      assert.equal(state.kind === 'off' && state.reason, reason);
      assert.deepEqual(updater.checks, []);
      assert.equal(await checker.installNow(), false);
    }
  });

  test('a failed look: said, and tried again a day later', async () => {
    const { clock, updater, checker } = setup();
    updater.answers.push(new Error('getaddrinfo ENOTFOUND github.com'));
    checker.start();
    await clock.advance(FIRST_CHECK_AFTER_MS);
    const state = checker.state();
    assert.equal(state.kind, 'failed');
    assert.match(state.kind === 'failed' ? state.message : '', /could not be reached/);
    await clock.advance(CHECK_EVERY_MS);
    assert.equal(updater.checks.length, 2);
    assert.equal(checker.state().kind, 'up-to-date');
  });

  test('after sleep, a look that fell due meanwhile happens at once', async () => {
    const { clock, updater, checker } = setup();
    checker.start();
    await clock.advance(FIRST_CHECK_AFTER_MS);
    clock.jump(2 * CHECK_EVERY_MS); // asleep: no timer ran
    checker.resume();
    await clock.runDue();
    assert.equal(updater.checks.length, 2);
  });
});

describe('from a found update to the restart', () => {
  test('downloaded, then ready; no more daily looks meanwhile; the notes are asked about before the restart', async () => {
    const { clock, updater, checker, states, questions } = setup();
    updater.answers.push(found('0.2.0', 'Fixed\n• a security fix'));
    checker.start();
    await clock.advance(FIRST_CHECK_AFTER_MS);
    assert.deepEqual(states.map((s) => s.kind), ['checking', 'downloading', 'ready']);
    const ready = checker.state();
    assert.equal(ready.kind, 'ready');
    await clock.advance(3 * CHECK_EVERY_MS);
    assert.equal(updater.checks.length, 1, 'an update waiting for its restart is not looked for again');
    assert.equal(await checker.installNow(), true);
    assert.deepEqual(questions, [{ version: '0.2.0', notes: 'Fixed\n• a security fix' }]);
    assert.equal(updater.installs, 1);
  });

  test('"Later": no restart, the update stays ready; a failed download is said and tried again the next day', async () => {
    const later = setup({}, { confirm: false });
    later.updater.answers.push(found('0.2.0', 'notes'));
    later.checker.start();
    await later.clock.advance(FIRST_CHECK_AFTER_MS);
    assert.equal(await later.checker.installNow(), false);
    assert.equal(later.updater.installs, 0);
    assert.equal(later.checker.state().kind, 'ready');

    const failing = setup();
    failing.updater.answers.push(found('0.2.0', 'notes', 'fail'));
    failing.checker.start();
    await failing.clock.advance(FIRST_CHECK_AFTER_MS);
    assert.equal(failing.checker.state().kind, 'failed');
    assert.equal(await failing.checker.installNow(), false, 'nothing to restart into');
    await failing.clock.advance(CHECK_EVERY_MS);
    assert.equal(failing.updater.checks.length, 2);
  });

  test('release notes as the dialog shows them: GitHub\'s HTML as text, lists as bullets, bounded', () => {
    assert.equal(plainNotes('<p>One &amp; two</p><p>Three &lt;3</p>'), 'One & two\nThree <3');
    assert.equal(plainNotes('<h2>Fixed</h2><ul><li>a <b>security</b> fix</li></ul>'), 'Fixed\n• a security fix');
    assert.equal(plainNotes([{ version: '0.2.0', note: '<li>x</li>' }, { version: '0.1.1', note: null }]), '• x');
    assert.equal(plainNotes(null), '');
    assert.equal(notesForDialog(''), 'This release has no notes.');
    assert.equal(notesForDialog('x'.repeat(5000)).length, 2000);
  });
});
