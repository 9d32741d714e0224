/**
 * The one rule for a subnet's `vrf` (API.md §6): it names an existing VRF of the organization,
 * else 400 `unknown_vrf` with "did you mean …?". Checked inside the Store unit that writes:
 * `assertVrf` for subnet create, `vrfProblem` for the CSV imports (a row error, not a
 * refusal of the request), on both backends. `default` always exists: never looked up.
 */
import { DEFAULT_VRF, type Queries } from "../../store/store";
import { unknownVrf } from "./suggest";

/** Throws ApiError unknown_vrf unless the organization has a VRF named exactly `name`. */
export async function assertVrf(q: Queries, orgId: string, name: string, field = "vrf"): Promise<void> {
  const problem = await vrfError(q, orgId, name, field);
  if (problem) throw problem;
}

/** The refusal's sentence, or null when the VRF exists (an import's row error). */
export async function vrfProblem(q: Queries, orgId: string, name: string, field = "vrf"): Promise<string | null> {
  return (await vrfError(q, orgId, name, field))?.message ?? null;
}

async function vrfError(q: Queries, orgId: string, name: string, field: string) {
  if (name === DEFAULT_VRF || (await q.vrfs.byName(orgId, name)) !== null) return null;
  return unknownVrf(name, withDefault(await q.vrfs.names(orgId)), field);
}

/** The names to suggest from: `default` is among them even where its row is missing. */
function withDefault(names: string[]): string[] {
  return names.includes(DEFAULT_VRF) ? names : [DEFAULT_VRF, ...names];
}
