/**
 * Runs async tasks one at a time per key, in call order; tasks on different keys run freely.
 * Keychain calls on one key must not overtake each other (a `set` followed by a `get` must see
 * the new value), and native keychain calls otherwise run in parallel on libuv's thread pool.
 */
export class KeySequencer {
  readonly #tails = new Map<string, Promise<void>>();

  /** Starts `task` once every earlier task on `key` has settled; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running (for tests and leak checks). */
  get busyKeys(): number {
    return this.#tails.size;
  }
}
