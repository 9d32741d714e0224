/**
 * What the web app knows about folders and subnets, fetched on demand and kept until a write
 * touches it. Pages and the sidebar ask for the pieces they draw (one folder's subnets, one
 * subnet's children, a few subnets by id) instead of every subnet of the organization: with
 * 5,000 subnets the old "list everything on every page and after every write" took seconds.
 *
 * Lists are keyed by the query that made them (`kids:<id>`, `folder:<id>`, `roots`); a write
 * calls `forget(...)` with the keys it changed, and `onChange` listeners (the sidebar) redraw.
 */
import { api, ApiFailure, withQuery } from "./api";
import type { List, Section, Subnet } from "./types";

/** A page of at most this many subnets per list; a "Load more" fetches the next. */
export const LIST_PAGE = 500;
/**
 * A folder's first page is small: the sidebar draws its top rows from it (usually all of them:
 * a site /16 comes first, its /24s after it) and links to the folder's page for the rest, so
 * twenty open folders of 250 subnets cost twenty small answers, not every subnet.
 */
export const FOLDER_PAGE = 25;

const pageSize = (key: string) => (key.startsWith("folder:") ? FOLDER_PAGE : LIST_PAGE);

export interface CachedList {
  items: Subnet[];
  total: number;
  next: string | null;
}

let sections: Promise<Section[]> | null = null;
let sectionsNow: Section[] = [];
const lists = new Map<string, Promise<CachedList>>();
/** The same lists once loaded, for synchronous reads and in-place updates. */
const settled = new Map<string, CachedList>();
const byId = new Map<string, Subnet>();
const listeners = new Set<() => void>();

function note(subnets: Subnet[]): void {
  for (const s of subnets) byId.set(s.id, s);
}

/** The organization's folders (few: listed whole, cached). */
export function loadSections(): Promise<Section[]> {
  sections ??= (async () => {
    const items: Section[] = [];
    let cursor: string | null = null;
    do {
      const page: List<Section> = await api<List<Section>>("GET", withQuery("/api/v1/sections", { limit: 1000, cursor }));
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    sectionsNow = items;
    return items;
  })().catch((error) => {
    sections = null;
    throw error;
  });
  return sections;
}

/** The folders as last loaded (for menus that must not wait). */
export function knownSections(): Section[] {
  return sectionsNow;
}

function queryOf(key: string): Record<string, string> {
  const [kind, id] = key.split(":");
  if (kind === "kids") return { parent_id: id! };
  if (kind === "folder") return { section_id: id! };
  return { root: "true" };
}

/** The first page of a list (`kids:<subnet id>`, `folder:<section id>`, `roots`), cached. */
export function loadList(key: string): Promise<CachedList> {
  let list = lists.get(key);
  if (!list) {
    list = api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { ...queryOf(key), limit: pageSize(key) })).then((page) => {
      note(page.items);
      const loaded = { items: page.items, total: page.total, next: page.next_cursor };
      if (lists.get(key) === list) settled.set(key, loaded);
      return loaded;
    });
    list.catch(() => lists.delete(key));
    lists.set(key, list);
  }
  return list;
}

/** Appends the next page to a cached list. */
export async function loadMore(key: string): Promise<CachedList> {
  const list = await loadList(key);
  if (!list.next) return list;
  const page = await api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { ...queryOf(key), limit: LIST_PAGE, cursor: list.next }));
  note(page.items);
  const grown = { items: [...list.items, ...page.items], total: page.total, next: page.next_cursor };
  lists.set(key, Promise.resolve(grown));
  settled.set(key, grown);
  return grown;
}

/** A loaded list without waiting (undefined when not loaded). */
export function peekList(key: string): CachedList | undefined {
  return settled.get(key);
}

/** Subnets by id: those already known at once, the others one GET each (deleted ones are left out). */
export async function subnetsByIds(ids: Iterable<string>): Promise<Map<string, Subnet>> {
  const wanted = [...new Set(ids)];
  await Promise.all(
    wanted
      .filter((id) => !byId.has(id))
      .map(async (id) => {
        try {
          note([await api<Subnet>("GET", `/api/v1/subnets/${id}`)]);
        } catch (failure) {
          if (!(failure instanceof ApiFailure && failure.status === 404)) throw failure;
        }
      }),
  );
  return new Map(wanted.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : [])));
}

/** A subnet as last seen (no request). */
export function knownSubnet(id: string): Subnet | undefined {
  return byId.get(id);
}

/** Records a freshly fetched subnet (e.g. the page's own) so lists show its new utilization. */
export function remember(subnet: Subnet): void {
  byId.set(subnet.id, subnet);
  for (const list of settled.values()) {
    const at = list.items.findIndex((s) => s.id === subnet.id);
    if (at >= 0) list.items[at] = subnet;
  }
}

export interface Touched {
  /** folders whose list of subnets changed */
  sections?: (string | null | undefined)[];
  /** subnets whose children changed */
  parents?: (string | null | undefined)[];
  /** the folder list itself (names, counts) */
  folderList?: boolean;
  /** the root list (a subnet with no parent was created or removed) */
  roots?: boolean;
  /** subnets whose own fields or utilization changed (dropped from the by-id cache) */
  subnets?: (string | null | undefined)[];
}

/** Drops what a write changed, then tells the listeners (the sidebar redraws, refetching only those). */
export function forget(touched: Touched): void {
  const drop = (key: string) => (lists.delete(key), settled.delete(key));
  for (const id of touched.sections ?? []) if (id) drop(`folder:${id}`);
  for (const id of touched.parents ?? []) if (id) drop(`kids:${id}`);
  for (const id of touched.subnets ?? []) if (id) byId.delete(id);
  if (touched.roots) drop("roots");
  if (touched.folderList) sections = null;
  for (const listener of listeners) listener();
}

/**
 * After an address write in `subnet`: its utilization and its ancestors' changed, nothing
 * else. One request (`contains=` its network answers the whole chain, outermost first)
 * refreshes them in every cached list.
 */
export async function refreshUtilization(subnet: Subnet): Promise<void> {
  const chain = await api<List<Subnet>>("GET", withQuery("/api/v1/subnets", { contains: subnet.network, vrf: subnet.vrf, limit: 1000 }));
  for (const s of chain.items) remember(s);
  for (const listener of listeners) listener();
}

export function onChange(listener: () => void): void {
  listeners.add(listener);
}

/** Drops everything (sign out). */
export function resetCache(): void {
  sections = null;
  sectionsNow = [];
  lists.clear();
  settled.clear();
  byId.clear();
}
