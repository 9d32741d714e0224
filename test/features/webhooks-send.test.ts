/**
 * One delivery attempt against real local receivers: a redirect is a failure and is not
 * followed (a receiver must not bounce ipcraft's signed POST elsewhere), a receiver that
 * hangs fails at the timeout, and the receiver's body is never part of the result.
 */
import { afterAll, expect, test } from "bun:test";
import { sendDelivery } from "../../src/features/webhooks/send";

const hits: string[] = [];
const server: Bun.Server<undefined> = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request): Response | Promise<Response> {
    const path = new URL(request.url).pathname;
    hits.push(path);
    if (path === "/redirect") return Response.redirect(`http://127.0.0.1:${server.port}/elsewhere`, 307);
    if (path === "/hang") return new Promise<Response>(() => {});
    if (path === "/secret-page") return new Response("internal admin page: password=hunter2", { status: 500 });
    return new Response(null, { status: 204 });
  },
});
afterAll(() => server.stop(true));

const outgoing = (path: string) => ({ url: `http://127.0.0.1:${server.port}${path}`, secret: "s".repeat(20), body: '{"id":"e1"}', eventId: "e1", eventType: "address.create", deliveryId: "d1" });

test("a redirect is a failed attempt and is not followed", async () => {
  const r = await sendDelivery(outgoing("/redirect"));
  expect(r).toEqual({ ok: false, httpStatus: 307, error: "redirects are not followed" });
  expect(hits).not.toContain("/elsewhere");
});

test("a receiver that never answers fails at the timeout", async () => {
  const r = await sendDelivery(outgoing("/hang"), { timeoutMs: 300 });
  expect(r).toEqual({ ok: false, httpStatus: null, error: "no answer within 0.3 s" });
});

test("the receiver's answer body never reaches the result (no probing of LAN pages through the delivery log)", async () => {
  const r = await sendDelivery(outgoing("/secret-page"));
  expect(r).toEqual({ ok: false, httpStatus: 500, error: "receiver answered 500" });
  expect(JSON.stringify(r)).not.toContain("hunter2");
});

test("2xx is success; nothing listening is a failed attempt with a reason", async () => {
  expect(await sendDelivery(outgoing("/ok"))).toEqual({ ok: true, httpStatus: 204, error: null });
  const closed = await sendDelivery({ ...outgoing("/"), url: "http://127.0.0.1:9/" });
  expect(closed.ok).toBe(false);
  expect(closed.error).toStartWith("could not reach the receiver");
});
