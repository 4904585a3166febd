/**
 * The agent's protocol on its own: what a client may send (untrusted, bounded), and that every
 * answer matches the one written contract, docs/agent-protocol.schema.json (the Python bridge's
 * tests check their side against the same file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020.js';
import { AuthTrayError, exitCodeFor } from '../../../src/main/core/errors.ts';
import { failureAnswer, MAX_REQUEST_BYTES, parseRequest, RequestRefused, tokenAnswer } from '../../../src/main/core/agent/protocol.ts';
import { sampleIdentity } from '../../helpers/sample-identity.ts';

const SCHEMA_PATH = fileURLToPath(new URL('../../../docs/agent-protocol.schema.json', import.meta.url));
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { $id: string };
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
ajv.addSchema(schema);
const valid = (def: string, value: unknown): void => {
  const check = ajv.getSchema(`${schema.$id}#/$defs/${def}`)!;
  assert.ok(check(value), `${def}: ${JSON.stringify(check.errors)}\n${JSON.stringify(value)}`);
};

test('oidc-agent\'s access_token request, as liboidcagent and oidc-token send it, and with our fields', () => {
  const lib = '{"request": "access_token", "account": "cdse-3f9a1c", "min_valid_period": 0}';
  assert.deepEqual(parseRequest(lib), { type: 'access_token', account: 'cdse-3f9a1c', minValidS: 0, hint: '' });
  const c = '{"request":"access_token","min_valid_period":60,"issuer":"https://id.example/realms/CDSE/","application_hint":"oidc-token"}';
  assert.deepEqual(parseRequest(c), { type: 'access_token', issuer: 'https://id.example/realms/CDSE/', minValidS: 60, hint: 'oidc-token' });
  const ours = { request: 'access_token', backend: 'https://openeo.example', application_hint: 'python (job.py)\u001b[2J\u202e', min_valid_period: '30', scope: 'openid', audience: 'x', extra: { y: 1 } };
  valid('accessTokenRequest', ours);
  assert.deepEqual(parseRequest(JSON.stringify(ours)), { type: 'access_token', backend: 'https://openeo.example', minValidS: 30, hint: 'python (job.py) [2J' });
  assert.deepEqual(parseRequest('{"request":"loaded_accounts"}'), { type: 'loaded_accounts' });
  // oidc-token --force-new sends oidc-agent's FORCE_NEW_TOKEN.
  const force = '{"request":"access_token","min_valid_period":-1,"account":"a","application_hint":"oidc-token"}';
  valid('accessTokenRequest', JSON.parse(force));
  assert.deepEqual(parseRequest(force), { type: 'access_token', account: 'a', forceNew: true, hint: 'oidc-token' });
});

test('anything else is refused with a sentence and AGENT_REQUEST_INVALID, never an exception of another kind', () => {
  for (const bad of ['', 'x', '[]', 'null', '{"request":1}', '{"request":"mytoken","account":"a"}', '{"request":"access_token","account":"a","issuer":"b"}',
    '{"request":"access_token","min_valid_period":-2}', '{"request":"access_token","min_valid_period":"-1"}', '{"request":"access_token","min_valid_period":"1e9"}', '{"request":"access_token","account":7}',
    `{"request":"access_token","account":"${'a'.repeat(600)}"}`, '{"request":"openeo-auth-tray/forward","identities":[],"for_seconds":9999999}',
    '{"request":"openeo-auth-tray/forward","identities":"a","for_seconds":60}', '{"request":"openeo-auth-tray/forward-stop"}']) {
    assert.throws(() => parseRequest(bad), (e: unknown) => e instanceof RequestRefused && e.code === 'AGENT_REQUEST_INVALID' && e.message.length > 10, bad);
  }
  assert.throws(() => parseRequest(`{"request":"access_token","application_hint":"${'a'.repeat(MAX_REQUEST_BYTES)}"}`), /larger than 64 KiB/);
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 3 }), fc.jsonValue().map((v) => JSON.stringify({ request: 'access_token', ...(typeof v === 'object' && v && !Array.isArray(v) ? v : { account: v }) }))), (text) => {
    try {
      const r = parseRequest(text);
      if (r.type === 'access_token') {
        // eslint-disable-next-line no-control-regex -- control characters are exactly what must be gone
        assert.ok(r.hint.length <= 200 && !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/.test(r.hint));
        assert.ok(r.minValidS === undefined || (Number.isFinite(r.minValidS) && r.minValidS >= 0 && r.minValidS <= 10 * 365 * 86_400));
      }
    } catch (e) {
      assert.ok(e instanceof RequestRefused, String(e));
    }
  }), { numRuns: 500 });
});

test('a token answer holds the access token and where it may go, never a refresh token or a secret, and fits the contract', () => {
  const identity = sampleIdentity({ id: 'cdse-3f9a1c', label: 'alice' });
  const answer = tokenAnswer(identity, { accessToken: 'eyJhbGciOi.payload.sig', expiresAt: 1_765_105_918_123, bearer: 'oidc/CDSE/eyJhbGciOi.payload.sig' });
  valid('tokenAnswer', answer);
  assert.equal(answer.expires_at, 1_765_105_918);
  assert.equal(tokenAnswer(identity, { accessToken: 'a', expiresAt: null, bearer: 'b' }).expires_at, 0);
  assert.deepEqual(Object.keys(answer).sort(), ['access_token', 'api_url', 'backend', 'bearer', 'expires_at', 'identity', 'issuer', 'kind', 'label', 'provider_id', 'status']);
  // The contract itself refuses an answer that carries a refresh token.
  const check = ajv.getSchema(`${schema.$id}#/$defs/tokenAnswer`)!;
  assert.equal(check({ ...answer, refresh_token: 'r' }), false);
});

test('a failure answer: oidc-agent\'s error and info, our code, and the CLI\'s exit code for it', () => {
  const e = new AuthTrayError('REFRESH_TOKEN_INVALID', 'This login has expired or was revoked — sign in again.', { nextStep: 'Run: openeo-auth-tray login x' });
  const answer = failureAnswer(e, exitCodeFor(e));
  valid('failureAnswer', answer);
  assert.deepEqual(answer, { status: 'failure', error: e.message, info: e.nextStep, code: 'REFRESH_TOKEN_INVALID', exit_code: 3 });
  for (const [code, exit] of [['KEYCHAIN_LOCKED', 4], ['IDP_UNREACHABLE', 5], ['SCRIPT_ACCESS_DENIED', 1], ['AGENT_REQUEST_INVALID', 1]] as const) {
    const a = failureAnswer(new AuthTrayError(code, 'x'), exitCodeFor(new AuthTrayError(code, 'x')));
    valid('failureAnswer', a);
    assert.equal(a.exit_code, exit, code);
  }
});
