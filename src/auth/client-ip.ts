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

/** What can tell a request's peer: Bun's server (asked only when needed) or the address itself. */
export interface PeerSource {
  requestIP(request: Request): { address: string } | null;
}

const peers = new WeakMap<Request, string | PeerSource>();

/**
 * Called by the server for each request, with itself: the address is asked for only when a
 * limit needs it (an unauthenticated request), since asking costs a system call
 * (getpeername) that an API-key request, counted per organization, never needs.
 */
export function rememberPeer(request: Request, peer: string | PeerSource | undefined): void {
  if (peer) peers.set(request, peer);
}

export const IN_PROCESS_PEER = "127.0.0.1";
/** A request whose client hung up before its address was asked for: one bucket for all of them. */
export const GONE_PEER = "unknown";

export function peerOf(request: Request): string {
  const peer = peers.get(request);
  if (peer === undefined) return IN_PROCESS_PEER;
  if (typeof peer === "string") return peer;
  const address = peer.requestIP(request)?.address ?? GONE_PEER;
  peers.set(request, address);
  return address;
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
