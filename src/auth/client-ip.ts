/**
 * The client's IP address, for per-IP rate limits.
 *
 * The TCP peer is the truth. `X-Forwarded-For` is believed only when the peer is one of
 * the configured trusted proxies (`--trusted-proxy`), and then we walk the header from
 * the right, skipping further trusted proxies: the first untrusted hop is the client.
 * (Taking the leftmost entry would let any client pick its own address.)
 *
 * The peer is known only to the real server (`server.requestIP`); server.ts records it
 * here per Request before handing the request to the app. Nothing the client sends can
 * set it. In-process requests (tests, `app.handle`) have no peer and count as 127.0.0.1.
 */
import ipaddr from "ipaddr.js";

const peers = new WeakMap<Request, string>();

/** Called by the server for each request with the socket's remote address. */
export function rememberPeer(request: Request, address: string | undefined): void {
  if (address) peers.set(request, address);
}

export const IN_PROCESS_PEER = "127.0.0.1";

export function peerOf(request: Request): string {
  return peers.get(request) ?? IN_PROCESS_PEER;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `--trusted-proxy` values (IP or CIDR) once. */
export function parseTrustedProxies(values: readonly string[]): Range[] {
  return values.map((value) => {
    if (value.includes("/")) return ipaddr.parseCIDR(value);
    const ip = ipaddr.parse(value);
    return [ip, ip.kind() === "ipv4" ? 32 : 128] as Range;
  });
}

function normalise(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    const ip = ipaddr.parse(text.trim());
    // IPv4 peers often arrive as ::ffff:a.b.c.d on a dual-stack socket.
    return ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
  } catch {
    return null;
  }
}

function isTrusted(ip: ipaddr.IPv4 | ipaddr.IPv6, trusted: Range[]): boolean {
  return trusted.some(([net, len]) => ip.kind() === net.kind() && ip.match([net, len] as never));
}

/** The client address for `request`, honouring X-Forwarded-For only from trusted proxies. */
export function clientIp(request: Request, trusted: Range[]): string {
  const peerText = peerOf(request);
  const peer = normalise(peerText);
  if (!peer) return peerText;
  if (trusted.length === 0 || !isTrusted(peer, trusted)) return peer.toString();
  const hops = (request.headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalise(hops[i]!);
    if (!hop) return peer.toString(); // garbage in the header: fall back to what we know
    if (!isTrusted(hop, trusted)) return hop.toString();
  }
  return peer.toString();
}
