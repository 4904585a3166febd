/**
 * Hostile text from peers (issue 10, items 3 and 5): a job title, a provider id, an issuer or an
 * error message of hundreds of kilobytes, built to make a backtracking regular expression take
 * quadratic time, and text carrying terminal escapes or bidi overrides.
 *
 * The sizes are the ones the review measured (256 KB): before the fix each of these calls held
 * the main process for 4 to 20 seconds. What is asserted is structural, not a time: no regular
 * expression is given more than a bounded piece of the peer's text (`longestRegexInput`). The
 * times are in `npm run bench` (row "hostile text").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthTrayError } from '../../../src/main/core/errors.ts';
import { displayText } from '../../../src/shared/format/display-text.ts';
import { capText, hasControls, peerLine, stripControls, trimTrailingSlashes } from '../../../src/shared/format/peer-text.ts';
import { checkIssuerUrl } from '../../../src/main/core/oidc/issuer.ts';
import { parseJob } from '../../../src/main/core/openeo/api.ts';
import { statusError } from '../../../src/main/core/net/http-failure.ts';
import { parseOidcProviders } from '../../../src/main/core/openeo/providers.ts';
import { issuerKey } from '../../../src/main/core/python/refresh-token-store.ts';
import { MAX_REDACTED_LENGTH, redact } from '../../../src/shared/redact.ts';
import { jobName, jobsSubmenu } from '../../../src/main/core/tray/jobs-menu.ts';
import { notificationFor } from '../../../src/main/core/notifications/notification.ts';
import { longestRegexInput } from '../../helpers/regex-probe.ts';

const KB = 1024;
/** What the tray's and the error paths' patterns may see of one peer text (display text keeps 8 KB for a whole JWT). */
const BOUND = 16 * KB;
/** "eyJ-eyJ-…": every "eyJ" started a JWT attempt that scanned to the end of the text. */
const jwtStarts = (size: number): string => 'eyJ-'.repeat(size / 4);
/** "////…x": `/\/+$/` tries every slash and scans the rest each time. */
const slashes = (size: number): string => `${'/'.repeat(size)}x`;
/** What a hostile peer puts in a title to take over a terminal: clear screen, OSC 52 clipboard write, window title, bidi override, C1 CSI. */
const ESCAPES = '\u001b[2J\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b]0;owned\u0007\u202egnp.exe\u009b31m';

function assertBounded(longest: number, bound = BOUND): void {
  assert.ok(longest <= bound, `a regular expression ran over ${longest} characters of peer text (bound ${bound})`);
}

