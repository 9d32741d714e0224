/** Formatting shared by the pages: utilization colours, counts, dates. */

export type Level = "green" | "yellow" | "red";

/** The documented thresholds (API.md §6): green < 70, yellow 70–85, red > 85. */
export function utilizationLevel(percent: number): Level {
  if (percent > 85) return "red";
  if (percent >= 70) return "yellow";
  return "green";
}

/** "1,022" from "1022"; works for IPv6-sized decimal strings too. */
export function count(value: string | number): string {
  const text = String(value);
  return /^\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : text;
}

/**
 * "1 record", "2 records", "1,022 records": `value` with its noun in the right number.
 * `many` for irregular plurals ("address" → "addresses"). Takes IPv6-sized decimal strings.
 */
export function plural(value: string | number, one: string, many = `${one}s`): string {
  return `${count(value)} ${String(value) === "1" ? one : many}`;
}

export function percent(value: number): string {
  return `${value.toFixed(value >= 10 || value === 0 ? 0 : 1)}%`;
}

/** "2026-11-28 09:44" in the viewer's time zone; full ISO time on hover via `title`. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
