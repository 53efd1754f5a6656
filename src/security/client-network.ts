import { isIP } from 'node:net';
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';
import { getRequestState } from '../http/request-state.js';

/** The network of an address that cannot be told (no socket address, or not an IP address). */
export const UNKNOWN_NETWORK = 'unknown';

/**
 * The client network a limit keys on, from the address Express resolved through TRUST_PROXY:
 * an IPv4 address as it is (an IPv4-mapped IPv6 address `::ffff:a.b.c.d` is that IPv4), an IPv6
 * address as its `/ipv6Prefix` network (`2001:db8:0:1::/64`), because one subscriber is usually
 * given a whole /64 and could otherwise take a fresh bucket per address. The text is canonical
 * (compressed, lower case, zone id dropped), so the spellings of one address are one key.
 *
 * Only what node itself accepts as an IP address is parsed (no `0x7f.1` or `010.0.0.1` forms);
 * anything else is UNKNOWN_NETWORK, one shared bucket, so an odd value never mints fresh keys.
 */
export function clientNetwork(address: string | undefined, ipv6Prefix: number): string {
  if (address === undefined || isIP(address) === 0) return UNKNOWN_NETWORK;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return UNKNOWN_NETWORK;
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const bytes = v6.toByteArray().map((byte, i) => {
    const kept = Math.min(8, Math.max(0, ipv6Prefix - i * 8));
    return byte & ((0xff << (8 - kept)) & 0xff);
  });
  return `${ipaddr.fromByteArray(bytes).toString()}/${ipv6Prefix}`;
}

/** The request's client network (clientNetwork of `req.ip`), computed once per request. */
export function requestNetwork(req: Request, ipv6Prefix: number): string {
  const state = getRequestState(req);
  state.network ??= clientNetwork(req.ip, ipv6Prefix);
  return state.network;
}
