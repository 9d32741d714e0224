/**
 * The phpIPAM-compatible subset (issue 14): what Proxmox VE's SDN phpIPAM plugin calls, with
 * phpIPAM's semantics, ids and messages (api/controllers/{Sections,Subnets,Addresses}.php of
 * phpIPAM 1.x). Ids are the integer `number`s of sections, subnets and addresses (store
 * number_counters); every write goes through the native services (same rules, transactions,
 * activity and events), so this file only translates: parameters in, phpIPAM's shapes out.
 * A foreign or unknown number finds nothing (every read filters on the caller's organization).
 */
import { requireWrite, type Principal } from "../../auth/principal";
import { ApiError } from "../../http/errors";
import { formatCidr, formatIp, parseCidr, parseIp } from "../../ip";
import type { StoreDeps } from "../../app";
import type { NumberedKind, PhpAddressRow, PhpSectionRow, PhpSubnetRow, Queries } from "../../store/store";
import { addressService } from "../addresses/service";
import { AddressCreateBody, AddressPatchBody, normaliseMac } from "../addresses/model";
import { subnetService } from "../subnets/service";
import { SubnetCreateBody } from "../subnets/model";
import type { z } from "zod";

/** Request parameters as phpIPAM reads them: JSON or form fields, strings or numbers. */
export type Params = Record<string, unknown>;

/** How many records one phpIPAM list answers at most (phpIPAM itself has no limit; this keeps an answer bounded). */
export const MAX_LIST = 10_000;

/** phpIPAM's address tags (`tag` / `state`) and ipcraft's statuses. */
const TAG_OF: Record<string, number> = { assigned: 2, reserved: 3, dhcp: 4, gateway: 2 };
const STATUS_OF_TAG: Record<string, string> = { "2": "assigned", "3": "reserved", "4": "dhcp" };

/** A phpIPAM error: its status and its sentence (shell.ts renders the envelope). */
function fail(status: 400 | 404 | 409, message: string): ApiError {
  const code = status === 400 ? "invalid_request" : status === 404 ? "not_found" : "conflict";
  return new ApiError(code, message);
}

/** A phpIPAM id: digits only (phpIPAM's is_numeric also takes "1e3" and " 1"; nothing here is that loose). */
function idNumber(value: unknown, what: string): number {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (!/^\d{1,9}$/.test(text)) throw fail(400, `${what} must be numeric (${String(value ?? "")})`);
  return Number(text);
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw fail(400, "Invalid parameter value");
}

function flag(value: unknown): boolean | undefined {
  const t = text(value);
  if (t === undefined || t === "") return undefined;
  if (t === "1" || t === "true") return true;
  if (t === "0" || t === "false") return false;
  throw fail(400, `Invalid boolean value (${t})`);
}

/** A native schema's verdict as one phpIPAM-style 400 sentence. */
function checked<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = String(issue.path[0] ?? "");
  if (field === "mac") throw fail(400, "Invalid MAC address");
  throw fail(400, `Invalid ${field || "parameter"}: ${issue.message}`);
}

export function sectionView(s: PhpSectionRow) {
  return {
    id: s.number,
    name: s.name,
    description: s.description,
    masterSection: 0,
    permissions: null,
    strictMode: 1,
    subnetOrdering: "default",
    order: null,
    editDate: s.updated_at,
    showSubnet: 1,
    showVLAN: 0,
    showVRF: 0,
    DNS: null,
  };
}

export function subnetView(s: PhpSubnetRow, full: boolean | null = null) {
  const [network] = s.cidr.split("/");
  return {
    id: s.number,
    subnet: network,
    mask: s.prefix_length,
    sectionId: s.section_number,
    description: s.description || s.name,
    vrfId: null,
    masterSubnetId: s.parent_number ?? 0,
    vlanId: null,
    isFolder: 0,
    isFull: full === null ? 0 : full ? 1 : 0,
    editDate: s.updated_at,
    // ipcraft's own fields, for clients that want them
    vrf: s.vrf,
    vlan: s.vlan,
  };
}

export function addressView(a: PhpAddressRow) {
  return {
    id: a.number,
    subnetId: a.subnet_number,
    ip: a.ip,
    is_gateway: a.status === "gateway" ? 1 : 0,
    description: a.description,
    hostname: a.hostname,
    mac: a.mac,
    owner: a.owner,
    tag: TAG_OF[a.status] ?? 2,
    note: "",
    editDate: a.updated_at,
  };
}

