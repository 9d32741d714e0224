/** A fresh app with one tenant and tiny request builders for the IPAM tests. */
import { testApp } from "../helpers/app";
import { createTenant, type Tenant } from "../helpers/tenant";

export function ipamFixture(options: Parameters<typeof createTenant>[1] = {}) {
  const t = testApp();
  const tenant = createTenant(t.database, options);
  const as = (who: Tenant) => ({
    get: (path: string) => t.call("GET", `/api/v1${path}`, { headers: who.bearer }),
    post: (path: string, body: unknown = {}) => t.call("POST", `/api/v1${path}`, { headers: who.bearer, body }),
    patch: (path: string, body: unknown) => t.call("PATCH", `/api/v1${path}`, { headers: who.bearer, body }),
    del: (path: string) => t.call("DELETE", `/api/v1${path}`, { headers: who.bearer }),
  });
  const api = as(tenant);
  /** Creates a subnet, and first its VRF when it names one, and returns its body (fails the test on a non-201). */
  async function subnet(cidr: string, extra: Record<string, unknown> = {}) {
    if (typeof extra.vrf === "string" && extra.vrf !== "default") await api.post("/vrfs", { name: extra.vrf }); // 409 once it exists
    const r = await api.post("/subnets", { cidr, ...extra });
    if (r.status !== 201) throw new Error(`creating ${cidr}: ${r.status} ${r.text}`);
    return r.body;
  }
  async function address(subnetId: string, body: Record<string, unknown> = {}) {
    const r = await api.post(`/subnets/${subnetId}/addresses`, body);
    if (r.status !== 201) throw new Error(`address in ${subnetId}: ${r.status} ${r.text}`);
    return r.body;
  }
  function activity(action?: string) {
    const rows = t.database.sqlite
      .query("SELECT action, target_id, target_label, actor_type, actor_id, changes FROM activity WHERE org_id = ? ORDER BY at, rowid")
      .all(tenant.orgId) as { action: string; target_id: string; target_label: string; actor_type: string; actor_id: string; changes: string }[];
    return action ? rows.filter((r) => r.action === action) : rows;
  }
  return { ...t, tenant, api, as, subnet, address, activity, createTenant: (o: Parameters<typeof createTenant>[1] = {}) => createTenant(t.database, o) };
}
