/** `bun run bench`: every benchmark, one markdown table each. */
console.log("## IPAM over HTTP (bench/http.ts)\n");
await import("./http.ts");
export {};
