/**
 * The ceiling for HTTP (bench/ceilings.ts): Bun.serve alone answering a JSON POST like an
 * allocation's (parse the body, answer 201 with a small JSON object). No framework, no
 * database: what this machine's HTTP stack costs per request.
 */
const port = Number(process.argv[2]);
Bun.serve({
  hostname: "127.0.0.1",
  port,
  async fetch(request) {
    const body = (await request.json()) as { hostname?: string };
    return Response.json({ id: crypto.randomUUID(), ip: "10.0.0.1", hostname: body.hostname ?? "" }, { status: 201 });
  },
});
