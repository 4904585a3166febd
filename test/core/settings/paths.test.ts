import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { logDir, settingsDir } from '../../../src/main/core/settings/paths.ts';

describe('settings and log folders', () => {
  test('OPENEO_AUTH_TRAY_HOME wins on every platform; logs go inside it', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const env = { OPENEO_AUTH_TRAY_HOME: '/srv/tray', XDG_CONFIG_HOME: '/x', APPDATA: 'C:\\A' };
      assert.equal(settingsDir(env, platform, '/home/u'), '/srv/tray');
    }
    assert.equal(logDir({ OPENEO_AUTH_TRAY_HOME: '/srv/tray' }, 'linux', '/home/u'), '/srv/tray/logs');
    assert.equal(logDir({ OPENEO_AUTH_TRAY_HOME: 'D:\\tray' }, 'win32', 'C:\\Users\\u'), 'D:\\tray\\logs');
  });

  test('an empty OPENEO_AUTH_TRAY_HOME counts as unset', () => {
    assert.equal(settingsDir({ OPENEO_AUTH_TRAY_HOME: ' ' }, 'linux', '/home/u'), '/home/u/.config/openeo-auth-tray');
  });

  test('Linux follows XDG, ignoring relative XDG paths as the spec says', () => {
    assert.equal(settingsDir({}, 'linux', '/home/u'), '/home/u/.config/openeo-auth-tray');
    assert.equal(settingsDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u'), '/cfg/openeo-auth-tray');
    assert.equal(settingsDir({ XDG_CONFIG_HOME: 'relative/cfg' }, 'linux', '/home/u'), '/home/u/.config/openeo-auth-tray');
    assert.equal(logDir({}, 'linux', '/home/u'), '/home/u/.local/state/openeo-auth-tray/logs');
    assert.equal(logDir({ XDG_STATE_HOME: '/state' }, 'linux', '/home/u'), '/state/openeo-auth-tray/logs');
  });

  test('macOS uses Application Support and Library/Logs', () => {
    assert.equal(settingsDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/openeo-auth-tray');
    assert.equal(logDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Logs/openeo-auth-tray');
  });

  test('Windows uses APPDATA and LOCALAPPDATA, with the usual fallbacks', () => {
    const env = { APPDATA: 'C:\\Users\\u\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' };
    assert.equal(settingsDir(env, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Roaming\\openeo-auth-tray');
    assert.equal(logDir(env, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local\\openeo-auth-tray\\logs');
    assert.equal(settingsDir({}, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Roaming\\openeo-auth-tray');
    assert.equal(logDir({}, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local\\openeo-auth-tray\\logs');
  });

  test('the defaults read the real environment', () => {
    assert.equal(typeof settingsDir(), 'string');
    assert.ok(logDir().endsWith('logs') || logDir().endsWith('openeo-auth-tray'));
  });
});
