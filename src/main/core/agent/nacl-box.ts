/**
 * The encryption oidc-agent's clients speak (liboidcagent with PyNaCl, `oidc-token` with
 * libsodium): NaCl's `crypto_box`. The client sends its public key, the agent answers with its
 * own, and the request and the answer travel as `len:nonce:ciphertext` (base64 parts).
 *
 * Built from well-kept libraries only: the X25519 key agreement is Node's (OpenSSL, about 80 µs;
 * tweetnacl's pure-JS one takes 1.5 ms, longer than a whole cached answer should), and the rest of
 * `crypto_box_beforenm` (HSalsa20) and the XSalsa20-Poly1305 `secretbox` are tweetnacl's. A test
 * checks the key against tweetnacl's own `box.before`, and the real clients check the rest.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';

const KEY_BYTES = 32;
const NONCE_BYTES = 24;
/**
 * tweetnacl's HSalsa20 core (`nacl.box.before` runs it after its own, slow, X25519). It is exported
 * as `nacl.lowlevel` but not declared in tweetnacl's types; a test checks the result against
 * `nacl.box.before`, so a tweetnacl without it fails the tests, not a user.
 */
const hsalsa20 = (nacl as unknown as { lowlevel: { crypto_core_hsalsa20: (out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array) => void } })
  .lowlevel.crypto_core_hsalsa20;
/** "expand 32-byte k", the Salsa20 constant `crypto_box_beforenm` passes to HSalsa20. */
const SIGMA = new Uint8Array([101, 120, 112, 97, 110, 100, 32, 51, 50, 45, 98, 121, 116, 101, 32, 107]);

/** The agent's key pair: one per agent process (clients bring a fresh key every time). */
export interface AgentKeys {
  /** Base64, what the agent sends after a client's key. */
  readonly publicKeyBase64: string;
  readonly privateKey: KeyObject;
}

export function newAgentKeys(): AgentKeys {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (!x) throw new Error('X25519 public key without "x"');
  return { publicKeyBase64: Buffer.from(x, 'base64url').toString('base64'), privateKey };
}

/** Keys from a raw 32-byte X25519 secret (tests compare against tweetnacl with it). */
export function agentKeysFromSecret(secret: Uint8Array): AgentKeys {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(secret).toString('base64url'), x: Buffer.from(nacl.scalarMult.base(secret)).toString('base64url') }, format: 'jwk' });
  return { publicKeyBase64: Buffer.from(nacl.scalarMult.base(secret)).toString('base64'), privateKey };
}

/** A client's public key from its base64 text, or null when it is not one. */
export function parsePublicKey(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) return null;
  const raw = Buffer.from(trimmed, 'base64');
  return raw.length === KEY_BYTES ? new Uint8Array(raw) : null;
}

/** `crypto_box_beforenm(clientPublic, agentSecret)`: the key both directions are sealed with. */
export function sharedKey(keys: AgentKeys, clientPublic: Uint8Array): Uint8Array {
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(clientPublic).toString('base64url') }, format: 'jwk' });
  const shared = diffieHellman({ privateKey: keys.privateKey, publicKey });
  const key = new Uint8Array(KEY_BYTES);
  hsalsa20(key, new Uint8Array(16), new Uint8Array(shared), SIGMA);
  return key;
}

/**
 * Opens a `len:nonce:ciphertext` message. Returns the text, or null while it is not (yet) a whole
 * message that opens with `key`: the length prefix is not trusted (Python's client counts
 * characters, libsodium's bytes), the authenticator is.
 */
export function openMessage(text: string, key: Uint8Array): string | null {
  const first = text.indexOf(':');
  const second = text.indexOf(':', first + 1);
  if (first < 1 || second < 0 || !/^\d{1,9}$/.test(text.slice(0, first))) return null;
  // The prefix counts at most the bytes sent (characters or bytes): shorter cannot be whole yet.
  const atLeast = Math.ceil((Number(text.slice(0, first)) + nacl.secretbox.overheadLength) / 3) * 4;
  if (text.length - second - 1 < atLeast) return null;
  const nonce = Buffer.from(text.slice(first + 1, second), 'base64');
  const box = Buffer.from(text.slice(second + 1).trim(), 'base64');
  if (nonce.length !== NONCE_BYTES || box.length < nacl.secretbox.overheadLength) return null;
  const plain = nacl.secretbox.open(new Uint8Array(box), new Uint8Array(nonce), key);
  return plain ? Buffer.from(plain).toString('utf8') : null;
}

/** Seals `text` as `len:nonce:ciphertext`, `len` in bytes as libsodium's clients read it. */
export function sealMessage(text: string, key: Uint8Array): string {
  const plain = Buffer.from(text, 'utf8');
  const nonce = randomBytes(NONCE_BYTES);
  const box = nacl.secretbox(new Uint8Array(plain), new Uint8Array(nonce), key);
  return `${plain.length}:${nonce.toString('base64')}:${Buffer.from(box).toString('base64')}`;
}
