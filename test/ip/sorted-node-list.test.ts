import { expect, test } from "bun:test";
import { SortedNodeList } from "../../src/ip/sorted-node-list.ts";
import { Prng } from "./prng.ts";

type Node = { prefix: { network: bigint } };

test("SortedNodeList against a sorted array, with pages of 4 nodes", () => {
  const rng = new Prng(4);
  const list = new SortedNodeList<Node>(4);
  const byNetwork = new Map<bigint, Node>();
  for (let step = 0; step < 4000; step++) {
    const network = BigInt(rng.int(300));
    const r = rng.next();
    if (r < 0.5) {
      if (!byNetwork.has(network)) {
        const node = { prefix: { network } };
        byNetwork.set(network, node);
        list.insert(node);
      }
    } else if (r < 0.85) {
      const node = byNetwork.get(network);
      expect(list.remove(node ?? { prefix: { network } })).toBe(node !== undefined);
      byNetwork.delete(network);
    } else {
      const hi = network + BigInt(rng.int(40));
      const expected = [...byNetwork.keys()].filter((k) => k >= network && k <= hi).sort((a, b) => (a < b ? -1 : 1));
      expect(list.extractRange(network, hi).map((n) => n.prefix.network)).toEqual(expected);
      for (const k of expected) byNetwork.delete(k);
    }
    list.checkInvariants();
    expect(list.length).toBe(byNetwork.size);
  }
  const sorted = [...byNetwork.keys()].sort((a, b) => (a < b ? -1 : 1));
  expect(list.toArray().map((n) => n.prefix.network)).toEqual(sorted);
});
