// Which URLs webhooks may be sent to: https only, and only to public addresses, so that a tenant
// cannot make the gateway call into its own network (the database, a cloud metadata service).
// The host is resolved and every address it has is checked, when the endpoint is saved and again
// before each attempt (a name can be pointed elsewhere later); the attempt then connects to the
// address that passed, never resolving the name a second time (no window for DNS rebinding).
// WEBHOOK_ALLOW_PRIVATE=1 lifts both rules, for local development and tests.
//
// Addresses are classified by ipaddr.js. An IPv6 address that carries an IPv4 one (IPv4-mapped
// and -translated, IPv4-compatible, NAT64, 6to4, Teredo) is judged by the IPv4 address it
// carries: ::ffff:0:127.0.0.1 and 2002:7f00:1:: reach the loopback interface as surely as
// 127.0.0.1 does, wherever the network translates them.
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { ValidationError } from "../ledger/index.ts";

/** A host's addresses, as `dns.lookup` answers them (tests answer their own). */
export type HostResolver = (host: string) => Promise<string[]>;

export interface UrlPolicy {
  /** http and private, loopback and link-local addresses allowed. */
  allowPrivate: boolean;
  /** Resolves host names; the system resolver unless given. */
  resolveHost?: HostResolver;
}

/** Where an attempt goes: the URL, and the address it connects to (the one that was checked). */
export interface WebhookTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** The IPv4 addresses an IPv6 address carries, by the range it is in; none for a plain IPv6 address. */
function carriedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] | "refused" {
  const parts = address.parts;
  const ipv4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (address.range()) {
    case "ipv4Mapped": // ::ffff:a.b.c.d
    case "rfc6145": // ::ffff:0:a.b.c.d
      return [ipv4(parts[6]!, parts[7]!)];
    case "rfc6052":
      // 64:ff9b::a.b.c.d; the local-use 64:ff9b:1::/48 places it by a prefix length it does not tell.
      return parts[2] === 0 ? [ipv4(parts[6]!, parts[7]!)] : "refused";
    case "6to4": // 2002:aabb:ccdd::
      return [ipv4(parts[1]!, parts[2]!)];
    case "teredo": // 2001:0:<server>:<flags>:<port>:<client, inverted>
      return [ipv4(parts[2]!, parts[3]!), ipv4(parts[6]! ^ 0xffff, parts[7]! ^ 0xffff)];
    default:
      // IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks).
      return parts.slice(0, 6).every((part) => part === 0) ? [ipv4(parts[6]!, parts[7]!)] : [];
  }
}

/**
 * Whether an address is not an ordinary public unicast address: private, loopback, link-local,
 * reserved, multicast, or an IPv6 form carrying such an IPv4 address. Anything that does not
 * parse as an address counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/%.*$/, ""));
  } catch {
    return true;
  }
  if (parsed.kind() === "ipv4") return parsed.range() !== "unicast";
  const ipv6 = parsed as ipaddr.IPv6;
  const range = ipv6.range();
  if (range === "unspecified" || range === "loopback") return true;
  const carried = carriedIPv4(ipv6);
  if (carried === "refused") return true;
  if (carried.length > 0) return carried.some((ipv4) => ipv4.range() !== "unicast");
  return range !== "unicast";
}

function refuse(message: string): never {
  throw new ValidationError(`url ${message}`, [{ path: ["url"], message }]);
}

/** The URL, once its form passes: absolute, https (or http when allowed), no credentials, no fragment. */
function parseWebhookUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse("must be an absolute URL, e.g. https://example.com/billing-events");
  }
  if (raw.length > 2_048) refuse("must be at most 2048 characters");
  if (url.protocol !== "https:" && !(policy.allowPrivate && url.protocol === "http:")) refuse("must use https");
  if (url.username || url.password) refuse("must not carry a user name or password");
  url.hash = "";
  return url;
}

/** The host's addresses, every one of them public unless the policy allows private ones. */
async function checkedAddresses(url: URL, policy: UrlPolicy): Promise<string[]> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (policy.resolveHost ?? systemResolver)(host);
    } catch {
      return refuse(`host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0) refuse(`host ${host} does not resolve`);
  if (!policy.allowPrivate && addresses.some(isPrivateAddress)) refuse(`host ${host} has a private, loopback or link-local address`);
  return addresses;
}

/**
 * The URL as it is kept, once it passes the policy. Fails with ValidationError: not a URL, not
 * https, credentials in it, a host that does not resolve, or one with a non-public address.
 */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy): Promise<string> {
  const url = parseWebhookUrl(raw, policy);
  // A private address is allowed anyway: the name need not resolve yet (a local receiver to come).
  if (!policy.allowPrivate) await checkedAddresses(url, policy);
  return url.toString();
}

/**
 * Where an attempt connects: the URL checked as `checkWebhookUrl` does, and the first of the
 * addresses that passed, which the attempt connects to without resolving the name again.
 * Fails with ValidationError as `checkWebhookUrl` does.
 */
export async function resolveWebhookTarget(raw: string, policy: UrlPolicy): Promise<WebhookTarget> {
  const url = parseWebhookUrl(raw, policy);
  const address = ipaddr.process((await checkedAddresses(url, policy))[0]!.replace(/%.*$/, ""));
  return { url, address: address.toString(), family: address.kind() === "ipv4" ? 4 : 6 };
}
