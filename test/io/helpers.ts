/** Shared by the export/import tests: a rich organization built through the API, and comparisons. */
import type { TestApp } from "../helpers/app";
import type { Tenant } from "../helpers/tenant";

/** Tricky text: separators, quotes, line breaks, formula starts, apostrophes, unicode. */
export const TRICKY = {
  comma: 'Core, main "east"',
  multiline: 'line 1\nline 2, "quoted"\r\nline 3',
  formula: "=HYPERLINK(\"http://evil\",\"x\")",
  plus: "+44 20 7946 0000",
  minus: "-5 dBm",
  at: "@ops",
  apostrophe: "'=already protected",
  tab: "\tindented",
  unicode: "Büro ✓ 𝔘 日本",
};

/** Builds, through the API: sections, nested v4+v6 subnets in two VRFs, addresses of every status. */
export async function buildRichOrganization(t: TestApp, who: Tenant): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const r = await t.call("POST", `/api/v1${path}`, { headers: who.bearer, body });
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  const dc = await post("/sections", { name: "DC 1, \"north\"" });
  const lab = await post("/sections", { name: TRICKY.unicode });
  const core = await post("/subnets", { cidr: "10.0.0.0/16", name: TRICKY.comma, description: TRICKY.multiline, section_id: dc.id, vlan: 10 });
  const web = await post("/subnets", { cidr: "10.0.1.0/24", name: TRICKY.formula, section_id: dc.id, vlan: 4094, gateway: "10.0.1.1" });
  const half = await post("/subnets", { cidr: "10.0.1.128/25", name: TRICKY.at, description: TRICKY.tab });
  const v6 = await post("/subnets", { cidr: "2001:db8::/32", name: "v6 root", section_id: lab.id });
  const v6child = await post("/subnets", { cidr: "2001:db8:1::/48", name: TRICKY.unicode, description: TRICKY.apostrophe });
  await post("/vrfs", { name: "blue" });
  const blue = await post("/subnets", { cidr: "10.0.0.0/16", vrf: "blue", name: "same cidr, other VRF" });
  const blueChild = await post("/subnets", { cidr: "10.0.2.0/24", vrf: "blue", name: TRICKY.minus });
  const ula = await post("/subnets", { cidr: "fd00::/64", vrf: "blue", name: TRICKY.plus });

  await post(`/subnets/${core.id}/addresses`, { ip: "10.0.5.5", hostname: "core-sw", status: "assigned", owner: TRICKY.plus, mac: "AA-BB-CC-DD-EE-FF", description: TRICKY.multiline });
  await post(`/subnets/${web.id}/addresses`, { ip: "10.0.1.10", hostname: "web-1", status: "reserved", owner: TRICKY.at, mac: "aabb.ccdd.ee01" });
  await post(`/subnets/${web.id}/addresses`, { ip: "10.0.1.11", hostname: "web-2", status: "dhcp", description: TRICKY.formula });
  await post(`/subnets/${half.id}/addresses`, { ip: "10.0.1.200", hostname: "half", owner: TRICKY.apostrophe, description: TRICKY.tab });
  await post(`/subnets/${v6.id}/addresses`, { ip: "2001:db8::1", status: "gateway", hostname: "v6-gw" });
  await post(`/subnets/${v6child.id}/addresses`, { ip: "2001:db8:1::abcd", hostname: "v6-host", mac: "00:11:22:33:44:55", description: TRICKY.unicode });
  await post(`/subnets/${blue.id}/addresses`, { ip: "10.0.5.5", hostname: "blue twin", owner: TRICKY.minus });
  await post(`/subnets/${blueChild.id}/addresses`, { ip: "10.0.2.254", hostname: "blue-edge", status: "reserved", description: TRICKY.comma });
  await post(`/subnets/${ula.id}/addresses`, { ip: "fd00::5", hostname: "ula", mac: "0A1B2C3D4E5F" });
}

export async function exportText(t: TestApp, who: Tenant, path: string): Promise<string> {
  const r = await t.call("GET", `/api/v1/export/${path}`, { headers: who.bearer });
  if (r.status !== 200) throw new Error(`export ${path}: ${r.status} ${r.text}`);
  return r.text;
}

export async function importCsv(t: TestApp, who: Tenant, kind: "subnets" | "addresses", text: string, query = "") {
  return t.call("POST", `/api/v1/import/${kind}${query}`, { raw: text, headers: { ...who.bearer, "content-type": "text/csv" } });
}

/**
 * export.json with what legitimately differs between organizations replaced: ids and
 * timestamps dropped, references turned into what they point at (a parent's cidr, a
 * record's subnet cidr, a section's name).
 */
export function comparableJson(doc: any): unknown {
  const sectionName = new Map<string, string>(doc.sections.map((s: any) => [s.id, s.name]));
  const subnetKey = new Map<string, string>(doc.subnets.map((s: any) => [s.id, `${s.vrf} ${s.cidr}`]));
  return {
    sections: doc.sections.map((s: any) => ({ name: s.name, description: s.description })),
    subnets: doc.subnets.map((s: any) => ({
      cidr: s.cidr,
      vrf: s.vrf,
      name: s.name,
      description: s.description,
      section: s.section,
      section_by_id: s.section_id === null ? null : sectionName.get(s.section_id),
      vlan: s.vlan,
      parent: s.parent_id === null ? null : subnetKey.get(s.parent_id),
    })),
    addresses: doc.addresses.map((a: any) => ({
      ip: a.ip,
      vrf: a.vrf,
      subnet: subnetKey.get(a.subnet_id),
      hostname: a.hostname,
      status: a.status,
      owner: a.owner,
      mac: a.mac,
      description: a.description,
    })),
  };
}

/** Row counts of the tables an import writes, for "nothing changed" checks. */
export function counts(t: TestApp): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of ["sections", "subnets", "addresses", "activity"]) {
    out[table] = (t.database.sqlite.query(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  return out;
}
