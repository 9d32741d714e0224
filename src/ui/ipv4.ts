/**
 * IPv4 arithmetic for the IP grid: which addresses of a small subnet are usable, by the one
 * rule of API.md §6 (network and broadcast excluded up to /30; /31 has 2, /32 has 1).
 * The grid is only drawn for /22 and smaller, so at most 1,022 cells.
 */

/** The largest subnet the grid draws: /22 [doc]. */
export const GRID_MAX_PREFIX = 22;

export function ipv4ToInt(ip: string): number {
  const parts = ip.split(".").map(Number);
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** The usable addresses of `network/prefix` as integers, in order. */
export function usableIpv4(network: string, prefix: number): number[] {
  const first = ipv4ToInt(network);
  const size = 2 ** (32 - prefix);
  if (prefix >= 31) return Array.from({ length: size }, (_, i) => first + i);
  return Array.from({ length: size - 2 }, (_, i) => first + 1 + i);
}

/** [first, last] integers covered by a CIDR. */
export function ipv4Range(cidr: string): [number, number] {
  const [network, len] = cidr.split("/");
  const first = ipv4ToInt(network!);
  return [first, first + 2 ** (32 - Number(len)) - 1];
}
