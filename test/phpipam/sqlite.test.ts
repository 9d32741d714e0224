/** The phpIPAM-compatible subset on SQLite (the suite: suite.ts). */
import { describe, expect, test } from "bun:test";
import { BACKENDS } from "../store/contract/backends";
import { phpipamSuite } from "./suite";

describe("phpIPAM API on SQLite", () => phpipamSuite(BACKENDS.find((b) => b.name === "sqlite")!));

describe("phpIPAM API in /docs/json", () => {
  test("every route of the subset is documented, with its envelope", async () => {
    const { testApp } = await import("../helpers/app");
    const doc = (await testApp().call("GET", "/docs/json")).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith("/api/{app}/"))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.slice("/api/{app}".length)}`))
      .sort();
    expect(documented).toEqual(
      [
        "GET /sections", "GET /sections/{id}", "GET /subnets/cidr/{network}/{mask}", "POST /subnets", "GET /subnets/{id}", "DELETE /subnets/{id}",
        "GET /subnets/{id}/first_free", "GET /subnets/{id}/addresses", "POST /addresses", "POST /addresses/first_free/{subnetId}",
        "GET /addresses/first_free/{subnetId}", "GET /addresses/search/{ip}", "GET /addresses/search_mac/{mac}", "GET /addresses/{id}",
        "PATCH /addresses/{id}", "DELETE /addresses/{id}",
      ].sort(),
    );
    const firstFree = doc.paths["/api/{app}/addresses/first_free/{subnetId}"].post;
    expect(firstFree.tags).toEqual(["phpIPAM compatibility"]);
    expect(firstFree.responses["201"].content["application/json"].schema.properties).toHaveProperty("success");
    expect(JSON.stringify(firstFree.responses["201"])).toContain("10.0.7.3");
  });
});
