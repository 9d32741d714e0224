/**
 * A table that appends pages of rows behind a "Load more" button (the activity log, a
 * webhook's deliveries). One page at a time: a second press while one loads does nothing —
 * not by `disabled`, which would drop a focused button's focus to <body>. The button hides
 * after the last page, and a keyboard user who pressed it goes on to the first row that page
 * added instead of to the top of the page.
 */
import { messageOf } from "./api";
import { stackable } from "./dom";
import type { List } from "./types";

export interface PagedRows<T> {
  table: HTMLTableElement;
  /** says "Loading…", then `empty` when there are no rows, or the API's error sentence */
  status: HTMLElement;
  more: HTMLButtonElement;
  empty: string;
  fetchPage: (cursor: string | null) => Promise<List<T>>;
  rows: (items: T[]) => HTMLElement[] | Promise<HTMLElement[]>;
  /** the control in a new row that takes focus after the last page (default: the row itself) */
  focusIn?: (row: HTMLElement) => HTMLElement | null;
}

/** Wires `more` and loads the first page; resolves once it is drawn. */
export function pagedRows<T>(p: PagedRows<T>): Promise<void> {
  const body = p.table.tBodies[0]!;
  let cursor: string | null = null;
  let loading = false;
  const load = async () => {
    if (loading) return;
    loading = true;
    p.more.setAttribute("aria-disabled", "true");
    try {
      const page = await p.fetchPage(cursor);
      const added = await p.rows(page.items);
      body.append(...added);
      stackable(p.table);
      cursor = page.next_cursor;
      const wasFocused = document.activeElement === p.more;
      p.more.hidden = !cursor;
      if (wasFocused && p.more.hidden && added[0]) (p.focusIn?.(added[0]) ?? added[0]).focus();
      p.status.textContent = body.children.length ? "" : p.empty;
    } catch (failure) {
      p.status.textContent = messageOf(failure);
      p.status.className = "error";
    } finally {
      loading = false;
      p.more.removeAttribute("aria-disabled");
    }
  };
  p.more.addEventListener("click", load);
  return load();
}
