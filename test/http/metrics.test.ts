import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";
import { createTenant } from "../helpers/tenant";

describe("/metrics", () => {
  test("is off unless --metrics is given", async () => {
    const { call } = testApp();
    expect((await call("GET", "/metrics")).status).toBe(404);
  });

  test("Prometheus text with requests by route pattern and status, latency, and counts", async () => {
    const { call, database } = testApp({ metrics: true });
    const t = createTenant(database);
    await call("GET", "/healthz");
    await call("GET", "/healthz");
    await call("GET", "/api/v1/activity", { headers: t.bearer });
    await call("GET", "/api/v1/activity");
    await call("GET", `/no/such/${crypto.randomUUID()}`);
    await Bun.sleep(1); // request metrics are recorded after the response is handed over
    const r = await call("GET", "/metrics");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/plain");
    expect(r.text).toContain('ipcraft_http_requests_total{method="GET",route="/healthz",status="200"} 2');
    expect(r.text).toContain('ipcraft_http_requests_total{method="GET",route="/api/v1/activity",status="200"} 1');
    expect(r.text).toContain('ipcraft_http_requests_total{method="GET",route="/api/v1/activity",status="401"} 1');
    expect(r.text).toContain('route="(unmatched)",status="404"');
    expect(r.text).not.toContain("/no/such/");
    expect(r.text).toMatch(/ipcraft_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="\+Inf"\} 2/);
    expect(r.text).toContain("ipcraft_organizations 1");
    expect(r.text).toContain("ipcraft_subnets 0");
    expect(r.text).toContain("ipcraft_allocations_total 0");
  });

  test("allocations and stored counts follow the data", async () => {
    const { call, database } = testApp({ metrics: true });
    const t = createTenant(database);
    const subnet = (await call("POST", "/api/v1/subnets", { headers: t.bearer, body: { cidr: "10.1.0.0/24" } })).body;
    await call("POST", `/api/v1/subnets/${subnet.id}/addresses`, { headers: t.bearer, body: {} });
    await call("POST", `/api/v1/subnets/${subnet.id}/addresses`, { headers: t.bearer, body: { count: 5 } });
    await call("POST", `/api/v1/subnets/${subnet.id}/addresses`, { headers: t.bearer, body: { ip: "10.1.0.200" } }); // given, not allocated
    await call("POST", `/api/v1/subnets/${subnet.id}/addresses`, { headers: t.bearer, body: { count: 1000 } }); // refused
    const r = await call("GET", "/metrics");
    expect(r.text).toContain("ipcraft_allocations_total 6");
    expect(r.text).toContain("ipcraft_subnets 1");
    expect(r.text).toContain("ipcraft_addresses 7");
  });
});
