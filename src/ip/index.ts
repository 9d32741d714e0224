/**
 * The pure IP core of ipcraft: no database, no HTTP, no clock, no I/O.
 *
 * - address.ts: `Ip`, strict `parseIp`, canonical `formatIp`, 16-byte ordered `ipKey`
 * - prefix.ts: `Prefix`, `parseCidr`, mask math, THE usable-address rule (`usableRange`)
 * - prefix-lists.ts: `splitPrefix`, `rangeToCidrs`, `summarize`
 * - allocator.ts: `SubnetAllocator` (first-free, allocate, counts, constrained allocation,
 *   free child blocks) and `rebuildAllocators`
 * - constrained-allocation.ts: `AllocationRequest` (range, exclude, from end, contiguous)
 * - free-subnets.ts: the free aligned block walk behind `SubnetAllocator.freeSubnets`
 * - expiry-index.ts: `ExpiryIndex` (which addresses expired at or before a time)
 * - subnet-tree.ts: `SubnetTree` (automatic nesting per organization and VRF)
 */
export * from "./address.ts";
export * from "./prefix.ts";
export { DEFAULT_SPLIT_MAX, rangeOrderError } from "./prefix-lists.ts";
export * from "./allocator.ts";
export { allocationRequestError, type AllocationRequest, type ValueRange } from "./constrained-allocation.ts";
export type { FreeBlockOptions } from "./free-subnets.ts";
export * from "./expiry-index.ts";
export * from "./subnet-tree.ts";
