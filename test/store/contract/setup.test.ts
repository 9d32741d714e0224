/**
 * First start (issue 15) on both backends: with no users the server logs a one-time setup
 * link; POST /auth/setup with its token makes the owner of the first organization (plan
 * unlimited) and signs them in, once. The token is no sign-in link, and once anyone exists no setup link is issued and setup answers 409.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { announceSetupLink } from "../../../src/auth/first-owner";
import { usePgCluster } from "../../helpers/pg";
import { BACKENDS, openApp } from "./backends";

usePgCluster();

describe.each(BACKENDS)("first-start setup on $name", (backend) => {
  let opened: Awaited<ReturnType<typeof openApp>> | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  const tokenOf = (url: string) => url.slice(url.indexOf("#") + 1);

  test("the logged link's token makes the owner, signs them in, and works once", async () => {
    const t = (opened = await openApp(backend));
    const url = (await announceSetupLink(t.store, "http://127.0.0.1:8080", t.logger))!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/setup#[A-Za-z0-9]{43}$/);
    expect(t.logger.lines.join("\n")).toContain(url);
    const token = tokenOf(url);
    // The setup token is not a sign-in link, and bad input changes nothing.
    expect((await t.call("POST", "/auth/verify", {}, { token })).body.code).toBe("invalid_token");
    expect((await t.call("POST", "/auth/setup", {}, { token: "nope", email: "admin@example.org" })).body.code).toBe("invalid_token");
    expect((await t.call("POST", "/auth/setup", {}, { token, email: "not an email" })).status).toBe(400);
    // The organization's name is one line of text, as PATCH /organization has it.
    for (const organization of ["Evil\u0000Org", "red\u001b[31m", "line1\nline2", "a\ud800", "   "]) {
      const bad = await t.call("POST", "/auth/setup", {}, { token, email: "admin@example.org", organization });
      expect({ organization, status: bad.status, field: JSON.stringify(bad.body).includes("organization") }).toEqual({ organization, status: 400, field: true });
    }

    const r = await t.call("POST", "/auth/setup", {}, { token, email: "Admin@Example.org", organization: "Home Lab" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      user: { id: expect.any(String), email: "admin@example.org", name: "", role: "owner" },
      organization: { id: expect.any(String), name: "Home Lab", plan: "unlimited" },
    });
    const cookie = r.headers.get("set-cookie")!.split(";")[0]!;
    const me = await t.call("GET", "/auth/me", { cookie });
    expect(me.body.user.email).toBe("admin@example.org");
    const org = await t.call("GET", "/organization", { cookie });
    // Self-hosted default: unlimited, activity kept forever (no --activity-retention-days).
    expect(org.body.limits).toMatchObject({ users: null, subnets: null, activity_days: null });
    const activity = await t.call("GET", "/activity", { cookie });
    expect(activity.body.items.map((i: { action: string }) => i.action)).toEqual(["organization.create"]);

    const again = await t.call("POST", "/auth/setup", {}, { token, email: "second@example.org" });
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 409, code: "conflict" });
    // Set up: a restart issues no further link.
    expect(await announceSetupLink(t.store, "http://127.0.0.1:8080", t.logger)).toBeUndefined();
  });

  test("once someone exists, no link is issued and an earlier one answers 409", async () => {
    const t = (opened = await openApp(backend));
    const fresh = await announceSetupLink(t.store, "http://127.0.0.1:8080", t.logger);
    const tenant = await t.newTenant();
    expect(await announceSetupLink(t.store, "http://127.0.0.1:8080", t.logger)).toBeUndefined();
    const late = await t.call("POST", "/auth/setup", {}, { token: tokenOf(fresh!), email: "late@example.org" });
    expect(late.status).toBe(409);
    expect((await t.as(tenant).get("/users")).body.total).toBe(1);
  });
});
