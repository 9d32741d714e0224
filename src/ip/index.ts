/**
 * The pure IP core of ipcraft: no database, no HTTP, no clock, no I/O.
 *
 * - address.ts: `Ip`, strict `parseIp`, canonical `formatIp`, 16-byte ordered `ipKey`
 * - prefix.ts: `Prefix`, `parseCidr`, mask math, THE usable-address rule (`usableRange`)
 * - prefix-lists.ts: `splitPrefix`, `rangeToCidrs`, `summarize`
 * - allocator.ts: `SubnetAllocator` (first-free, allocate, counts) and `rebuildAllocators`
 * - subnet-tree.ts: `SubnetTree` (automatic nesting per organization and VRF)
 */
export * from "./address.ts";
export * from "./prefix.ts";
export { DEFAULT_SPLIT_MAX, rangeOrderError } from "./prefix-lists.ts";
export * from "./allocator.ts";
export * from "./subnet-tree.ts";
