/**
 * Hostile input: the JSON an openEO backend sends (`/.well-known/openeo`, capabilities,
 * `/credentials/oidc`, `/me`, `/jobs` items). Documents are generated spec-shaped with fields
 * that are sometimes hostile, so the properties reach deep fields, not only the top level.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ErrorCode } from '../../../src/main/core/errors.ts';
import { parseJob, parseMe } from '../../../src/main/core/openeo/api.ts';
import { parseCapabilities, parseWellKnown } from '../../../src/main/core/openeo/discovery.ts';
import { parseOidcProviders } from '../../../src/main/core/openeo/providers.ts';
import { clearRegisteredSecrets, registerSecret } from '../../../src/shared/redact.ts';
import {
  RUNS,
  assertNoPollution,
  assertTypedFailure,
  documentOf,
  edgeNumber,
  hostileString,
  outcomeOf,
  overTheWire,
  plantSecret,
  secretToken,
  shapeMaskedToken,
  slotted,
} from '../../helpers/arbitraries.ts';

const text = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 16 }) }, { weight: 1, arbitrary: hostileString });
const listOf = (item: fc.Arbitrary<unknown>) => fc.array(item, { maxLength: 4 });
const link = documentOf({ href: fc.oneof(fc.webUrl(), text), rel: fc.constantFrom('next', 'self', 'alternate'), title: text });
const version = fc.oneof(fc.constantFrom('1.0.0', '1.1.0', '1.2.0', '0.4.2', '2.0.0', 'v1', '1.2.0-rc.1'), text);

const wellKnown = documentOf({
  versions: listOf(documentOf({ url: fc.oneof(fc.webUrl(), text), api_version: version, production: fc.boolean() })),
});

const capabilities = documentOf({
  api_version: version,
  backend_version: text,
  stac_version: fc.constant('1.0.0'),
  id: text,
  title: text,
  description: text,
  production: fc.boolean(),
  endpoints: listOf(documentOf({ path: fc.constantFrom('/me', '/jobs', '/credentials/oidc', '/'), methods: listOf(fc.constantFrom('GET', 'post', 'Delete')) })),
  conformsTo: listOf(fc.oneof(fc.constantFrom('https://api.openeo.org/1.3.0/authentication/jwt', 'https://api.openeo.org/1.2.0'), text)),
  links: listOf(link),
});

const issuer = fc.oneof(
  fc.webUrl({ validSchemes: ['https'] }),
  fc.constantFrom('https://idp.example/', 'https://idp.example///', 'http://127.0.0.1:8080/realms/x', 'http://localhost/', 'http://idp.example',
    ' https://idp.example ', 'https://user:pw@idp.example', 'ftp://idp.example', 'https://', 'https:///x', 'http://[::1]:1/', 'https://idp.example/?q=1#f/'),
  text,
);
/** Providers have many nested fields: each is rarely hostile, or hardly any list would be valid. */
const mild = { validWeight: 60 };
const defaultClient = documentOf({
  id: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), text),
  grant_types: fc.array(fc.oneof(fc.constantFrom('urn:ietf:params:oauth:grant-type:device_code+pkce', 'refresh_token', 'authorization_code+pkce'), text), { minLength: 1, maxLength: 3 }),
  redirect_urls: listOf(fc.oneof(fc.webUrl(), text)),
}, mild);
const provider = documentOf({
  id: fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/) }, { weight: 1, arbitrary: text }),
  issuer: fc.oneof({ weight: 3, arbitrary: fc.webUrl({ validSchemes: ['https'] }) }, { weight: 2, arbitrary: issuer }),
  title: text,
  description: text,
  scopes: listOf(fc.oneof(fc.constantFrom('openid', 'offline_access', 'email'), text)),
  default_clients: fc.array(defaultClient, { maxLength: 2 }),
  links: fc.array(documentOf({ href: fc.webUrl(), rel: fc.constantFrom('about', 'help'), title: text }, mild), { maxLength: 2 }),
}, mild);
const providers = documentOf({ providers: fc.array(provider, { minLength: 1, maxLength: 3 }) });

const me = documentOf({
  user_id: fc.oneof(fc.uuid(), text),
  name: text,
  default_plan: text,
  budget: fc.oneof(edgeNumber, fc.constant(null)),
  storage: documentOf({ free: edgeNumber, quota: edgeNumber }),
  links: listOf(link),
});

const job = documentOf({
  id: fc.oneof(fc.uuid(), text),
  title: text,
  status: fc.oneof(fc.constantFrom('created', 'queued', 'running', 'canceled', 'finished', 'error', 'submitted', 'DONE', 'cancelled'), text, edgeNumber),
  progress: edgeNumber,
  created: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  updated: text,
  plan: text,
  costs: edgeNumber,
});

