/**
 * Building DOM without HTML strings: every text goes in through `textContent` / text nodes, so
 * nothing a backend, an IdP or a user typed can become markup. There is no innerHTML in the window.
 */

export type Child = Node | string | number | null | undefined | false;
type Handler = (event: Event) => void;
export type Props = {
  class?: string;
  /** Event listeners, e.g. `{ on: { click: () => … } }`. */
  on?: Record<string, Handler>;
  /** Everything else becomes an attribute; `false`/`undefined` leave it out, `true` sets it empty. */
  [attribute: string]: string | number | boolean | undefined | Record<string, Handler>;
};

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

function apply(el: Element, props: Props): void {
  for (const [name, value] of Object.entries(props)) {
    if (name === 'on') {
      for (const [type, handler] of Object.entries(value as Record<string, Handler>)) el.addEventListener(type, handler);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else if (typeof value === 'string' || typeof value === 'number') {
      el.setAttribute(name, String(value));
    }
  }
}

/** An HTML element with attributes, listeners and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element (icons, the QR code). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let nextId = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * Re-renders a region and puts focus back on the control that had it, found again by its
 * `data-focus-key`, so a pushed status update never throws a keyboard user back to the top.
 */
export function rerenderKeepingFocus(region: Element, render: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && region.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key === undefined) return;
  const again = region.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
  again?.focus();
}

/**
 * Text that may wrap only after its separators (/ - _ @ : and a dot before a letter), as hostnames, user ids and URLs
 * should ("openeo.dataspace.|copernicus.eu", never "cop|ernicus"). The stylesheet breaks a
 * separator-free run that still does not fit.
 */
export function breakable(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of text.split(/(?<=[/\-_@:?&=])|(?<=\.)(?=[A-Za-z])/)) {
    if (fragment.childNodes.length > 0) fragment.appendChild(document.createElement('wbr'));
    fragment.appendChild(document.createTextNode(part));
  }
  return fragment;
}

/**
 * Prose that may hold long runs without spaces (a job title in snake_case, a script's name): each
 * run of `min` characters or more becomes {@link breakable}, so it wraps at its separators like an
 * id; shorter words stay whole.
 */
export function wrapLongWords(text: string, min = 16): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of text.split(/(\s+)/)) {
    if (part.length >= min && !/\s/.test(part)) fragment.appendChild(breakable(part));
    else if (part) fragment.appendChild(document.createTextNode(part));
  }
  return fragment;
}
