import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";

const q = encodeURIComponent;

describe("public network tools (no auth)", () => {
  test("subnet calculator, IPv4 /24", async () => {
    const { call } = testApp();
    const r = await call("GET", `/api/v1/tools/subnet?cidr=${q("10.0.1.0/24")}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      cidr: "10.0.1.0/24",
      family: 4,
      network: "10.0.1.0",
      broadcast: "10.0.1.255",
      last_address: "10.0.1.255",
      netmask: "255.255.255.0",
      wildcard: "0.0.0.255",
      prefix_length: 24,
      first_usable: "10.0.1.1",
      last_usable: "10.0.1.254",
      size: "256",
      usable: "254",
    });
  });

  test("calculator accepts host bits and describes the network they belong to", async () => {
    const { call } = testApp();
    const r = await call("GET", `/api/v1/tools/subnet?cidr=${q("192.168.7.77/30")}`);
    expect(r.body).toMatchObject({ cidr: "192.168.7.76/30", first_usable: "192.168.7.77", last_usable: "192.168.7.78", usable: "2" });
  });

  test("/31 and /32 follow RFC 3021", async () => {
    // The calculator used to name a broadcast for /31 and /32, where every address is a host.
    const { call } = testApp();
    expect((await call("GET", `/api/v1/tools/subnet?cidr=${q("10.0.0.0/31")}`)).body).toMatchObject({
      first_usable: "10.0.0.0",
      last_usable: "10.0.0.1",
      usable: "2",
      broadcast: null,
      last_address: "10.0.0.1",
    });
    expect((await call("GET", `/api/v1/tools/subnet?cidr=${q("10.0.0.9/32")}`)).body).toMatchObject({ usable: "1", size: "1", broadcast: null });
    expect((await call("GET", `/api/v1/tools/subnet?cidr=${q("10.0.0.8/30")}`)).body).toMatchObject({ usable: "2", broadcast: "10.0.0.11" });
  });

  test("IPv6 /64: sizes are exact decimal strings, the router anycast address is not usable", async () => {
    const { call } = testApp();
    const r = await call("GET", `/api/v1/tools/subnet?cidr=${q("2001:DB8:0:1::/64")}`);
    expect(r.body).toMatchObject({
      cidr: "2001:db8:0:1::/64",
      family: 6,
      broadcast: null,
      last_address: "2001:db8:0:1:ffff:ffff:ffff:ffff",
      netmask: "ffff:ffff:ffff:ffff::",
      first_usable: "2001:db8:0:1::1",
      size: "18446744073709551616",
      usable: "18446744073709551615",
    });
  });

  test("bad input is a 400 naming the field", async () => {
    const { call } = testApp();
    for (const bad of ["010.0.0.0/8", "10.0.0.0/33", "fe80::%eth0/64", "banana", "10.0.0.1"]) {
      const r = await call("GET", `/api/v1/tools/subnet?cidr=${q(bad)}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain('"cidr"');
    }
    expect((await call("GET", "/api/v1/tools/subnet")).status).toBe(400);
  });

  test("split: equal parts in order, bounded to 1,024", async () => {
    const { call } = testApp();
    const r = await call("GET", `/api/v1/tools/split?cidr=${q("10.0.0.0/24")}&prefix_length=26`);
    expect(r.body).toEqual({ items: ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"], total: 4 });
    const big = await call("GET", `/api/v1/tools/split?cidr=${q("10.0.0.0/8")}&prefix_length=24`);
    expect(big.status).toBe(400);
    expect(big.body.error).toContain("1024");
    const v6 = await call("GET", `/api/v1/tools/split?cidr=${q("2001:db8::/32")}&prefix_length=64`);
    expect(v6.status).toBe(400);
    const shorter = await call("GET", `/api/v1/tools/split?cidr=${q("10.0.0.0/24")}&prefix_length=16`);
    expect(shorter.status).toBe(400);
  });

  test("range-to-cidrs gives the minimal cover", async () => {
    const { call } = testApp();
    const r = await call("GET", "/api/v1/tools/range-to-cidrs?start=10.0.0.3&end=10.0.0.9");
    expect(r.body).toEqual({ items: ["10.0.0.3/32", "10.0.0.4/30", "10.0.0.8/31"], total: 3 });
    const whole = await call("GET", `/api/v1/tools/range-to-cidrs?start=${q("::")}&end=${q("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}`);
    expect(whole.body.items).toEqual(["::/0"]);
    expect((await call("GET", "/api/v1/tools/range-to-cidrs?start=10.0.0.9&end=10.0.0.3")).status).toBe(400);
    expect((await call("GET", `/api/v1/tools/range-to-cidrs?start=10.0.0.1&end=${q("::1")}`)).status).toBe(400);
  });

  test("summarize aggregates adjacent and nested blocks", async () => {
    const { call } = testApp();
    const r = await call("GET", `/api/v1/tools/summarize?cidrs=${q("10.0.0.128/25,10.0.0.0/25,10.0.1.0/24,10.0.1.64/26,2001:db8::/33,2001:db8:8000::/33")}`);
    expect(r.body).toEqual({ items: ["10.0.0.0/23", "2001:db8::/32"], total: 2 });
    const bad = await call("GET", `/api/v1/tools/summarize?cidrs=${q("10.0.0.0/24,nope")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("cidrs[1]");
  });
});
