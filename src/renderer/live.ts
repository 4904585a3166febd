/**
 * Text that changes with the clock (countdowns, "expires in 13 days"). One timer for the whole
 * window; an element drops out once it has left the document.
 */

type Update = (now: number) => void;
const updates = new Map<Element, Update>();
let timer: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  const now = Date.now();
  for (const [el, update] of updates) {
    if (el.isConnected) update(now);
    else updates.delete(el);
  }
  if (updates.size === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** Calls `update(now)` now and every second while `el` is in the document. */
export function everySecond<E extends Element>(el: E, update: (el: E, now: number) => void): E {
  update(el, Date.now());
  updates.set(el, (now) => update(el, now));
  timer ??= setInterval(tick, 1000);
  return el;
}

/** Sets `el`'s text from the clock every second. */
export function liveText<E extends Element>(el: E, text: (now: number) => string): E {
  return everySecond(el, (target, now) => {
    const next = text(now);
    if (target.textContent !== next) target.textContent = next;
  });
}
