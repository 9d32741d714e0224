/**
 * The few DOM helpers the app is built from: `h()` creates an element (text children are
 * always text nodes, so API data can never become markup), `mount()` replaces a container's
 * content. No framework: pages re-render their own region after each change.
 */

export type Child = Node | string | number | null | undefined | false | Child[];
type AttrValue = string | number | boolean | null | undefined | ((event: any) => void);
export type Attrs = Record<string, AttrValue>;

/**
 * `h("button", { class: "primary", onclick: save }, "Save")`.
 * Attributes: `on*` functions become listeners; `true` sets an empty attribute; `false`,
 * `null` and `undefined` are skipped; `value`/`checked` set the property; `style` goes
 * through `el.style` (the CSP allows no style attributes).
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "value" || key === "checked") (el as any)[key] = value;
    // Through the CSSOM: the page's Content-Security-Policy blocks style *attributes*.
    else if (key === "style") el.style.cssText = String(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `container` with `children`. */
export function mount(container: Element, ...children: Child[]): void {
  container.replaceChildren();
  append(container, children);
}

let ids = 0;
/** A fresh element id, for label/aria wiring. */
export function uid(prefix = "f"): string {
  return `${prefix}-${++ids}`;
}

/** A labelled form field: `<label for>` + control, wrapped in a `.field`. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= uid();
  const hintEl = hint ? h("small", { id: `${control.id}-hint`, class: "hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

/** A `<select>` over `[value, label]` pairs. */
export function select(name: string, options: [string, string][], selected?: string): HTMLSelectElement {
  return h(
    "select",
    { name },
    options.map(([value, label]) => h("option", { value, selected: value === selected }, label)),
  );
}

/** A line that shows an error sentence (role=alert, so screen readers announce it). */
export function errorLine(): HTMLElement & { show(message: string | null): void } {
  const el = h("p", { class: "error", role: "alert", hidden: true }) as unknown as HTMLElement & { show(message: string | null): void };
  el.show = (message) => {
    el.textContent = message ?? "";
    el.hidden = !message;
  };
  return el;
}

/** A short-lived status message at the bottom of the screen. */
export function toast(message: string): void {
  let region = document.getElementById("toasts");
  if (!region) {
    region = h("div", { id: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  const item = h("div", { class: "toast" }, message);
  region.append(item);
  setTimeout(() => item.remove(), 4000);
}

/**
 * Selectors that find "the same" control again after a page re-renders itself, best first:
 * its `data-ip` (grid cells, address rows) or its `data-focus` key (toolbar buttons), then
 * its `data-focus-else` stand-in (a selector) for a control the redraw does not bring back —
 * a grid selection's Reserve button gives way to the range's first cell. Empty when `el`
 * carries none.
 */
export function focusKeysOf(el: Element | null): string[] {
  if (!(el instanceof HTMLElement)) return [];
  const keys: string[] = [];
  const ip = el.getAttribute("data-ip");
  const key = el.getAttribute("data-focus");
  if (ip) keys.push(`[data-ip="${CSS.escape(ip)}"]`);
  else if (key) keys.push(`[data-focus="${CSS.escape(key)}"]`);
  const stand = el.getAttribute("data-focus-else");
  if (stand) keys.push(stand);
  return keys;
}

/** The first control under `root` that one of `keys` (focusKeysOf, best first) finds. */
export function findByFocusKeys(root: ParentNode, keys: readonly string[]): HTMLElement | null {
  for (const key of keys) {
    const found = root.querySelector<HTMLElement>(key);
    if (found) return found;
  }
  return null;
}

/**
 * Keyboard users keep their place: when a re-render removed the focused control (focus fell
 * back to `<body>`), focus `target` instead. Does nothing if the user has moved on.
 */
export function focusIfLost(target: HTMLElement | null | undefined): void {
  const active = document.activeElement;
  if (target && target.isConnected && (!active || active === document.body)) target.focus();
}

/**
 * Marks `table` as one that stacks on narrow screens (each row a card, each cell labelled by
 * its column heading through `data-label`, styles.css), so a 390 px phone shows every column
 * and the row's buttons without sideways scrolling. Call again after adding rows.
 */
export function stackable<T extends HTMLTableElement>(table: T): T {
  table.classList.add("stack");
  const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent ?? "");
  for (const row of table.tBodies[0]?.rows ?? []) {
    [...row.cells].forEach((cell, i) => {
      if (headings[i]) cell.setAttribute("data-label", headings[i]!);
    });
  }
  return table;
}
