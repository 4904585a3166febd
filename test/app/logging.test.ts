// The tray's log: in the platform's log folder, redacted, rotated once it grows large.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotateIfLarge, setupLogging, TRAY_LOG_NAME } from '../../src/main/app/logging.ts';

test('writes tray.log in the log folder, redacted, at the level asked for', () => {
  const home = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-log-'));
  try {
    const log = setupLogging({ env: { OPENEO_AUTH_TRAY_HOME: home, OPENEO_AUTH_TRAY_LOG_LEVEL: 'warn' } });
    assert.equal(log.file, join(home, 'logs', TRAY_LOG_NAME));
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
    log('info', 'not written at level warn');
    log('warn', `refresh failed for token ${jwt}`);
    const text = readFileSync(log.file, 'utf8');
    assert.doesNotMatch(text, /not written/);
    assert.match(text, /WARN refresh failed for token/);
    assert.ok(!text.includes(jwt), 'the token is redacted');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('a log past the limit is kept as tray.log.1 and a new one begins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-log-'));
  try {
    const file = join(dir, TRAY_LOG_NAME);
    writeFileSync(file, 'x'.repeat(100));
    rotateIfLarge(file, 200);
    assert.equal(existsSync(`${file}.1`), false);
    rotateIfLarge(file, 50);
    assert.equal(existsSync(file), false);
    assert.equal(readFileSync(`${file}.1`, 'utf8').length, 100);
    rotateIfLarge(join(dir, 'missing.log'), 1); // no log yet: nothing to do
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
