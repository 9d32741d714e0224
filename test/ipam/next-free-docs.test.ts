/**
 * The next-free-subnet routes (issue 13) in /docs/json: each with its summary, its query or
 * body schema, its error answers and the examples a reader copies from.
 */
import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";

describe("next free subnet in /docs/json", () => {
  test("first-free-subnet, free-subnets and POST /subnets/{id}/subnets are documented with examples", async () => {
    const { call } = testApp();
    const spec = (await call("GET", "/docs/json")).body;
    const first = spec.paths["/api/v1/subnets/{id}/first-free-subnet"]?.get;
    const list = spec.paths["/api/v1/subnets/{id}/free-subnets"]?.get;
    const create = spec.paths["/api/v1/subnets/{id}/subnets"]?.post;
    for (const op of [first, list, create]) {
      expect(op).toBeDefined();
      expect(op.summary).toBeTruthy();
      expect(op.responses["401"]).toBeDefined();
      expect(op.responses["404"]).toBeDefined();
    }
    const params = (op: any) => op.parameters.filter((p: any) => p.in === "query").map((p: any) => p.name).sort();
    expect(params(first)).toEqual(["from", "prefix_length"]);
    expect(params(list)).toEqual(["cursor", "from", "limit", "prefix_length"]);
    expect(create.responses["409"]).toBeDefined();
    const body = create.requestBody.content["application/json"].schema;
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(["prefix_length", "count", "from", "name", "section_id", "vlan"]));
    expect(JSON.stringify(body)).toContain('"prefix_length":24');
    const text = JSON.stringify([first, list, create]);
    expect(text).toContain('{"cidr":"10.20.3.0/24"}');
    expect(text).toContain("subnet_full");
  });
});