export function phpipamService(deps: StoreDeps) {
  const { store } = deps;
  const subnets = subnetService(deps);
  const addresses = addressService(deps);

  const read = <T>(p: Principal, fn: (q: Queries) => Promise<T>) => store.read({ orgId: p.orgId }, fn);

  async function idOf(p: Principal, kind: NumberedKind, number: number): Promise<string | null> {
    return read(p, (q) => q.phpipam.idOf(p.orgId, kind, number));
  }

  async function subnetIdOf(p: Principal, value: unknown, what = "Subnet Id"): Promise<{ id: string; number: number }> {
    const number = idNumber(value, what);
    const id = await idOf(p, "subnet", number);
    if (!id) throw fail(404, `Invalid subnet Id (${number})`);
    return { id, number };
  }

  async function addressIdOf(p: Principal, value: unknown): Promise<string> {
    const id = await idOf(p, "address", idNumber(value, "Address id"));
    if (!id) throw fail(404, "Address does not exist");
    return id;
  }

  async function addressByNativeId(p: Principal, id: string): Promise<PhpAddressRow> {
    const [row] = await read(p, (q) => q.phpipam.addresses(p.orgId, { id }, 1));
    if (!row) throw fail(404, "Address does not exist");
    return row;
  }

  /** hostname, description, mac, owner and status from phpIPAM's parameter names. */
  function addressFields(params: Params, forCreate: boolean) {
    const fields: Record<string, unknown> = {};
    for (const name of ["hostname", "description", "owner"] as const) {
      const v = text(params[name]);
      if (v !== undefined) fields[name] = v;
    }
    const mac = text(params.mac);
    if (mac !== undefined) fields.mac = mac === "" ? null : mac;
    const tag = text(params.tag ?? params.state);
    if (tag !== undefined && tag !== "") {
      const status = STATUS_OF_TAG[tag];
      if (!status) throw fail(400, "Invalid state");
      fields.status = status;
    }
    const gateway = flag(params.is_gateway);
    if (gateway === true) fields.status = "gateway";
    else if (gateway === false && fields.status === undefined) fields.status = forCreate ? "assigned" : "gateway-off";
    return fields;
  }

  async function inUse<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ApiError && error.code === "address_in_use") throw fail(409, "IP address already exists");
      if (error instanceof ApiError && error.code === "subnet_full") throw fail(404, "No free addresses found");
      throw error;
    }
  }

  return {
    async sections(p: Principal) {
      const rows = await read(p, (q) => q.phpipam.sections(p.orgId));
      return rows.length === 0 ? { message: "No sections available" } : { data: rows.map(sectionView) };
    },

    async section(p: Principal, id: string) {
      const number = idNumber(id, "Section id");
      const [row] = await read(p, (q) => q.phpipam.sections(p.orgId, number));
      if (!row) throw fail(404, "Section does not exist");
      return { data: sectionView(row) };
    },

    /** GET subnets/cidr/{network}/{mask}: every subnet with that CIDR (any VRF); 404 when none. */
    async subnetsByCidr(p: Principal, network: string, mask: string) {
      const parsed = parseCidr(`${network}/${mask}`);
      if (!parsed.ok) throw fail(404, "No subnets found");
      const rows = await read(p, (q) => q.phpipam.subnets(p.orgId, { cidr: formatCidr(parsed.value) }));
      if (rows.length === 0) throw fail(404, "No subnets found");
      return { data: rows.map((r) => subnetView(r)) };
    },

    async subnet(p: Principal, id: string) {
      const { id: nativeId } = await subnetIdOf(p, id);
      const [row] = await read(p, (q) => q.phpipam.subnets(p.orgId, { id: nativeId }));
      if (!row) throw fail(404, `Invalid subnet Id (${id})`);
      const free = await addresses.firstFree(p, nativeId);
      return { data: subnetView(row, free.ip === null) };
    },

    /** POST subnets/: subnet, mask, sectionId (required), description. */
    async createSubnet(p: Principal, params: Params) {
      // A read-only key is refused before anything is looked up (phpIPAM checks app permissions first).
      requireWrite(p);
      const network = text(params.subnet);
      const mask = text(params.mask);
      if (!network || !mask) throw fail(400, "Subnet and mask are required");
      const sectionParam = params.sectionId;
      if (sectionParam === undefined || sectionParam === null || sectionParam === "") throw fail(400, "Invalid Section ()");
      const sectionNumber = idNumber(sectionParam, "Section Id");
      const sectionId = await idOf(p, "section", sectionNumber);
      if (!sectionId) throw fail(400, `Section id (${sectionNumber}) does not exist`);
      const parsed = parseCidr(`${network}/${mask}`);
      if (!parsed.ok) throw fail(400, parsed.error.code === "cidr_host_bits_set" ? "Address is not subnet" : `Invalid CIDR address ${network}/${mask}`);
      const body = checked(SubnetCreateBody, { cidr: formatCidr(parsed.value), section_id: sectionId, description: text(params.description) });
      const made = await subnets.create(p, body);
      const [row] = await read(p, (q) => q.phpipam.subnets(p.orgId, { id: made.id }));
      return { status: 201, message: "Subnet created", id: row!.number, data: made.cidr };
    },

    /** DELETE subnets/{id}: the subnet and its addresses (phpIPAM deletes both). */
    async deleteSubnet(p: Principal, id: string) {
      requireWrite(p);
      const { id: nativeId } = await subnetIdOf(p, id);
      await subnets.remove(p, nativeId, true);
      return { message: "Subnet deleted" };
    },

    async subnetFirstFree(p: Principal, id: string) {
      const { id: nativeId } = await subnetIdOf(p, id);
      const free = await addresses.firstFree(p, nativeId);
      if (free.ip === null) throw fail(404, "No free addresses found");
      return { data: free.ip };
    },

    async subnetAddresses(p: Principal, id: string) {
      const { id: nativeId } = await subnetIdOf(p, id);
      const rows = await read(p, (q) => q.phpipam.addresses(p.orgId, { subnetId: nativeId }, MAX_LIST));
      if (rows.length === 0) throw fail(404, "No addresses found");
      return { data: rows.map(addressView) };
    },

    async address(p: Principal, id: string) {
      const row = await addressByNativeId(p, await addressIdOf(p, id));
      return { data: addressView(row) };
    },

    /** POST addresses/: ip and subnetId required; hostname, description, mac, owner, is_gateway, tag. */
    async createAddress(p: Principal, params: Params) {
      requireWrite(p);
      if (params.subnetId === undefined || params.subnetId === null || params.subnetId === "") throw fail(400, "SubnetId must be numeric");
      const subnet = await subnetIdOf(p, params.subnetId, "SubnetId");
      const ip = text(params.ip ?? params.ip_addr);
      if (!ip) throw fail(400, "Invalid address");
      const body = checked(AddressCreateBody, { ip, ...addressFields(params, true) });
      const made = await inUse(() => addresses.create(p, subnet.id, body));
      const row = await addressByNativeId(p, (made.value as { id: string }).id);
      return { status: 201, message: "Address created", id: row.number, data: row.ip };
    },

    /** POST addresses/first_free/{subnetId}/: takes the lowest free address; `data` is the IP. */
    async createFirstFree(p: Principal, subnetParam: unknown, params: Params) {
      requireWrite(p);
      const subnet = await subnetIdOf(p, subnetParam);
      const fields = addressFields(params, true);
      if (fields.description === undefined) fields.description = "API created";
      const body = checked(AddressCreateBody, fields);
      const made = await inUse(() => addresses.create(p, subnet.id, body));
      const row = await addressByNativeId(p, (made.value as { id: string }).id);
      return { status: 201, message: "Address created", id: row.number, data: row.ip };
    },

    async firstFree(p: Principal, subnetParam: unknown) {
      const subnet = await subnetIdOf(p, subnetParam);
      const free = await addresses.firstFree(p, subnet.id);
      if (free.ip === null) throw fail(404, "No free addresses found");
      return { data: free.ip };
    },

    /** PATCH addresses/{id}: ip and subnetId cannot change; absent fields keep their values. */
    async updateAddress(p: Principal, id: string, params: Params) {
      requireWrite(p);
      if (params.ip !== undefined || params.ip_addr !== undefined) throw fail(400, "IP address cannot be changed");
      if (params.subnetId !== undefined) throw fail(400, "Subnet cannot be changed");
      const nativeId = await addressIdOf(p, id);
      const fields = addressFields(params, false);
      if (Object.keys(fields).length === 0) throw fail(400, "No data provided");
      if (fields.status === "gateway-off") {
        // is_gateway=0: a gateway becomes an ordinary assigned address; anything else keeps its status.
        const before = await addressByNativeId(p, nativeId);
        if (before.status === "gateway") fields.status = "assigned";
        else delete fields.status;
      }
      const body = checked(AddressPatchBody, fields);
      await addresses.update(p, nativeId, body);
      return { message: "Address updated" };
    },

    async deleteAddress(p: Principal, id: string) {
      requireWrite(p);
      const nativeId = await addressIdOf(p, id);
      await addresses.remove(p, nativeId);
      return { message: "Address deleted" };
    },

    /** GET addresses/search/{ip}: every record of that IP (any VRF); 404 when none. */
    async search(p: Principal, ip: string) {
      const parsed = parseIp(ip);
      if (!parsed.ok) throw fail(400, "Invalid address");
      const rows = await read(p, (q) => q.phpipam.addresses(p.orgId, { ip: formatIp(parsed.value) }, MAX_LIST));
      if (rows.length === 0) throw fail(404, "Address not found");
      return { data: rows.map(addressView) };
    },

    async searchMac(p: Principal, mac: string) {
      const valid = checked(AddressPatchBody, { mac });
      const rows = await read(p, (q) => q.phpipam.addresses(p.orgId, { mac: normaliseMac(valid.mac as string) }, MAX_LIST));
      if (rows.length === 0) throw fail(404, "Host name not found");
      return { data: rows.map(addressView) };
    },
  };
}
