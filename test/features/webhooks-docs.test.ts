/** /docs/json documents the webhook routes and the change feed (issue 14), with examples a reader can copy. */
import { expect, test } from "bun:test";
import { testApp } from "../helpers/app";

test("every webhook route and GET /api/v1/events are in the OpenAPI document, with examples and the signature explained", async () => {
  const doc = (await testApp().call("GET", "/docs/json")).body;
  const paths = doc.paths as Record<string, Record<string, any>>;
  expect(Object.keys(paths["/api/v1/webhooks"]!).sort()).toEqual(["get", "post"]);
  expect(Object.keys(paths["/api/v1/webhooks/{id}"]!).sort()).toEqual(["delete", "get", "patch"]);
  expect(paths["/api/v1/webhooks/{id}/ping"]!.post).toBeDefined();
  expect(paths["/api/v1/webhooks/{id}/deliveries"]!.get).toBeDefined();
  const create = paths["/api/v1/webhooks"]!.post;
  expect(create.description).toContain("X-IPCraft-Signature");
  expect(JSON.stringify(create.requestBody)).toContain("address.*");
  expect(JSON.stringify(create.responses["201"])).toContain("secret");
  const feed = paths["/api/v1/events"]!.get;
  expect(feed.parameters.map((p: { name: string }) => p.name).sort()).toEqual(["after", "limit", "wait"]);
  expect(JSON.stringify(feed.responses["200"])).toContain("address.create");
  expect(feed.responses["410"]).toBeDefined();
});