/** A body as it reaches a parser: usually the spec-shaped document, sometimes anything at all. */
function body(doc: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: overTheWire(doc) }, { weight: 1, arbitrary: fc.oneof(hostileString, edgeNumber, fc.constant(null), fc.array(doc, { maxLength: 2 })) });
}

/**
 * The hostile-input property for one parser: typed failure (`codes`) or a value passing
 * `valid`; no pollution; a planted, registered secret never in a message. Also fails when
 * accepted or refused inputs are too rare for the property to mean anything.
 */
function hostileParse<T>(
  t: TestContext,
  doc: fc.Arbitrary<Record<string, unknown>>,
  parse: (body: unknown) => T,
  codes: readonly ErrorCode[],
  valid: (value: T, input: unknown) => void,
): void {
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(body(doc), secretToken, (template, secret) => {
      clearRegisteredSecrets();
      registerSecret(secret);
      const input = plantSecret(template, secret);
      const result = outcomeOf(() => parse(input));
      if (result.ok) {
        accepted++;
        valid(result.value, input);
      } else {
        refused++;
        assertTypedFailure(result.error, codes, secret);
      }
      assertNoPollution();
    }),
    { numRuns: RUNS },
  );
  t.diagnostic(`${accepted} accepted, ${refused} refused`);
  assert.ok(accepted >= RUNS / 20 && refused >= RUNS / 20, `generator out of balance: ${accepted} accepted, ${refused} refused`);
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isNonEmpty = (v: unknown): boolean => isText(v) && v.trim() !== '';
const finiteOrAbsent = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));
function assertOnlyKeys(o: object, allowed: readonly string[], what: string): void {
  for (const key of Reflect.ownKeys(o)) assert.ok(allowed.includes(String(key)), `${what} has an unexpected key ${String(key)}`);
  assert.equal(Object.getPrototypeOf(o), Object.prototype, `${what} is not a plain object`);
}
function assertLinks(links: unknown): void {
  assert.ok(Array.isArray(links));
  for (const l of links as Array<Record<string, unknown>>) {
    assertOnlyKeys(l, ['href', 'rel', 'title'], 'link');
    assert.ok(isText(l['href']) && l['href'] !== '' && (l['rel'] === undefined || isText(l['rel'])) && (l['title'] === undefined || isText(l['title'])));
  }
}
const BACKEND_INVALID: readonly ErrorCode[] = ['BACKEND_INVALID_RESPONSE'];

test('parseWellKnown: a list of API instances or BACKEND_INVALID_RESPONSE', { timeout: 60_000 }, (t) => {
  hostileParse(t, wellKnown, (b) => parseWellKnown(b), BACKEND_INVALID, (instances, input) => {
    assert.equal(instances.length, ((input as { versions: unknown[] }).versions).length);
    for (const v of instances) {
      assertOnlyKeys(v, ['url', 'apiVersion', 'production'], 'instance');
      assert.ok(isNonEmpty(v.url) && isNonEmpty(v.apiVersion) && typeof v.production === 'boolean');
    }
  });
});

test('parseCapabilities: capabilities or BACKEND_INVALID_RESPONSE', { timeout: 60_000 }, (t) => {
  hostileParse(t, capabilities, (b) => parseCapabilities(b), BACKEND_INVALID, (caps) => {
    assertOnlyKeys(caps, ['apiVersion', 'title', 'backendVersion', 'endpoints', 'conformsTo', 'jwtBearer', 'production'], 'capabilities');
    assert.ok(isNonEmpty(caps.apiVersion));
    assert.ok(caps.title === undefined || isText(caps.title));
    assert.ok(caps.backendVersion === undefined || isText(caps.backendVersion));
    assert.ok(caps.production === undefined || typeof caps.production === 'boolean');
    assert.equal(typeof caps.jwtBearer, 'boolean');
    assert.ok(caps.conformsTo.every(isText));
    for (const e of caps.endpoints) {
      assertOnlyKeys(e, ['path', 'methods'], 'endpoint');
      assert.ok(isText(e.path) && e.methods.every((m) => isText(m) && m === m.toUpperCase()));
    }
  });
});

