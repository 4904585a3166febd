import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { displayText, hostOf } from '../../../src/shared/format/display-text.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';

describe('displayText', () => {
  afterEach(() => clearRegisteredSecrets());

  test('removes registered secrets and token-shaped strings', () => {
    registerSecret('s3cret-refresh-value');
    const out = displayText('label s3cret-refresh-value and eyJhbGciOi.eyJzdWIiOiJ4In0.sig');
    assert.ok(!out.includes('s3cret-refresh-value'), out);
    assert.ok(!out.includes('eyJzdWIiOiJ4In0'), out);
  });

  test('makes one line and cuts long text with an ellipsis', () => {
    assert.equal(displayText('a\nb\t\u0007c   d'), 'a b c d');
    const cut = displayText('x'.repeat(10) + ' ' + 'y'.repeat(30), 20);
    assert.equal(cut.length, 20);
    assert.ok(cut.endsWith('…'));
  });

  test('hostOf shows the host, or the text when it is not a URL', () => {
    assert.equal(hostOf('https://openeo.dataspace.copernicus.eu/openeo/1.2'), 'openeo.dataspace.copernicus.eu');
    assert.equal(hostOf('http://127.0.0.1:8080'), '127.0.0.1:8080');
    assert.equal(hostOf('not a url'), 'not a url');
  });
});
