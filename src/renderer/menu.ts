/**
 * A menu button (WAI-ARIA "menu button" pattern): Enter, Space or ArrowDown opens it on the first
 * item, arrows move, Home/End jump, Escape closes and returns focus, Tab closes and moves on.
 */
import { h, uid } from './dom.ts';

export interface MenuItem {
  label: string;
  run: () => void;
}

/**
 * A button that opens a list of actions. `focusKey` lets a re-render find the button again;
 * `primary` makes it the card's main action.
 */
export function menuButton(label: string, accessibleLabel: string, items: MenuItem[], focusKey?: string, primary = false): HTMLElement {
  const menuId = uid('menu');
  const button = h('button', {
    type: 'button', class: primary ? 'btn primary' : 'btn', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId,
    'aria-label': accessibleLabel, 'data-focus-key': focusKey,
  }, label, h('span', { class: 'caret', 'aria-hidden': 'true' }));
  const entries = items.map((item) => h('button', { type: 'button', role: 'menuitem', tabindex: '-1', class: 'menu-item' }, item.label));
  const menu = h('div', { id: menuId, role: 'menu', class: 'menu', 'aria-label': accessibleLabel, hidden: true }, ...entries);
  const wrapper = h('div', { class: 'menu-wrap' }, button, menu);

  const isOpen = (): boolean => !menu.hidden;
  const focusItem = (i: number): void => entries[(i + entries.length) % entries.length]?.focus();
  function open(first: 'first' | 'last'): void {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    focusItem(first === 'first' ? 0 : -1);
    document.addEventListener('pointerdown', onOutside, true);
  }
  function close(returnFocus: boolean): void {
    if (!isOpen()) return;
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onOutside, true);
    if (returnFocus) button.focus();
  }
  function onOutside(event: Event): void {
    if (!wrapper.contains(event.target as Node)) close(false);
  }

  button.addEventListener('click', () => (isOpen() ? close(true) : open('first')));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); open('first'); }
    if (event.key === 'ArrowUp') { event.preventDefault(); open('last'); }
  });
  entries.forEach((entry, i) => {
    entry.addEventListener('click', () => {
      close(true);
      items[i]?.run();
    });
  });
  menu.addEventListener('keydown', (event) => {
    const current = entries.indexOf(document.activeElement as HTMLButtonElement);
    const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: -1 };
    const to = moves[event.key];
    if (to !== undefined) { event.preventDefault(); focusItem(to); }
    else if (event.key === 'Escape') { event.preventDefault(); close(true); }
    else if (event.key === 'Tab') close(false);
  });
  menu.addEventListener('focusout', (event) => {
    if (!wrapper.contains(event.relatedTarget as Node | null)) close(false);
  });
  return wrapper;
}
