import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

describe("402 plan_limit sentences", () => {
  test("name the plan and the limit in plain words, with the numbers in details", async () => {
    const t = testApp();
    const free = createTenant(t.database, { plan: "free" });
    const invite = await t.call("POST", "/api/v1/users/invite", { headers: free.browser, body: { email: "second@example.org" } });
    expect(invite.status).toBe(402);
    expect(invite.body.code).toBe("plan_limit");
    expect(invite.body.error).toBe("your plan (free) allows 1 user; you have 1");
    expect(invite.body.details).toEqual({ resource: "users", limit: 1, current: 1, requested: 1 });

    const subnet = await t.call("POST", "/api/v1/subnets", { headers: free.browser, body: { cidr: "10.0.0.0/20" } });
    const bulk = await t.call("POST", `/api/v1/subnets/${subnet.body.id}/addresses`, { headers: free.browser, body: { count: 1600 } });
    expect(bulk.status).toBe(402);
    expect(bulk.body.error).toBe("your plan (free) allows 1,500 addresses; you have 0 and asked for 1,600 more");
    expect(t.database.sqlite.query("SELECT COUNT(*) AS n FROM addresses").get()).toEqual({ n: 0 });
  });
});
