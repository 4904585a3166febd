/** What crosses the IPC boundary: a value, or an error a person can read. Never a raw Error. */
export type Result<T> =
  | { ok: true; value: T }
  | { ok: false; code: string; message: string; nextStep?: string };
