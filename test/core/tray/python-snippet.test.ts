import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pythonSnippet } from '../../../src/main/core/tray/python-snippet.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';
import { status } from '../../helpers/identity-status.ts';

describe('pythonSnippet', () => {
  afterEach(() => clearRegisteredSecrets());

  test('connects through the bridge with the identity: no token, no secret, nothing to renew by hand', () => {
    const code = pythonSnippet(status());
    assert.match(code, /^import openeo_auth_tray$/m);
    assert.ok(code.includes('connection = openeo_auth_tray.connect(identity="cdse-3f9a1c")'), code);
    assert.ok(code.includes('"https://openeo.dataspace.copernicus.eu"'), 'names the backend');
    assert.doesNotMatch(code, /subprocess|authenticate_oidc_access_token|OPENEO_AUTH_TRAY_CLI/);
    assert.match(code, /pip install/, 'says how to get the bridge');
  });

  test('a CLI that is not on the PATH is named through OPENEO_AUTH_TRAY_CLI', () => {
    const code = pythonSnippet(status(), { command: ['/opt/openEO Auth Tray/cli', '--quiet'], platform: 'linux' });
    assert.ok(code.includes(`os.environ.setdefault("OPENEO_AUTH_TRAY_CLI", "'/opt/openEO Auth Tray/cli' --quiet")`), code);
    assert.ok(code.indexOf('import os') < code.indexOf('import openeo_auth_tray'));
  });

  test('odd text is quoted, never spliced into code, and no secret ends up in it', () => {
    const secret = 'a-client-secret-value';
    registerSecret(secret);
    const code = pythonSnippet(status({ label: `x")\nimport os #${secret}`, backend: 'https://e.x/"q"', provider: 'P"1' }));
    assert.ok(!code.includes(secret));
    assert.ok(!/^import os/m.test(code), code);
    assert.ok(code.includes('"https://e.x/\\"q\\""'), code);
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  test('is valid Python, even with hostile labels', { skip: python ? false : 'python3 not installed' }, () => {
    for (const identity of [status(), status({ label: 'a"\'\\\n\u2028b', backend: 'https://h/\'"', provider: '\\' })]) {
      const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: pythonSnippet(identity) });
      assert.equal(r.status, 0, r.stderr.toString());
    }
  });
});