describe('quadratic patterns: hostile peer text is bounded before any regular expression', () => {
  test('a 256 KB job title of JWT starts: the tray menu line and the job notification', () => {
    const job = { id: 'j-1', status: 'running' as const, created: '2026-01-01T00:00:00Z', title: jwtStarts(256 * KB) };
    const { value: name, longest } = longestRegexInput(() => jobName(job));
    assertBounded(longest);
    assert.ok(name.length <= 48, `tray name is bounded: ${name.length}`);
    assertBounded(longestRegexInput(() => jobsSubmenu('cdse-1', [job])).longest);
    const row = { id: 'cdse-1', label: 'CDSE', kind: 'personal', backend: 'https://openeo.example', apiUrl: 'https://openeo.example/openeo/1.2', provider: 'CDSE', issuer: 'https://idp.example', clientId: 'c', userId: 'u', state: 'active', accessTokenExpiresAt: null, refreshTokenExpiry: { kind: 'unknown' }, offlineSince: null, problem: null } as const;
    assertBounded(longestRegexInput(() => notificationFor({ type: 'job', identityId: 'cdse-1', job: { ...job, status: 'finished' }, from: 'running' }, row, Date.now(), { notificationsEnabled: true })).longest);
  });

  test('redact() of 256 KB of JWT starts runs its patterns over at most its cap', () => {
    const { value: out, longest } = longestRegexInput(() => redact(jwtStarts(256 * KB)));
    assertBounded(longest, MAX_REDACTED_LENGTH + 64);
    assert.ok(out.length <= MAX_REDACTED_LENGTH + 64, `bounded: ${out.length}`);
    assert.ok(!out.includes('eyJ-eyJ-eyJ-eyJ-eyJ-'), 'the token-shaped run is masked');
  });

  test('a 256 KB provider id is refused with a short message', () => {
    const body = { providers: [{ id: jwtStarts(256 * KB), issuer: 'https://idp.example', title: 'IdP' }] };
    const { value: outcome, longest } = longestRegexInput(() => {
      try {
        return parseOidcProviders(body);
      } catch (e) {
        return e;
      }
    });
    assertBounded(longest);
    assert.ok(outcome instanceof AuthTrayError && outcome.code === 'BACKEND_INVALID_RESPONSE', String(outcome));
    assert.ok(outcome.message.length < 1_000, `message length ${outcome.message.length}`);
  });

  test('an issuer of 256 KB of slashes: the provider list, the issuer check and the Python store key', () => {
    const issuer = `https://idp.example${slashes(256 * KB)}`;
    const listed = longestRegexInput(() => {
      try {
        return parseOidcProviders({ providers: [{ id: 'x', issuer, title: 'IdP' }] });
      } catch (e) {
        return e;
      }
    });
    assertBounded(listed.longest);
    assert.ok(listed.value instanceof AuthTrayError, String(listed.value));
    const key = longestRegexInput(() => issuerKey(`https://idp.example/x${'/'.repeat(256 * KB)}`));
    assertBounded(key.longest);
    assert.equal(key.value, 'https://idp.example/x');
    const checked = longestRegexInput(() => checkIssuerUrl(`https://idp.example/realm${'/'.repeat(256 * KB)}`));
    assertBounded(checked.longest);
    assert.equal(checked.value.issuer, 'https://idp.example/realm');
    assert.equal(trimTrailingSlashes(slashes(256 * KB)), slashes(256 * KB));
  });

  test('a 256 KB error message from a backend becomes one short sentence', () => {
    const { value: error, longest } = longestRegexInput(() => statusError({
      peer: 'backend', url: new URL('https://openeo.example/openeo/1.2/jobs'), status: 500,
      body: { code: jwtStarts(64 * KB), message: `${jwtStarts(256 * KB)} ${'\u001b[2J '.repeat(1000)}` },
      retryAfter: null, sentAuthorization: false, now: 0, secrets: [],
    }));
    assertBounded(longest);
    assert.ok(error.message.length < 600, `message length ${error.message.length}`);
    assert.ok(!hasControls(error.message), JSON.stringify(error.message));
  });

  test('a 256 KB job title is cut when the job is read, long before the tray sees it', () => {
    const { value: job, longest } = longestRegexInput(() => parseJob({ id: 'j', status: 'queued', title: `${jwtStarts(256 * KB)} tail` }));
    assertBounded(longest);
    assert.ok((job.title?.length ?? 0) <= 1024, `title length ${job.title?.length}`);
  });
});

describe('control characters from peers never reach a terminal or the tray', () => {
  test('stripControls removes C0, C1, DEL, bidi overrides and zero-width characters', () => {
    const out = stripControls(`a${ESCAPES}\u200b\u2066b\u007f`);
    assert.ok(!hasControls(out), JSON.stringify(out));
    // eslint-disable-next-line no-control-regex -- escape, bell and CSI are exactly what must not be there
    assert.ok(!/[\u001b\u0007\u009b\u202e\u200b\u2066\u007f]/.test(out), JSON.stringify(out));
  });

  test('displayText (menus, tooltips, notifications) strips them, C1 and bidi ones included', () => {
    const out = displayText(`Job ${ESCAPES} done`, 200);
    assert.ok(!hasControls(out), JSON.stringify(out));
  });

  test('an AuthTrayError built from a peer message carries no control character', () => {
    const e = new AuthTrayError('BACKEND_ERROR', `The backend said: "${ESCAPES}\nVisit https://evil.example to sign in"`, { nextStep: `Try ${ESCAPES}` });
    assert.ok(!hasControls(e.message), JSON.stringify(e.message));
    assert.ok(!hasControls(e.nextStep ?? ''), JSON.stringify(e.nextStep));
    assert.ok(!e.sentence.includes('\n'), 'one line: a peer cannot start a line of its own');
  });

  test('peerLine caps first, then makes one line', () => {
    assert.equal(peerLine('a\r\nb\u001b[1Ac', 100), 'a b [1Ac');
    assert.ok(peerLine('x '.repeat(100_000), 50).length <= 50);
  });

  test('capText drops a partial word at the cut (it could be the start of a token)', () => {
    assert.equal(capText('hello secret-token-abcdef', 12), 'hello ');
    assert.equal(capText('a'.repeat(200), 100), 'a'.repeat(100), 'a long run is cut where it is: redaction masks it if it is token-shaped');
    assert.equal(capText(`x${'\ud83d\ude00'}`, 2), 'x', 'never half a surrogate pair');
  });
});
