/** The API's objects as the web app reads them (API.md §2–§8). Counts are decimal strings. */

export interface Utilization {
  size: string;
  usable: string;
  /** usable addresses holding a record here or in a descendant */
  used: string;
  /** usable addresses inside child subnets */
  in_children: string;
  /** what Next free may return */
  free: string;
  percent: number;
}

export interface Subnet {
  id: string;
  cidr: string;
  network: string;
  prefix_length: number;
  family: 4 | 6;
  name: string;
  description: string;
  section_id: string | null;
  vrf: string;
  vlan: number | null;
  parent_id: string | null;
  utilization: Utilization;
  created_at: string;
  updated_at: string;
}

export interface Section {
  id: string;
  name: string;
  description: string;
  subnet_count: number;
  created_at: string;
  updated_at: string;
}

export type AddressStatus = "assigned" | "gateway" | "reserved" | "dhcp";
export const ADDRESS_STATUSES: AddressStatus[] = ["assigned", "reserved", "dhcp", "gateway"];

export interface Address {
  id: string;
  subnet_id: string;
  ip: string;
  hostname: string;
  status: AddressStatus;
  owner: string;
  mac: string | null;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scope: "read" | "write";
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  created_by?: unknown;
  /** only in the create response, once */
  key?: string;
}

export type Role = "owner" | "admin" | "member" | "viewer";

export interface Me {
  user: { id: string; email: string; name: string; role: Role };
  organization: { id: string; name: string; plan: string };
  auth: "session" | "api_key";
  scope: "read" | "write";
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at?: string;
  last_login_at?: string | null;
  /** true until their first sign-in */
  invited?: boolean;
}

export interface Organization {
  id: string;
  name: string;
  plan?: string;
  limits?: Record<string, unknown>;
  usage?: Record<string, unknown>;
  created_at?: string;
}

export interface ActivityEntry {
  id: string;
  at: string;
  actor: { type: string; id: string | null; label: string };
  action: string;
  target: { type: string; id: string | null; label: string };
  changes: Record<string, [unknown, unknown]>;
}

export interface List<T> {
  items: T[];
  total: number;
  next_cursor: string | null;
}

export interface FreeRange {
  start: string;
  end: string;
  size: string;
}
