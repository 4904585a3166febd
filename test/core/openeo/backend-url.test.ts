import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AuthTrayError } from '../../../src/main/core/errors.ts';
import { normaliseBackendUrl } from '../../../src/main/core/openeo/backend-url.ts';
import { assertSecureUrl, isLoopbackHost } from '../../../src/main/core/net/loopback.ts';
import { throwsWith } from './support.ts';

describe('isLoopbackHost', () => {
  test('accepts every spelling of this machine', () => {
    for (const host of ['127.0.0.1', '127.255.1.9', '127.1', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost', 'LOCALHOST', 'localhost.']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });
  test('refuses other hosts, including look-alikes', () => {
    for (const host of ['api.localhost', 'evil.localhost.', 'a.b.localhost', '128.0.0.1', '10.0.0.1', '::2', 'localhost.example.com', 'mylocalhost', '127.0.0.1.nip.io', 'example.com', '', '[::ffff:8.8.8.8]', '127.0.0.256']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});

describe('normaliseBackendUrl', () => {
  test('turns what users type into one canonical https URL', () => {
    const cases: Array<[string, string]> = [
      ['openeo.dataspace.copernicus.eu', 'https://openeo.dataspace.copernicus.eu'],
      ['  https://openeo.dataspace.copernicus.eu/  ', 'https://openeo.dataspace.copernicus.eu'],
      ['HTTPS://OpenEO.DataSpace.Copernicus.EU//', 'https://openeo.dataspace.copernicus.eu'],
      ['https://openeo.dataspace.copernicus.eu/openeo/1.2/', 'https://openeo.dataspace.copernicus.eu/openeo/1.2'],
      ['https://openeo.example:443/api/v1#top', 'https://openeo.example/api/v1'],
      ['openeo.example:8443/openeo', 'https://openeo.example:8443/openeo'],
      ['//openeo.example', 'https://openeo.example'],
      ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
      ['http://[::1]:9000/openeo/1.2', 'http://[::1]:9000/openeo/1.2'],
      ['http://localhost:8080', 'http://localhost:8080'],
    ];
    for (const [input, expected] of cases) assert.equal(normaliseBackendUrl(input), expected, input);
  });

  test('a bare loopback host also becomes https (bare hosts always do)', () => {
    assert.equal(normaliseBackendUrl('localhost:8080'), 'https://localhost:8080');
    assert.equal(normaliseBackendUrl('127.0.0.1:8080'), 'https://127.0.0.1:8080');
  });

  test('plain http to another machine is refused with the reason and the https address', () => {
    const e = throwsWith(() => normaliseBackendUrl('http://openeo.example/openeo/'), 'INSECURE_URL');
    assert.match(e.message, /plain http/);
    assert.match(e.message, /unencrypted/);
    assert.match(e.nextStep ?? '', /https:\/\/openeo\.example\/openeo/);
  });

  test('other schemes, empty and non-addresses are INVALID_URL', () => {
    for (const input of ['', '   ', 'ftp://openeo.example', 'file:///etc/passwd', 'javascript:alert(1)', 'https://', 'exa mple.com', 'x'.repeat(3000)]) {
      throwsWith(() => normaliseBackendUrl(input), 'INVALID_URL');
    }
  });

  test('a query part is refused with the address to use instead', () => {
    const e = throwsWith(() => normaliseBackendUrl('https://editor.openeo.org/?server=x'), 'INVALID_URL');
    assert.match(e.nextStep ?? '', /https:\/\/editor\.openeo\.org/);
  });

  test('credentials in the address are refused, and never echoed', () => {
    for (const input of ['https://alice:s3cr3t-PASS@openeo.example/', 'alice:s3cr3t-PASS@openeo.example', 'https://s3cr3t-PASS@openeo.example']) {
      const e = throwsWith(() => normaliseBackendUrl(input), 'INVALID_URL');
      assert.doesNotMatch(`${e.message} ${e.nextStep}`, /s3cr3t-PASS/);
      assert.match(e.nextStep ?? '', /openeo\.example/);
    }
  });

  test('property: never throws anything but an AuthTrayError, and is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.domain()), (input) => {
        let out: string;
        try {
          out = normaliseBackendUrl(input);
        } catch (e) {
          assert.ok(e instanceof AuthTrayError, String(e));
          return;
        }
        assert.equal(normaliseBackendUrl(out), out);
        const url = new URL(out);
        assert.ok(url.protocol === 'https:' || isLoopbackHost(url.hostname));
        assert.doesNotMatch(out, /\/$/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('assertSecureUrl', () => {
  test('https and loopback http pass and come back parsed', () => {
    assert.equal(assertSecureUrl('https://identity.example/realms/x', 'the issuer').host, 'identity.example');
    assert.equal(assertSecureUrl('http://127.0.0.1:5555/', 'the issuer').port, '5555');
    assert.equal(assertSecureUrl('http://localhost/cb', 'the redirect').pathname, '/cb');
  });
  test('names what was checked in its refusal', () => {
    const e = throwsWith(() => assertSecureUrl('http://identity.example', 'the issuer of login provider "x"'), 'INSECURE_URL');
    assert.match(e.message, /the issuer of login provider "x"/);
    throwsWith(() => assertSecureUrl('/relative', 'the token endpoint'), 'INVALID_URL');
    throwsWith(() => assertSecureUrl('ftp://identity.example', 'the issuer'), 'INVALID_URL');
    throwsWith(() => assertSecureUrl('https://u:p@identity.example', 'the issuer'), 'INVALID_URL');
  });
});

describe('*.localhost is not loopback for plain http (issue 10, item 8)', () => {
  // glibc resolves `<name>.localhost` through the configured DNS server: a query leaves the
  // machine, and whoever answers would receive tokens in clear text.
  test('a backend, an issuer and a link on http://<name>.localhost are refused', async () => {
    const { checkIssuerUrl } = await import('../../../src/main/core/oidc/issuer.ts');
    const { isOpenableUrl } = await import('../../../src/main/core/external-url.ts');
    throwsWith(() => normaliseBackendUrl('http://openeo.localhost:8080'), 'INSECURE_URL');
    throwsWith(() => assertSecureUrl('http://api.localhost/openeo/1.2', 'the API'), 'INSECURE_URL');
    throwsWith(() => checkIssuerUrl('http://idp.localhost:9000/realms/x'), 'INSECURE_URL');
    assert.equal(isOpenableUrl('http://login.localhost/device'), false);
    // Plain localhost and the loopback addresses stay allowed.
    assert.equal(normaliseBackendUrl('http://localhost:8080'), 'http://localhost:8080');
    assert.equal(isOpenableUrl('http://127.0.0.1:8080/x'), true);
  });
});
