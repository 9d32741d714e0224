/** valueOfKey decodes keys byte by byte (no DataView over the blob's buffer): it must invert keyOf exactly. */
import { describe, expect, test } from "bun:test";
import { keyOf, valueOfKey } from "../../src/ipam/codec";
import { Prng } from "../ip/prng";

describe("valueOfKey", () => {
  test("inverts keyOf for IPv4 and IPv6, the extremes included, also on a key inside a larger buffer", () => {
    const rng = new Prng(29);
    const v4 = [0n, 1n, 0xffff_ffffn, 0x8000_0000n, ...Array.from({ length: 300 }, () => BigInt(rng.int(2 ** 32)))];
    const v6 = [0n, (1n << 128n) - 1n, 1n << 127n, 0xffff_0102_0304n, ...Array.from({ length: 300 }, () => rng.bigint(1n << 128n))];
    for (const value of v4) expect(valueOfKey(keyOf(4, value), 4)).toBe(value);
    for (const value of v6) expect(valueOfKey(keyOf(6, value), 6)).toBe(value);
    const wide = new Uint8Array(40);
    wide.set(keyOf(6, v6[5]!), 7);
    expect(valueOfKey(wide.subarray(7, 23), 6)).toBe(v6[5]!);
  });
});