/** The spec's rules for a provider, checked independently. */
function assertProviderValid(p: ReturnType<typeof parseOidcProviders>[number]): void {
  assertOnlyKeys(p, ['id', 'issuer', 'title', 'description', 'scopes', 'defaultClients', 'links'], 'provider');
  assert.match(p.id, /^[A-Za-z0-9_]{1,20}$/, 'provider id breaks the spec pattern');
  const url = new URL(p.issuer);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost') || /^127\./.test(url.hostname);
  assert.ok(url.protocol === 'https:' || (url.protocol === 'http:' && loopback), `issuer not https: ${p.issuer}`);
  assert.equal(url.username + url.password, '', 'issuer with user info');
  assert.ok(!p.issuer.endsWith('/'), `issuer with trailing slash: ${p.issuer}`);
  assert.equal(p.issuer, p.issuer.trim(), 'issuer with surrounding blanks');
  assert.ok(isText(p.title) && (p.description === undefined || isText(p.description)));
  assert.ok(p.scopes.every(isText));
  for (const c of p.defaultClients) {
    assertOnlyKeys(c, ['id', 'grantTypes', 'redirectUrls'], 'default client');
    assert.ok(isNonEmpty(c.id) && c.grantTypes.length > 0 && c.grantTypes.every(isText) && c.redirectUrls.every(isText));
  }
  assertLinks(p.links);
}

test('parseOidcProviders: spec-valid providers or a typed error', { timeout: 60_000 }, (t) => {
  hostileParse(t, providers, (b) => parseOidcProviders(b), ['BACKEND_INVALID_RESPONSE', 'NO_OIDC_PROVIDER', 'INSECURE_URL', 'INVALID_URL'], (list) => {
    assert.ok(list.length > 0, 'an empty list is NO_OIDC_PROVIDER, not a value');
    assert.equal(new Set(list.map((p) => p.id)).size, list.length, 'provider ids repeat');
    list.forEach(assertProviderValid);
  });
});

test('parseMe: account facts or BACKEND_INVALID_RESPONSE', { timeout: 60_000 }, (t) => {
  hostileParse(t, me, (b) => parseMe(b), BACKEND_INVALID, (user) => {
    assertOnlyKeys(user, ['userId', 'name', 'defaultPlan', 'budget', 'storage', 'links'], 'user');
    assert.ok(isNonEmpty(user.userId));
    assert.ok(user.budget === null || finiteOrAbsent(user.budget));
    if (user.storage) assert.ok(Number.isFinite(user.storage.free) && Number.isFinite(user.storage.quota));
    assertLinks(user.links);
  });
});

test('parseJob: a job or BACKEND_INVALID_RESPONSE', { timeout: 60_000 }, (t) => {
  hostileParse(t, job, (b) => parseJob(b), BACKEND_INVALID, (j) => {
    assertOnlyKeys(j, ['id', 'title', 'status', 'progress', 'created', 'updated', 'plan', 'costs', 'reportedStatus'], 'job');
    assert.ok(isNonEmpty(j.id) && isText(j.created));
    assert.ok(['created', 'queued', 'running', 'canceled', 'finished', 'error'].includes(j.status));
    assert.ok(j.progress === undefined || (j.progress >= 0 && j.progress <= 100));
    assert.ok(finiteOrAbsent(j.costs));
    assert.ok(j.reportedStatus === undefined || j.reportedStatus.length <= 40);
  });
});

test('parseJob: a status word naming an Object.prototype member is just an unknown word', () => {
  // Regression: the alias table was indexed with the backend's word, so "constructor" became a function.
  for (const status of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const j = parseJob({ id: 'j-1', status });
    assert.equal(j.status, 'running', status);
    assert.equal(j.reportedStatus, status);
  }
});

test('a token a backend puts in a wrong field is masked by its shape, even unregistered', { timeout: 60_000 }, () => {
  // E.g. a backend that echoes the bearer as `user_id: 42` or a provider id: the message names
  // the field and shows a short piece of the value, which must not be a piece of the token.
  const parsers: Array<[string, (b: unknown) => unknown, readonly ErrorCode[]]> = [
    ['user_id', (b) => parseMe({ user_id: b }), BACKEND_INVALID],
    ['provider id', (b) => parseOidcProviders({ providers: [{ id: b, issuer: 'https://idp.example', title: 't' }] }), BACKEND_INVALID],
    ['issuer', (b) => parseOidcProviders({ providers: [{ id: 'x', issuer: b, title: 't' }] }), ['BACKEND_INVALID_RESPONSE', 'INVALID_URL', 'INSECURE_URL']],
    ['api_version', (b) => parseWellKnown({ versions: [{ url: 'https://x', api_version: 1, production: b }] }), BACKEND_INVALID],
  ];
  fc.assert(
    fc.property(fc.constantFrom(...parsers), slotted, shapeMaskedToken, ([, parse, codes], template, secret) => {
      clearRegisteredSecrets();
      const result = outcomeOf(() => parse(plantSecret(template, secret)));
      if (!result.ok) assertTypedFailure(result.error, codes, secret);
    }),
    { numRuns: RUNS },
  );
});
