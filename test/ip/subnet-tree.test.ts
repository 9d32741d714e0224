import { describe, expect, test } from "bun:test";
import { SubnetTree, comparePrefix, containsIp, containsPrefix, parseCidr, parseIp, type Ip, type Prefix } from "../../src/ip/index.ts";
import { Prng } from "./prng.ts";

function cidr(text: string): Prefix {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
function addr(text: string): Ip {
  const r = parseIp(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe("SubnetTree scenarios", () => {
  test("nesting, adoption, duplicates, removal", () => {
    const t = new SubnetTree();
    expect(t.insert("a24", cidr("10.0.1.0/24"))).toEqual({ ok: true, parent: null, adopted: [] });
    expect(t.insert("b24", cidr("10.0.2.0/24"))).toEqual({ ok: true, parent: null, adopted: [] });
    expect(t.insert("far", cidr("10.9.0.0/24"))).toEqual({ ok: true, parent: null, adopted: [] });
    // a /16 arrives later and adopts the two /24s inside it, not the one outside
    expect(t.insert("n16", cidr("10.0.0.0/16"))).toEqual({ ok: true, parent: null, adopted: ["a24", "b24"] });
    expect(t.insert("n8", cidr("10.0.0.0/8"))).toEqual({ ok: true, parent: null, adopted: ["n16", "far"] });
    expect(t.insert("a26", cidr("10.0.1.64/26"))).toEqual({ ok: true, parent: "a24", adopted: [] });
    expect(t.insert("dup", cidr("10.0.0.0/16"))).toEqual({ ok: false, code: "duplicate", existing: "n16" });
    expect(t.insert("v6", cidr("2001:db8::/32"))).toEqual({ ok: true, parent: null, adopted: [] });
    expect(t.size).toBe(7);
    expect(t.childrenOf(null)).toEqual(["n8", "v6"]);
    expect(t.childrenOf("n8")).toEqual(["n16", "far"]);
    expect(t.parentOf(cidr("10.0.1.128/25"))).toBe("a24");
    expect(t.parentOf(cidr("10.0.1.0/24"))).toBe("n16"); // strictly containing
    expect(t.parentOf(cidr("11.0.0.0/8"))).toBeNull();
    expect(t.mostSpecific(addr("10.0.1.70"))).toBe("a26");
    expect(t.mostSpecific(addr("10.0.1.7"))).toBe("a24");
    expect(t.mostSpecific(addr("10.0.3.7"))).toBe("n16");
    expect(t.mostSpecific(addr("192.0.2.1"))).toBeNull();
    expect(t.mostSpecific(addr("::ffff:10.0.1.70"))).toBeNull(); // IPv6 never falls into IPv4
    // removing the /16 moves its children up to the /8
    expect(t.remove("n16")).toEqual({ parent: "n8", children: ["a24", "b24"] });
    expect(t.childrenOf("n8")).toEqual(["a24", "b24", "far"]);
    expect(t.parentIdOf("a24")).toBe("n8");
    expect(t.remove("n8")).toEqual({ parent: null, children: ["a24", "b24", "far"] });
    expect(t.childrenOf(null)).toEqual(["a24", "b24", "far", "v6"]);
    expect(t.get("n8")).toBeUndefined();
    expect(() => t.remove("n8")).toThrow();
    expect(() => t.insert("a24", cidr("10.5.0.0/24"))).toThrow();
  });

  test("a /0 contains everything of its family; a /32 and /128 hold one address", () => {
    const t = new SubnetTree<number>();
    t.insert(1, cidr("10.0.0.5/32"));
    t.insert(2, cidr("2001:db8::5/128"));
    expect(t.insert(3, cidr("0.0.0.0/0"))).toEqual({ ok: true, parent: null, adopted: [1] });
    expect(t.insert(4, cidr("::/0"))).toEqual({ ok: true, parent: null, adopted: [2] });
    expect(t.mostSpecific(addr("10.0.0.5"))).toBe(1);
    expect(t.mostSpecific(addr("10.0.0.6"))).toBe(3);
    expect(t.mostSpecific(addr("2001:db8::5"))).toBe(2);
    expect(t.parentOf(cidr("0.0.0.0/0"))).toBeNull();
  });
});

/** The obvious tree: parents by scanning every subnet. */
class NaiveTree {
  nodes = new Map<string, Prefix>();
  parentOf(p: Prefix, exceptId?: string): string | null {
    let best: [string, Prefix] | null = null;
    for (const [id, q] of this.nodes) {
      if (id === exceptId || q.length >= p.length || !containsPrefix(q, p)) continue;
      if (best === null || q.length > best[1].length) best = [id, q];
    }
    return best?.[0] ?? null;
  }
  childrenOf(id: string | null, parents = this.parents()): string[] {
    return [...this.nodes]
      .filter(([cid]) => parents.get(cid) === id)
      .sort((x, y) => comparePrefix(x[1], y[1]))
      .map(([cid]) => cid);
  }
  parents(): Map<string, string | null> {
    return new Map([...this.nodes].map(([id, q]) => [id, this.parentOf(q, id)]));
  }
  mostSpecific(ip: Ip): string | null {
    let best: [string, Prefix] | null = null;
    for (const [id, q] of this.nodes) if (containsIp(q, ip) && (best === null || q.length > best[1].length)) best = [id, q];
    return best?.[0] ?? null;
  }
}

describe("SubnetTree against a naive tree", () => {
  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}`, () => {
      const rng = new Prng(seed);
      const tree = new SubnetTree();
      const naive = new NaiveTree();
      const randomPrefix = (): Prefix => {
        if (rng.next() < 0.7) {
          const length = 16 + rng.int(11);
          const value = 0x0a000000n + BigInt(rng.int(65536));
          return { family: 4, network: (value >> BigInt(32 - length)) << BigInt(32 - length), length };
        }
        const length = 120 + rng.int(9);
        const value = 0x2001_0db8n << 96n | BigInt(rng.int(256));
        return { family: 6, network: (value >> BigInt(128 - length)) << BigInt(128 - length), length };
      };
      let nextId = 0;
      for (let step = 0; step < 1000; step++) {
        const ids = [...naive.nodes.keys()];
        if (ids.length > 0 && rng.next() < 0.4) {
          const id = rng.pick(ids);
          const parent = naive.parentOf(naive.nodes.get(id)!, id);
          const children = naive.childrenOf(id);
          naive.nodes.delete(id);
          expect(tree.remove(id)).toEqual({ parent, children });
        } else {
          const p = randomPrefix();
          const id = `s${nextId++}`;
          const existing = [...naive.nodes].find(([, q]) => comparePrefix(p, q) === 0);
          if (existing !== undefined) {
            expect(tree.insert(id, p)).toEqual({ ok: false, code: "duplicate", existing: existing[0] });
          } else {
            const parent = naive.parentOf(p);
            naive.nodes.set(id, p);
            const adopted = naive.childrenOf(id);
            expect(tree.insert(id, p)).toEqual({ ok: true, parent, adopted });
          }
        }
        expect(tree.size).toBe(naive.nodes.size);
        expect(tree.childrenOf(null)).toEqual(naive.childrenOf(null));
        const probe: Ip = rng.next() < 0.7
          ? { family: 4, value: 0x0a000000n + BigInt(rng.int(65536)) }
          : { family: 6, value: (0x2001_0db8n << 96n) | BigInt(rng.int(256)) };
        expect(tree.mostSpecific(probe)).toBe(naive.mostSpecific(probe));
        const q = randomPrefix();
        expect(tree.parentOf(q)).toBe(naive.parentOf(q, [...naive.nodes].find(([, x]) => comparePrefix(x, q) === 0)?.[0]));
        if (step % 50 === 0) {
          const parents = naive.parents();
          for (const id of naive.nodes.keys()) {
            expect(tree.childrenOf(id)).toEqual(naive.childrenOf(id, parents));
            expect(tree.parentIdOf(id)).toBe(naive.parentOf(naive.nodes.get(id)!, id));
          }
        }
      }
    });
  }
});

describe("SubnetTree at scale", () => {
  test("100,000 subnets: inserts, adoption of all by a late /8, removal", () => {
    const rng = new Prng(100_000);
    // 100,000 distinct /26s inside 10.0.0.0/8 (262,144 exist), in random order
    const slots = Array.from({ length: 262_144 }, (_, i) => i);
    for (let i = slots.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [slots[i], slots[j]] = [slots[j]!, slots[i]!];
    }
    const tree = new SubnetTree<number>();
    const chosen = slots.slice(0, 100_000);
    for (const slot of chosen) {
      const r = tree.insert(slot, { family: 4, network: 0x0a000000n + (BigInt(slot) << 6n), length: 26 });
      expect(r.ok).toBe(true);
    }
    // A /16 arrives after its /26s and adopts exactly those inside it
    const inFirst16 = chosen.filter((s) => s < 1024).sort((a, b) => a - b);
    const r16 = tree.insert(-16, cidr("10.0.0.0/16"));
    expect(r16).toEqual({ ok: true, parent: null, adopted: inFirst16 });
    const r8 = tree.insert(-8, cidr("10.0.0.0/8"));
    expect(r8.ok && r8.adopted.length).toBe(100_000 - inFirst16.length + 1);
    expect(tree.size).toBe(100_002);
    const probeSlot = chosen[12_345]!;
    const probe: Ip = { family: 4, value: 0x0a000000n + (BigInt(probeSlot) << 6n) + 9n };
    expect(tree.mostSpecific(probe)).toBe(probeSlot);
    expect(tree.remove(-8).children.length).toBe(100_000 - inFirst16.length + 1);
    expect(tree.childrenOf(null).length).toBe(100_000 - inFirst16.length + 1);
  });
});
