/** /docs/json documents constrained allocation, range reservation and expiry (POST /subnets/{id}/addresses, PATCH /addresses/{id}), with examples. */
import { expect, test } from "bun:test";
import { testApp } from "../helpers/app";

test("the create body documents range, exclude, from, contiguous, start and end, with examples", async () => {
  const { call } = testApp();
  const spec = (await call("GET", "/docs/json")).body;
  const op = spec.paths["/api/v1/subnets/{id}/addresses"].post;
  const schema = op.requestBody.content["application/json"].schema;
  const props = schema.properties ?? {};
  for (const field of ["range", "exclude", "from", "contiguous", "start", "end", "expires_at", "hold_seconds"]) {
    expect({ field, described: typeof props[field]?.description }).toEqual({ field, described: "string" });
  }
  expect(props.from.enum).toEqual(["start", "end"]);
  // Request-body examples: zod's .meta examples do not reach the request schema, so the description carries them.
  expect(op.description).toContain('{"count": 8, "contiguous": true');
  expect(op.description).toContain('"from": "end"');
  expect(op.description).toContain('"status": "dhcp"');
  expect(op.description).toContain("range_too_large");
});

test("expiry is documented on PATCH and in the address body, with an example", async () => {
  const { call } = testApp();
  const spec = (await call("GET", "/docs/json")).body;
  const patch = spec.paths["/api/v1/addresses/{id}"].patch.requestBody.content["application/json"].schema.properties;
  expect(patch.expires_at.description).toContain("null: kept");
  expect(typeof patch.hold_seconds.description).toBe("string");
  const text = JSON.stringify(spec.paths["/api/v1/subnets/{id}/addresses"].post.responses["201"]);
  expect(text).toContain('"expires_at"');
  expect(spec.paths["/api/v1/subnets/{id}/addresses"].post.description).toContain('"hold_seconds": 3600');
});
