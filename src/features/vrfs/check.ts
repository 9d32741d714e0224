/**
 * The one rule for a subnet's `vrf` (API.md §6): it names an existing VRF of the organization,
 * else 400 `unknown_vrf` with "did you mean …?". Two doors while the storage split is under
 * way: `assertVrf` inside a Store unit (subnet create, in its ipam.write, on both backends),
 * `vrfChecker` for the subnet and address imports, which still run synchronously on SQLite
 * (features/io, not yet converted). `default` always exists: never looked up.
 */
import type { OpenDatabase } from "../../db/client";
import { vrfStatements } from "../../store/sqlite/vrfs";
import { DEFAULT_VRF, type Queries } from "../../store/store";
import { unknownVrf } from "./suggest";

/** Throws ApiError unknown_vrf unless the organization has a VRF named exactly `name`. */
export async function assertVrf(q: Queries, orgId: string, name: string, field = "vrf"): Promise<void> {
  if (name === DEFAULT_VRF || (await q.vrfs.byName(orgId, name)) !== null) return;
  throw unknownVrf(name, withDefault(await q.vrfs.names(orgId)), field);
}

/** The names to suggest from: `default` is among them even where its row is missing. */
function withDefault(names: string[]): string[] {
  return names.includes(DEFAULT_VRF) ? names : [DEFAULT_VRF, ...names];
}

/** The same check, synchronous, on a SQLite connection (call it inside the write transaction). */
export function vrfChecker(database: OpenDatabase) {
  const vrfs = vrfStatements(database);
  return {
    /** Throws ApiError unknown_vrf (see assertVrf). */
    assert(orgId: string, name: string, field = "vrf"): void {
      if (name === DEFAULT_VRF || vrfs.byName(orgId, name) !== null) return;
      throw unknownVrf(name, withDefault(vrfs.names(orgId)), field);
    },
    /** The refusal's sentence, or null when the VRF exists (an import row error). */
    problem(orgId: string, name: string, field = "vrf"): string | null {
      if (name === DEFAULT_VRF || vrfs.byName(orgId, name) !== null) return null;
      return unknownVrf(name, withDefault(vrfs.names(orgId)), field).message;
    },
  };
}
