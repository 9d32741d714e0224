/**
 * One delivery attempt: a signed JSON POST to the receiver. No store, no retries (the worker
 * decides those); the same function sends a ping.
 *
 * Signature: `X-IPCraft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The receiver recomputes it over the raw body, compares in constant time, and refuses a `t`
 * too far from its clock (replays). README "Webhooks" has the verification snippets.
 *
 * Targets: any http(s) URL the owner or admin configured, loopback and private ranges
 * included — a self-hosted IPAM's receivers (DNS and DHCP sync, Home Assistant, a script on
 * the same box) live on the LAN, and only owners and admins can add one. What keeps this
 * from being a probe of the inside: the answer's body is never stored or shown (only its
 * status code), redirects are not followed (a 3xx is a failure), and every attempt ends
 * after SEND_TIMEOUT_MS.
 */
import { VERSION } from "../../version";

export const SIGNATURE_HEADER = "X-IPCraft-Signature";
/** A receiver that has not answered in this time has failed this attempt. */
export const SEND_TIMEOUT_MS = 10_000;

export function signature(secret: string, timestamp: number, body: string): string {
  const mac = new Bun.CryptoHasher("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

export interface SendResult {
  ok: boolean;
  /** the receiver's status, null when none came back */
  httpStatus: number | null;
  /** why it failed, for the delivery log (never the receiver's body) */
  error: string | null;
}

export interface Outgoing {
  url: string;
  secret: string;
  body: string;
  eventId: string;
  eventType: string;
  deliveryId: string;
}

export async function sendDelivery(d: Outgoing, options: { timeoutMs?: number; now?: () => number } = {}): Promise<SendResult> {
  const timestamp = Math.floor((options.now?.() ?? Date.now()) / 1000);
  try {
    const response = await fetch(d.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? SEND_TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": `ipcraft-webhooks/${VERSION}`,
        "x-ipcraft-event": d.eventType,
        "x-ipcraft-event-id": d.eventId,
        "x-ipcraft-delivery": d.deliveryId,
        [SIGNATURE_HEADER.toLowerCase()]: signature(d.secret, timestamp, d.body),
      },
      body: d.body,
    });
    // The body is not read into memory nor kept: drain it so that the connection is released.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, httpStatus: response.status, error: null };
    const why = response.status >= 300 && response.status < 400 ? "redirects are not followed" : `receiver answered ${response.status}`;
    return { ok: false, httpStatus: response.status, error: why };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, httpStatus: null, error: `no answer within ${(options.timeoutMs ?? SEND_TIMEOUT_MS) / 1000} s` };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, httpStatus: null, error: `could not reach the receiver: ${message.slice(0, 200)}` };
  }
}
