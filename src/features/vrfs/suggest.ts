/**
 * "Did you mean …?" for VRF names (issue 15): a typo such as "Default" or "defualt" used to
 * create a second VRF silently. Pure: a name and the organization's names in, a refusal out.
 */
import { ApiError } from "../../http/errors";

/** Largest edit distance still offered as a suggestion. */
const MAX_DISTANCE = 2;

/**
 * The existing name closest to `name`: one equal but for case first, else the nearest within
 * MAX_DISTANCE edits (optimal string alignment: a swap of two neighbours is one edit),
 * compared case-insensitively; ties go to the first in `names`' order. Null when none is near.
 */
export function closestName(name: string, names: readonly string[]): string | null {
  const wanted = name.toLowerCase();
  const sameButCase = names.find((n) => n.toLowerCase() === wanted);
  if (sameButCase !== undefined) return sameButCase;
  let best: string | null = null;
  let bestDistance = MAX_DISTANCE + 1;
  for (const candidate of names) {
    const d = editDistance(wanted, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** The 400 for a subnet naming a VRF that does not exist (`field`: where the name came from). */
export function unknownVrf(name: string, names: readonly string[], field = "vrf"): ApiError {
  const suggestion = closestName(name, names);
  const hint = suggestion !== null ? `did you mean "${suggestion}"?` : "create it first (POST /api/v1/vrfs)";
  return new ApiError("unknown_vrf", `field "${field}": VRF "${name}" does not exist; ${hint}`, { field, vrf: name, suggestion });
}

/** Optimal string alignment distance, giving up (returning `limit`) once it cannot be below it. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin >= limit) return limit;
    [before, previous] = [previous, row];
  }
  return Math.min(previous[b.length]!, limit);
}
