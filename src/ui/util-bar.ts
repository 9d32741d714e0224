/** The utilization bar: an element whose `data-level` is green|yellow|red by the documented thresholds. */
import { h } from "./dom";
import { count, utilizationLevel } from "./format";
import type { Utilization } from "./types";

export function utilBar(u: Utilization, large = false): HTMLElement {
  const pct = Math.max(0, Math.min(100, u.percent));
  const text = `${u.percent.toFixed(2)}% used (${count(u.used)} of ${count(u.usable)} usable)`;
  return h(
    "span",
    { class: large ? "util util-large" : "util", "data-level": utilizationLevel(u.percent), role: "img", "aria-label": text, title: text },
    h("span", { class: "fill", style: `width: ${pct}%` }),
  );
}
