/**
 * A menu button (WAI-ARIA "menu button" pattern): Enter, Space or ArrowDown opens it on the first
 * item (on the checked one, for a choice), arrows move, Home/End jump, Escape closes and returns
 * focus, Tab closes and moves on. The open menu is placed by measuring its button and the window
 * (placement.ts) — below or above, left- or right-aligned, always inside the window — and again
 * when the window is resized or the page scrolls. Its position is set through the CSSOM, which the
 * page's CSP allows (it forbids only style attributes and <style> in the markup).
 */
import { h, uid, type Child } from './dom.ts';
import { placePopup } from './placement.ts';

export interface MenuItem {
  label: string;
  /** A second line saying what the item is for (read out with the label: it is part of the item's text). */
  hint?: string;
  /** For a menu of choices: whether this is the one chosen (then the items are `menuitemradio`). */
  checked?: boolean;
  run: () => void;
}

export interface MenuButtonOptions {
  /** Lets a re-render find the button again (`data-focus-key`). */
  focusKey?: string;
  /** The button is its row's main action. */
  primary?: boolean;
  /** What the button shows, when more than its label (e.g. the chosen account over two lines). */
  content?: Child[];
  /** Extra classes for the button. */
  className?: string;
  /** Ids of the elements that name the button (instead of `accessibleLabel`, which then names only the menu). */
  labelledBy?: string;
}

/** A button that opens a list of actions (or choices). */
export function menuButton(label: string, accessibleLabel: string, items: MenuItem[], opts: MenuButtonOptions = {}): HTMLElement {
  const menuId = uid('menu');
  const choice = items.some((item) => item.checked !== undefined);
  const button = h('button', {
    type: 'button', class: `btn${opts.primary ? ' primary' : ''}${opts.className ? ` ${opts.className}` : ''}`,
    'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId, 'data-focus-key': opts.focusKey,
    ...(opts.labelledBy ? { 'aria-labelledby': opts.labelledBy } : { 'aria-label': accessibleLabel }),
  }, ...(opts.content ?? [label]), h('span', { class: 'caret', 'aria-hidden': 'true' }));
  const entries = items.map((item) => h('button', {
    type: 'button', role: choice ? 'menuitemradio' : 'menuitem', tabindex: '-1', class: 'menu-item',
    'aria-checked': choice ? String(item.checked === true) : undefined,
  }, h('span', { class: 'menu-label' }, item.label), item.hint ? h('span', { class: 'menu-hint' }, item.hint) : null));
  const menu = h('div', { id: menuId, role: 'menu', class: 'menu', 'aria-label': accessibleLabel, hidden: true }, ...entries);
  const wrapper = h('div', { class: 'menu-wrap' }, button, menu);

  const isOpen = (): boolean => !menu.hidden;
  const focusItem = (i: number): void => entries[(i + entries.length) % entries.length]?.focus();
  function place(): void {
    if (!isOpen()) return;
    // Measured at its natural size (from the window's corner, where nothing squeezes it), then placed.
    for (const p of ['max-height', 'max-width']) menu.style.removeProperty(p);
    menu.style.setProperty('left', '0px');
    menu.style.setProperty('top', '0px');
    const anchor = button.getBoundingClientRect();
    const size = menu.getBoundingClientRect();
    const at = placePopup(anchor, { width: size.width, height: size.height }, { width: document.documentElement.clientWidth, height: window.innerHeight });
    menu.style.setProperty('max-width', `${at.maxWidth}px`);
    menu.style.setProperty('max-height', `${at.maxHeight}px`);
    menu.style.setProperty('left', `${at.left}px`);
    menu.style.setProperty('top', `${at.top}px`);
    menu.dataset.side = at.side;
  }
  function open(first: 'first' | 'last' | 'checked'): void {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    place();
    const checked = items.findIndex((item) => item.checked === true);
    focusItem(first === 'checked' && checked >= 0 ? checked : first === 'last' ? -1 : 0);
    document.addEventListener('pointerdown', onOutside, true);
    window.addEventListener('resize', place);
    document.addEventListener('scroll', place, true);
  }
  function close(returnFocus: boolean): void {
    if (!isOpen()) return;
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onOutside, true);
    window.removeEventListener('resize', place);
    document.removeEventListener('scroll', place, true);
    if (returnFocus) button.focus();
  }
  function onOutside(event: Event): void {
    if (!wrapper.contains(event.target as Node)) close(false);
  }

  button.addEventListener('click', () => (isOpen() ? close(true) : open(choice ? 'checked' : 'first')));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); open(choice ? 'checked' : 'first'); }
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
