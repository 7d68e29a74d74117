/** The page's only DOM helper: build an element with attributes and children in one call. */

/** A child: a node, text, or nothing (skipped, so conditionals read inline). */
export type Child = Node | string | null | undefined | false;

/**
 * `h('td', { class: 'num', 'data-state': 'ready' }, '12')`. Text goes in as text nodes, never as
 * HTML, so names from the cluster (engine ids, error messages) cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | undefined>> = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs))
    if (value !== undefined) el.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** A table with a header row and one row per item. */
export function table(
  headers: readonly string[],
  rows: readonly HTMLTableRowElement[],
  attrs: Readonly<Record<string, string | undefined>> = {},
): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', {}, title)))),
    h('tbody', {}, ...rows),
  );
}

/** A titled section of a view. */
export function section(title: string, ...children: readonly Child[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** A short muted line for an empty list. */
export function empty(text: string): HTMLElement {
  return h('p', { class: 'muted' }, text);
}

/** A coloured label, e.g. an engine state or GPU health; `kind` picks the colour in CSS. */
export function badge(text: string, kind: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}
