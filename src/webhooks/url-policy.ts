// Which URLs webhooks may be sent to: https only, and only to public addresses, so that a tenant
// cannot make the gateway call into its own network (the database, a cloud metadata service).
// The host is resolved and every address it has is checked, when the endpoint is saved and again
// before each attempt (a name can be pointed elsewhere later). WEBHOOK_ALLOW_PRIVATE=1 lifts both
// rules, for local development and tests.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { ValidationError } from "../ledger/errors.ts";

export interface UrlPolicy {
  /** http and private, loopback and link-local addresses allowed. */
  allowPrivate: boolean;
}

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

/** Whether an address is private, loopback, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family !== 6) return true;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is that IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? PRIVATE.check(mapped[1]!, "ipv4") : PRIVATE.check(address, "ipv6");
}

function refuse(message: string): never {
  throw new ValidationError(`url ${message}`, [{ path: ["url"], message }]);
}

/**
 * The URL as it is kept, once it passes the policy. Fails with ValidationError: not a URL, not
 * https, credentials in it, a host that does not resolve, or one with a non-public address.
 */
export async function checkWebhookUrl(raw: string, policy: UrlPolicy): Promise<string> {
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
  if (policy.allowPrivate) return url.toString();
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      return refuse(`host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) refuse(`host ${host} has a private, loopback or link-local address`);
  return url.toString();
}
