// JSON for the REST shim. Amounts leave as JSON numbers, as the vendors document them, written
// digit for digit from bigint (JSON.stringify would refuse a bigint, and a Number could round).

import { isJsonObject, parseExactJson } from "./exact-json.ts";

const NUMBER_MARK = "\u0000number:";

/** A number written into JSON exactly as this decimal string, e.g. 10.5 for "10.50". */
export class JsonDecimal {
  constructor(readonly digits: string) {
    if (!/^-?\d+(\.\d+)?$/.test(digits)) throw new Error(`not a decimal: ${digits}`);
  }
  toJSON(): string {
    const trimmed = this.digits.includes(".") ? this.digits.replace(/0+$/, "").replace(/\.$/, "") : this.digits;
    return `${NUMBER_MARK}${trimmed}`;
  }
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? `${NUMBER_MARK}${value}` : value)).replace(
    /"\\u0000number:(-?\d+(?:\.\d+)?)"/g,
    "$1",
  );
  return new Response(text, { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

export class MalformedBodyError extends Error {}

/** Reads a JSON object body (or a form, where a vendor allows one). */
export async function readBody(request: Request, options: { allowForm?: boolean } = {}): Promise<Record<string, unknown>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await request.text();
  if (type === "application/x-www-form-urlencoded" && options.allowForm) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type !== "application/json") {
    throw new MalformedBodyError(
      `Content-Type must be application/json${options.allowForm ? " or application/x-www-form-urlencoded" : ""}`,
    );
  }
  let body: unknown;
  try {
    body = parseExactJson(text);
  } catch {
    throw new MalformedBodyError("the request body is not valid JSON");
  }
  if (!isJsonObject(body)) throw new MalformedBodyError("the request body must be a JSON object");
  return body as Record<string, unknown>;
}
