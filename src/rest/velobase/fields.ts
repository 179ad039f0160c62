// Reading the customer deposit API's request fields, with its rules: amounts are positive
// integers, dates ISO 8601, ids non-empty strings.
import { parseIsoDateTime } from "../../ledger/dates.ts";
import { ValidationError } from "../../ledger/errors.ts";
import { exactDecimal, isJsonObject, plainJson } from "../exact-json.ts";

function invalid(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ path: [field], message }]);
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") invalid(field, "is required and must be a non-empty string");
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value == null) return null;
  if (typeof value !== "string") invalid(field, "must be a string");
  return value;
}

/** A positive whole number of credits, as a JSON number (read exactly) or an integer string. */
export function positiveAmount(body: Record<string, unknown>, field: string, required = true): bigint | null {
  const value = body[field];
  if (value == null) {
    if (required) invalid(field, "is required");
    return null;
  }
  const digits = typeof value === "string" ? value : exactDecimal(value);
  if (digits === null || !/^-?\d{1,18}$/.test(digits)) invalid(field, "must be a positive integer");
  const amount = BigInt(digits);
  if (amount <= 0n) invalid(field, "must be greater than 0");
  return amount;
}

export function optionalDate(body: Record<string, unknown>, field: string): Date | null {
  const value = body[field];
  return value == null ? null : parseIsoDateTime(value, field);
}

/** A free-form object, kept as JSON (its numbers as JSON.parse reads them: it holds no amounts). */
export function optionalObject(body: Record<string, unknown>, field: string): Record<string, unknown> | null {
  const value = body[field];
  if (value == null) return null;
  if (!isJsonObject(value)) invalid(field, "must be an object");
  return plainJson(value) as Record<string, unknown>;
}

export function optionalStringList(body: Record<string, unknown>, field: string): string[] | null {
  const value = body[field];
  if (value == null) return null;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) invalid(field, "must be an array of strings");
  return value as string[];
}
