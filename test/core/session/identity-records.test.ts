import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isIdentityBackend, resolveIdentity, resolveIdentityAt } from '../../../src/main/core/session/identity-records.ts';
import { isAuthTrayError } from '../../../src/main/core/errors.ts';
import type { Identity } from '../../../src/shared/model.ts';
import { makeIdentity } from '../lifecycle/fake-host.ts';

/** A CDSE login; `makeIdentity` gives the token facts, which play no part here. */
function identity(id: string, over: Partial<Identity> = {}): Identity {
  return makeIdentity(id, 0, {
    label: id.toUpperCase(),
    backendUrl: 'https://openeo.dataspace.copernicus.eu',
    apiUrl: 'https://openeo.dataspace.copernicus.eu/openeo/1.2',
    ...over,
  });
}

const cdse = identity('cdse-1a2b3c');
const robot = identity('cdse-4d5e6f', { kind: 'client-credentials', label: 'robot' });
const fed = identity('fed-777777', { backendUrl: 'https://openeofed.dataspace.copernicus.eu', apiUrl: 'https://openeofed.dataspace.copernicus.eu/openeo/1.2' });

describe('isIdentityBackend', () => {
  test('the backend URL, its API root and paths below it on the same origin', () => {
    for (const url of ['https://openeo.dataspace.copernicus.eu', 'https://openeo.dataspace.copernicus.eu/openeo/1.2', 'https://openeo.dataspace.copernicus.eu/openeo/1.1']) {
      assert.equal(isIdentityBackend(cdse, url), true, url);
    }
  });
  test('never another host, port, scheme, or a name that only starts the same', () => {
    for (const url of ['https://openeofed.dataspace.copernicus.eu', 'https://openeo.dataspace.copernicus.eu.evil.example', 'https://openeo.dataspace.copernicus.eu:444',
      'http://openeo.dataspace.copernicus.eu', 'https://openeo.dataspace.copernicus.eu-x']) {
      assert.equal(isIdentityBackend(cdse, url), false, url);
    }
    const local = identity('t', { backendUrl: 'http://127.0.0.1:8080/openeo', apiUrl: 'http://127.0.0.1:8080/openeo/1.2' });
    assert.equal(isIdentityBackend(local, 'http://127.0.0.1:8080/openeo-other'), false);
    assert.equal(isIdentityBackend(local, 'http://127.0.0.1:8080'), false, 'the origin alone is not the backend below it');
  });
});

describe('resolveIdentityAt', () => {
  const all = [cdse, robot, fed];
  test('without a backend it is resolveIdentity', () => {
    assert.equal(resolveIdentityAt([cdse], undefined, undefined), resolveIdentity([cdse], undefined));
  });
  test('the only login at the backend, found from any spelling of its address', () => {
    assert.equal(resolveIdentityAt(all, undefined, 'openeofed.dataspace.copernicus.eu/'), fed);
    assert.equal(resolveIdentityAt(all, undefined, 'https://openeofed.dataspace.copernicus.eu/openeo/1.2/'), fed);
  });
  test('several there: IDENTITY_AMBIGUOUS naming them; none: IDENTITY_NOT_FOUND with how to sign in', () => {
    assert.throws(() => resolveIdentityAt(all, undefined, 'openeo.dataspace.copernicus.eu'), (e) =>
      isAuthTrayError(e, 'IDENTITY_AMBIGUOUS') && e.sentence.includes('cdse-1a2b3c (CDSE-1A2B3C)') && e.sentence.includes('cdse-4d5e6f (robot)') && !e.sentence.includes('fed-'));
    assert.throws(() => resolveIdentityAt(all, undefined, 'openeo.vito.be'), (e) =>
      isAuthTrayError(e, 'IDENTITY_NOT_FOUND') && e.sentence.includes('openeo-auth-tray login https://openeo.vito.be'));
  });
  test('a named login of another backend is refused, not re-pointed', () => {
    assert.equal(resolveIdentityAt(all, 'robot', 'openeo.dataspace.copernicus.eu'), robot);
    assert.throws(() => resolveIdentityAt(all, 'cdse-1a2b3c', 'openeofed.dataspace.copernicus.eu'), (e) =>
      isAuthTrayError(e, 'IDENTITY_BACKEND_MISMATCH') && /is for https:\/\/openeo\.dataspace\.copernicus\.eu, not for https:\/\/openeofed/.test(e.message));
  });
  test('a bad address is INVALID_URL / INSECURE_URL', () => {
    assert.throws(() => resolveIdentityAt(all, undefined, 'ftp://x'), (e) => isAuthTrayError(e, 'INVALID_URL'));
    assert.throws(() => resolveIdentityAt(all, undefined, 'http://openeo.example'), (e) => isAuthTrayError(e, 'INSECURE_URL'));
  });
});
