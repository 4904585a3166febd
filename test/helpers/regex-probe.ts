/**
 * How long a text any regular expression ran over while `fn` ran: the structural form of "every
 * text from a peer is length-capped before any regex" (a backtracking pattern is only as slow as
 * the text it is given). Every RegExp method and every String method taking a RegExp goes through
 * `RegExp.prototype.exec` once that is replaced (ECMA-262 RegExpExec), so one hook sees them all.
 */
export function longestRegexInput<T>(fn: () => T): { value: T; longest: number } {
  // Taken unbound on purpose: the probe calls it with each regex as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = RegExp.prototype.exec;
  let longest = 0;
  RegExp.prototype.exec = function exec(this: RegExp, input: string) {
    longest = Math.max(longest, String(input).length);
    return original.call(this, input);
  };
  try {
    return { value: fn(), longest };
  } finally {
    RegExp.prototype.exec = original;
  }
}
