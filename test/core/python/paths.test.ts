import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  pythonDataDir,
  pythonDataDirCandidates,
  pythonRefreshTokenStorePath,
  refreshTokenStorePathIn,
} from '../../../src/main/core/python/paths.ts';

const none = () => false;
const only = (...dirs: string[]) => (p: string) => dirs.includes(p);

describe('openEO Python client data directory (get_user_data_dir rules)', () => {
  test('Linux: ~/.local/share/openeo-python-client by default', () => {
    assert.equal(
      pythonRefreshTokenStorePath({}, 'linux', '/home/u', none),
      '/home/u/.local/share/openeo-python-client/refresh-tokens.json',
    );
  });

  test('Linux: $XDG_DATA_HOME wins when it exists, the fallback when only that exists', () => {
    const env = { XDG_DATA_HOME: '/xdg' };
    assert.deepEqual(pythonDataDirCandidates(env, 'linux', '/home/u'), [
      '/xdg/openeo-python-client',
      '/home/u/.local/share/openeo-python-client',
    ]);
    assert.equal(pythonDataDir(env, 'linux', '/home/u', none), '/xdg/openeo-python-client');
    assert.equal(
      pythonDataDir(env, 'linux', '/home/u', only('/home/u/.local/share/openeo-python-client')),
      '/home/u/.local/share/openeo-python-client',
    );
  });

  test('$OPENEO_CONFIG_HOME comes first and is used as is (no suffix, no ~ expansion)', () => {
    const env = { OPENEO_CONFIG_HOME: '/cfg/here', XDG_DATA_HOME: '/xdg' };
    assert.equal(pythonRefreshTokenStorePath(env, 'linux', '/home/u', none), '/cfg/here/refresh-tokens.json');
    assert.equal(pythonDataDir({ OPENEO_CONFIG_HOME: '~/x' }, 'linux', '/home/u', none), '~/x');
    // Like the client: it is only the first candidate; an existing lower one wins over a missing one.
    assert.equal(pythonDataDir(env, 'linux', '/home/u', only('/xdg/openeo-python-client')), '/xdg/openeo-python-client');
    assert.equal(pythonDataDir(env, 'win32', 'C:\\Users\\u', none), '/cfg/here');
  });

  test('empty variables count as unset; ~ in XDG_DATA_HOME is expanded like Path.expanduser', () => {
    assert.equal(
      pythonDataDir({ XDG_DATA_HOME: '', OPENEO_CONFIG_HOME: '' }, 'linux', '/home/u', none),
      '/home/u/.local/share/openeo-python-client',
    );
    assert.equal(pythonDataDir({ XDG_DATA_HOME: '~/data' }, 'linux', '/home/u', none), '/home/u/data/openeo-python-client');
  });

  test('Windows: %APPDATA%, then ~\\AppData\\Roaming, then the Linux fallback', () => {
    const home = 'C:\\Users\\u';
    assert.deepEqual(pythonDataDirCandidates({ APPDATA: 'D:\\Roam' }, 'win32', home), [
      'D:\\Roam\\openeo-python-client',
      'C:\\Users\\u\\AppData\\Roaming\\openeo-python-client',
      'C:\\Users\\u\\.local\\share\\openeo-python-client',
    ]);
    assert.equal(
      pythonRefreshTokenStorePath({}, 'win32', home, none),
      'C:\\Users\\u\\AppData\\Roaming\\openeo-python-client\\refresh-tokens.json',
    );
    // XDG_DATA_HOME plays no part on Windows.
    assert.equal(pythonDataDir({ XDG_DATA_HOME: 'X:\\x' }, 'win32', home, none), 'C:\\Users\\u\\AppData\\Roaming\\openeo-python-client');
  });

  test('macOS: $XDG_DATA_HOME, then ~/Library, then ~/.local/share — first existing wins', () => {
    const home = '/Users/u';
    const env = { XDG_DATA_HOME: '/xdg' };
    assert.deepEqual(pythonDataDirCandidates(env, 'darwin', home), [
      '/xdg/openeo-python-client',
      '/Users/u/Library/openeo-python-client',
      '/Users/u/.local/share/openeo-python-client',
    ]);
    assert.equal(pythonDataDir({}, 'darwin', home, none), '/Users/u/Library/openeo-python-client');
    assert.equal(
      pythonDataDir(env, 'darwin', home, only('/Users/u/.local/share/openeo-python-client')),
      '/Users/u/.local/share/openeo-python-client',
    );
    assert.equal(
      pythonDataDir(env, 'darwin', home, only('/Users/u/.local/share/openeo-python-client', '/Users/u/Library/openeo-python-client')),
      '/Users/u/Library/openeo-python-client',
    );
  });

  test('--dir DIR: the file inside that folder', () => {
    assert.equal(refreshTokenStorePathIn('/tmp/d', 'linux'), '/tmp/d/refresh-tokens.json');
  });
});
