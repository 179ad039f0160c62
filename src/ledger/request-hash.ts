import { createHash } from "node:crypto";

/** SHA-256 over a canonical JSON of the request: key order and bigint vs string do not matter. */
export function hashRequest(type: string, walletId: string, request: unknown): string {
  return createHash("sha256").update(canonicalJson({ type, walletId, request })).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined && field !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`);
    return `{${fields.join(",")}}`;
  }
  if (typeof value === "number") return JSON.stringify(String(value));
  return JSON.stringify(value);
}
