/** Assertions on the app's one error type, for every test folder. */
import { inspect } from 'node:util';
import { AuthTrayError, type ErrorCode } from '../../src/main/core/errors.ts';

/** Awaits `promise` and asserts it rejects with an AuthTrayError of `code`; returns that error. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<AuthTrayError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (e) {
    outcome = e;
  }
  return checkError(outcome, code);
}

/** Synchronous twin of {@link rejectsWith}. */
export function throwsWith(fn: () => unknown, code: ErrorCode): AuthTrayError {
  let outcome: unknown;
  try {
    fn();
  } catch (e) {
    outcome = e;
  }
  return checkError(outcome, code);
}

function checkError(outcome: unknown, code: ErrorCode): AuthTrayError {
  if (outcome === undefined) throw new Error(`expected an AuthTrayError ${code}, but nothing was thrown`);
  if (!(outcome instanceof AuthTrayError)) throw new Error(`expected an AuthTrayError ${code}, got: ${inspect(outcome)}`, { cause: outcome });
  if (outcome.code !== code) throw new Error(`expected code ${code}, got ${outcome.code}: ${outcome.message}`, { cause: outcome });
  return outcome;
}
