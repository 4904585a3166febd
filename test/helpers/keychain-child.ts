/**
 * Runs keychain operations through the real keytar adapter in a fresh process, so a test can
 * point it at any keyring (unlocked, locked, absent) through the child's environment.
 *
 *   node --import tsx test/helpers/keychain-child.ts <service> '<json array of operations>'
 *
 * Prints one JSON line per operation: {ok: true, value} or {ok: false, code, message, nextStep}.
 */
import { createKeytarSecretStore } from '../../src/main/core/keychain/keytar-store.ts';
import { isAuthTrayError } from '../../src/main/core/errors.ts';

export type KeychainOp =
  | { op: 'get' | 'delete'; key: string }
  | { op: 'set'; key: string; value: string }
  | { op: 'health' };

export type KeychainOpResult =
  | { ok: true; value: unknown; ms: number }
  | { ok: false; code: string; message: string; nextStep?: string; ms: number };

const [service, opsJson] = process.argv.slice(2);
if (!service || !opsJson) throw new Error('usage: keychain-child.ts <service> <operations-json>');
const store = createKeytarSecretStore({ service });

for (const op of JSON.parse(opsJson) as KeychainOp[]) {
  const started = performance.now();
  let result: KeychainOpResult;
  try {
    const value =
      op.op === 'get' ? await store.get(op.key)
      : op.op === 'set' ? await store.set(op.key, op.value)
      : op.op === 'delete' ? await store.delete(op.key)
      : await store.health();
    result = { ok: true, value: value ?? null, ms: performance.now() - started };
  } catch (e) {
    if (!isAuthTrayError(e)) throw e;
    result = { ok: false, code: e.code, message: e.message, ms: performance.now() - started, ...(e.nextStep ? { nextStep: e.nextStep } : {}) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
