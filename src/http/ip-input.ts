/**
 * IP input from requests: strict parsing by the IP core, with its error values turned into
 * 400s that name the field and carry the core's code and any suggestion
 * (`{"error": "field \"cidr\": 10.0.1.5/24 has host bits set; did you mean 10.0.1.0/24?", ...}`).
 */
import { type Ip, type IpError, parseCidr, parseIp, type Prefix } from "../ip";
import { ApiError } from "./errors";

export function ipInputError(field: string, error: IpError, kind: "invalid_ip" | "invalid_cidr"): ApiError {
  return new ApiError(kind, `field "${field}": ${error.message}`, {
    field,
    reason: error.code,
    ...(error.suggestion ? { suggestion: error.suggestion } : {}),
  });
}

/** Parses an address or throws a 400 naming `field`. */
export function requireIp(field: string, text: string): Ip {
  const parsed = parseIp(text);
  if (!parsed.ok) throw ipInputError(field, parsed.error, "invalid_ip");
  return parsed.value;
}

/** Parses a CIDR (host bits must be clear) or throws a 400 naming `field`. */
export function requireCidr(field: string, text: string): Prefix {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw ipInputError(field, parsed.error, "invalid_cidr");
  return parsed.value;
}
