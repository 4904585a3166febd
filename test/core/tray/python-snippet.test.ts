import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pythonSnippet } from '../../../src/main/core/tray/python-snippet.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/main/core/redact.ts';
import { status } from './identity-status.ts';

describe('pythonSnippet', () => {
  afterEach(() => clearRegisteredSecrets());

  test('asks the CLI for a token and connects with the backend and provider', () => {
    const code = pythonSnippet(status());
    assert.match(code, /^import subprocess$/m);
    assert.match(code, /^import openeo$/m);
    assert.ok(code.includes('["openeo-auth-tray", "token", "cdse-3f9a1c"]'), code);
    assert.ok(code.includes('capture_output=True, text=True, check=True'));
    assert.ok(code.includes('connection = openeo.connect("https://openeo.dataspace.copernicus.eu")'));
    assert.ok(code.includes('connection.authenticate_oidc_access_token(token, provider_id="CDSE")'));
  });

  test('another command can be given, e.g. the path of a packaged CLI', () => {
    const code = pythonSnippet(status(), { command: ['/opt/openEO Auth Tray/cli', '--quiet'] });
    assert.ok(code.includes('["/opt/openEO Auth Tray/cli", "--quiet", "token", "cdse-3f9a1c"]'), code);
  });

  test('odd text is quoted, never spliced into code, and no secret ends up in it', () => {
    const secret = 'a-client-secret-value';
    registerSecret(secret);
    const code = pythonSnippet(status({ label: `x")\nimport os #${secret}`, backend: 'https://e.x/"q"', provider: 'P"1' }));
    assert.ok(!code.includes(secret));
    assert.ok(!/^import os/m.test(code), code);
    assert.ok(code.includes('openeo.connect("https://e.x/\\"q\\"")'), code);
    assert.ok(code.includes('provider_id="P\\"1"'), code);
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  test('is valid Python, even with hostile labels', { skip: python ? false : 'python3 not installed' }, () => {
    for (const identity of [status(), status({ label: 'a"\'\\\n\u2028b', backend: 'https://h/\'"', provider: '\\' })]) {
      const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: pythonSnippet(identity) });
      assert.equal(r.status, 0, r.stderr.toString());
    }
  });
});
