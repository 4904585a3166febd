import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { forwardLine, scriptName, scriptUseLine, timesWords } from '../../../src/shared/format/script-words.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';

const en = { locale: 'en-GB', timeZone: 'UTC' };
const now = Date.UTC(2025, 10, 29, 14, 30);

describe('script words', () => {
  afterEach(() => clearRegisteredSecrets());

  test('times: one time, many times', () => {
    assert.deepEqual([0, 1, 2, 14].map(timesWords), ['0 times', '1 time', '2 times', '14 times']);
  });

  test('a login scripts used: how often in the last hour, who last (marked unverified), and when', () => {
    const at = Date.UTC(2025, 10, 29, 14, 2);
    assert.equal(scriptUseLine({ lastUseAt: at, lastHint: 'python (my_job.py)', lastHour: 14 }, now, en),
      'Used by scripts: 14 times in the last hour, last by “python (my_job.py)” (unverified name) at 14:02');
    assert.equal(scriptUseLine({ lastUseAt: at, lastHint: 'python (my_job.py)', lastHour: 1 }, now, en),
      'Used by scripts: 1 time in the last hour, last by “python (my_job.py)” (unverified name) at 14:02');
    assert.equal(scriptUseLine({ lastUseAt: Date.UTC(2025, 10, 27, 9, 5), lastHint: '', lastHour: 0 }, now, en),
      'Used by scripts: none in the last hour, last by a script that gave no name at 27 Nov, 09:05');
    assert.equal(scriptUseLine({ lastUseAt: null, lastHint: '', lastHour: 0 }, now, en), 'Not used by scripts yet');
  });

  test('a script name is shown whole up to the agent\'s cap, on one line, without a secret in it', () => {
    const long = `python (${'a_'.repeat(150)})`.slice(0, 200);
    assert.ok(scriptUseLine({ lastUseAt: now, lastHint: long, lastHour: 1 }, now, en).includes(`“${long}”`));
    registerSecret('rt-9f8e7d6c5b4a3210');
    const line = scriptUseLine({ lastUseAt: now, lastHint: 'curl\nrt-9f8e7d6c5b4a3210\u001b[2J', lastHour: 1 }, now, en);
    assert.doesNotMatch(line, /rt-9f8e/);
    assert.ok(!line.includes('\n') && !line.includes('\u001b'), 'one line, no escape');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    assert.equal(scriptName(`job --token ${jwt}`), 'job --token [redacted-jwt]');
    assert.equal(scriptName('x'.repeat(300)), 'x'.repeat(200));
  });

  test('a forward: the logins by provider and name, and its end (with the day when it is not today)', () => {
    assert.equal(forwardLine([{ label: 'alice', provider: 'CDSE' }], Date.UTC(2025, 10, 29, 18, 0), now, en), 'Forwarded: CDSE (alice) until 18:00');
    assert.equal(forwardLine([{ label: 'alice', provider: 'CDSE' }, { label: 'Old login' }], Date.UTC(2025, 11, 2, 8, 0), now, en),
      'Forwarded: CDSE (alice), Old login until 2 Dec, 08:00');
  });
});
