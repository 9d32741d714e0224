/**
 * Writes on many addresses at once (grid selections; "Reserve range" of a typed range is one
 * POST with start and end, reserve-range.ts).
 *
 * Creating the chosen records of a selection goes through the import endpoint (POST
 * /import/addresses, the standard CSV): it is the API's all-or-nothing write of any set of
 * addresses, so a selection is reserved whole or not at all, and a refusal lists every
 * address that stood in the way.
 * The API has no bulk update or delete, so "Set status" and "Release" send one PATCH or
 * DELETE per address (a few at a time, waiting out 429s) and report what did not go through.
 */
import { csvLine } from "../../features/io/csv";
import { api, ApiFailure, apiCsv, messageOf } from "../api";
import type { Address, AddressStatus } from "../types";

export interface NewRecordFields {
  status: AddressStatus;
  hostname: string;
  owner: string;
  description: string;
}

interface ImportResult {
  created: Record<string, number>;
}

/** Records every one of `ips` (in `vrf`) with the same fields, or none of them; resolves the count. */
export async function createRecords(ips: string[], vrf: string, fields: NewRecordFields): Promise<number> {
  let csv = csvLine(["ip", "vrf", "hostname", "status", "owner", "description"]);
  for (const ip of ips) csv += csvLine([ip, vrf, fields.hostname, fields.status, fields.owner, fields.description]);
  try {
    const result = await apiCsv<ImportResult>("/api/v1/import/addresses", csv);
    return result.created.addresses ?? ips.length;
  } catch (failure) {
    // The import names rows (row 2 is the first address): say which addresses, in the UI's words.
    const rows = failure instanceof ApiFailure ? (failure.details?.rows as { row: number; error: string }[] | undefined) : undefined;
    if (failure instanceof ApiFailure && rows?.length) {
      const first = rows.slice(0, 3).map((r) => r.error).join("; ");
      const more = rows.length > 3 ? ` (and ${rows.length - 3} more)` : "";
      throw new ApiFailure(failure.status, `Nothing was recorded: ${rows.length === 1 ? "one address" : `${rows.length} addresses`} cannot be: ${first}${more}.`, failure.code, failure.details);
    }
    throw failure;
  }
}

export interface ManyResult {
  done: number;
  failed: { ip: string; error: string }[];
}

/** Runs `work` on each address, four at a time; a 429 waits for its Retry-After and tries again. */
async function eachAddress(addresses: Address[], work: (a: Address) => Promise<unknown>): Promise<ManyResult> {
  const result: ManyResult = { done: 0, failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < addresses.length) {
      const address = addresses[next++]!;
      for (let attempt = 0; ; attempt++) {
        try {
          await work(address);
          result.done++;
          break;
        } catch (failure) {
          if (failure instanceof ApiFailure && failure.status === 429 && attempt < 5) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            continue;
          }
          result.failed.push({ ip: address.ip, error: messageOf(failure) });
          break;
        }
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return result;
}

export function setStatusOf(addresses: Address[], status: AddressStatus): Promise<ManyResult> {
  return eachAddress(
    addresses.filter((a) => a.status !== status),
    (a) => api("PATCH", `/api/v1/addresses/${a.id}`, { status }),
  );
}

export function releaseAll(addresses: Address[]): Promise<ManyResult> {
  return eachAddress(addresses, (a) => api("DELETE", `/api/v1/addresses/${a.id}`));
}

/** "3 could not be changed: 10.0.1.5: …" or null when all went through. */
export function failureSentence(result: ManyResult, verb: string): string | null {
  if (!result.failed.length) return null;
  const first = result.failed.slice(0, 3).map((f) => `${f.ip}: ${f.error}`).join("; ");
  return `${result.failed.length} could not be ${verb}: ${first}${result.failed.length > 3 ? " …" : ""}`;
}
