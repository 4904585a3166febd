/**
 * The agent's half of oidc-agent's key exchange against tweetnacl's own `crypto_box` (the public
 * API, not the pieces the agent is built from): the same key, and messages that open on the other
 * side. The real clients (liboidcagent with PyNaCl, oidc-token with libsodium) are in test/agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { agentKeysFromSecret, newAgentKeys, openMessage, parsePublicKey, sealMessage, sharedKey } from '../../../src/main/core/agent/nacl-box.ts';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

test('the shared key is crypto_box_beforenm: tweetnacl\'s box.before gives the same for any two keys', () => {
  fc.assert(fc.property(bytes32, bytes32, (agentSecret, clientSecret) => {
    const client = nacl.box.keyPair.fromSecretKey(clientSecret);
    const keys = agentKeysFromSecret(agentSecret);
    const agentPublic = parsePublicKey(keys.publicKeyBase64)!;
    assert.deepEqual(sharedKey(keys, client.publicKey), nacl.box.before(client.publicKey, agentSecret));
    assert.deepEqual(agentPublic, nacl.box.keyPair.fromSecretKey(agentSecret).publicKey);
  }), { numRuns: 50 });
});

test('a request sealed by a client (nacl.box) opens; the answer opens on the client\'s side', () => {
  const keys = newAgentKeys();
  const client = nacl.box.keyPair();
  const agentPublic = parsePublicKey(keys.publicKeyBase64)!;
  const request = JSON.stringify({ request: 'access_token', account: 'cdse-3f9a1c', application_hint: 'pythön ✓' });
  const nonce = nacl.randomBytes(24);
  const sealed = nacl.box(new TextEncoder().encode(request), nonce, agentPublic, client.secretKey);
  // Python's liboidcagent counts characters: the prefix is shorter than the bytes.
  const wire = `${request.length}:${Buffer.from(nonce).toString('base64')}:${Buffer.from(sealed).toString('base64')}`;
  const key = sharedKey(keys, client.publicKey);
  assert.equal(openMessage(wire, key), request);

  const answer = sealMessage('{"status":"success","åccess":"ü"}', key);
  const [len, n, c] = answer.split(':');
  assert.equal(Number(len), Buffer.byteLength('{"status":"success","åccess":"ü"}'), 'the length in bytes, as libsodium\'s clients read it');
  const opened = nacl.box.open(new Uint8Array(Buffer.from(c!, 'base64')), new Uint8Array(Buffer.from(n!, 'base64')), agentPublic, client.secretKey);
  assert.equal(Buffer.from(opened!).toString('utf8'), '{"status":"success","åccess":"ü"}');
});

test('a message that is cut, changed, or sealed for another key does not open', () => {
  const keys = newAgentKeys();
  const client = nacl.box.keyPair();
  const key = sharedKey(keys, client.publicKey);
  const whole = sealMessage('{"request":"loaded_accounts"}', key);
  assert.ok(openMessage(whole, key));
  for (let cut = 0; cut < whole.length; cut += 7) assert.equal(openMessage(whole.slice(0, cut), key), null, `cut at ${cut}`);
  const flipped = whole.slice(0, -5) + (whole.at(-5) === 'A' ? 'B' : 'A') + whole.slice(-4);
  assert.equal(openMessage(flipped, key), null);
  assert.equal(openMessage(whole, sharedKey(keys, nacl.box.keyPair().publicKey)), null);
  for (const garbage of ['', ':', '1:2:3', 'x:AAAA:BBBB', '99999999999:a:b', `5:${'A'.repeat(32)}:${'%'.repeat(40)}`]) assert.equal(openMessage(garbage, key), null, garbage);
});

test('only a 32-byte base64 key is a public key', () => {
  assert.ok(parsePublicKey(Buffer.alloc(32, 7).toString('base64')));
  assert.ok(parsePublicKey(`${Buffer.alloc(32, 7).toString('base64')}\n`));
  for (const bad of ['', 'abc', Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), '{"request":"x"}', `${'%'.repeat(43)}=`]) assert.equal(parsePublicKey(bad), null, bad);
});
