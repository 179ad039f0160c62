// The REST shim's request fields, read once for every vendor. A field pairs its reader (which
// validates and converts, throwing ValidationError that names the field) with its JSON Schema, so
// the route that declares it both checks requests and documents them (src/rest/schema.ts).
// Amounts stay exact: a JSON number arrives as its text (src/rest/exact-json.ts) and becomes
// bigint minor units digit by digit; nothing passes through a float.
import { parseIsoDateTime, ValidationError, decimalToMinorUnits } from "../ledger/index.ts";
import { exactDecimal, isJsonObject, JsonNumber, plainJson } from "./exact-json.ts";

export type JsonSchema = Record<string, unknown>;

/** One field of a body or query: `read` gets the raw value (undefined when absent). */
export interface Field<T> {
  read(value: unknown, name: string): T;
  schema: JsonSchema;
  required: boolean;
}

export function invalid(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ path: [field], message }]);
}

export function field<T>(schema: JsonSchema, read: (value: unknown, name: string) => T, required = false): Field<T> {
  return { schema, read, required };
}

/** A field documented with a description. */
export function described<T>(description: string, declared: Field<T>): Field<T> {
  return { ...declared, schema: { ...declared.schema, description } };
}

const STRING = { type: "string" };

export function optionalText(): Field<string | null> {
  return field(STRING, (value, name) => {
    if (value == null) return null;
    if (typeof value !== "string") invalid(name, "must be a string");
    return value;
  });
}

/** A non-blank string; `message` says what a missing one needs. */
export function requiredText(message = "is required and must be a non-empty string"): Field<string> {
  return field(
    { ...STRING, minLength: 1 },
    (value, name) => {
      if (typeof value !== "string" || value.trim() === "") invalid(name, message);
      return value;
    },
    true,
  );
}

/** One of `values`; optional unless `required`. */
export function oneOf<const T extends string>(values: readonly T[], options: { required: true; message?: string }): Field<T>;
export function oneOf<const T extends string>(values: readonly T[], options?: { required?: false; message?: string }): Field<T | null>;
export function oneOf<const T extends string>(
  values: readonly T[],
  options: { required?: boolean; message?: string } = {},
): Field<T | null> {
  const message = options.message ?? `must be one of ${values.join(", ")}`;
  return field(
    { type: "string", enum: [...values] },
    (value, name) => {
      if (value == null && !options.required) return null;
      if (typeof value !== "string" || !(values as readonly string[]).includes(value)) invalid(name, message);
      return value as T;
    },
    options.required ?? false,
  );
}

/** An ISO 8601 date-time or date (src/ledger/dates.ts); `required` is the message when missing. */
export function date(required: string): Field<Date>;
export function date(): Field<Date | null>;
export function date(required?: string): Field<Date | null> {
  return field(
    {
      type: "string",
      anyOf: [{ format: "date-time" }, { format: "date" }],
      description: "ISO 8601: a date-time with its zone, or a date (midnight UTC)",
    },
    (value, name) => {
      if (value == null) return required ? invalid(name, required) : null;
      return parseIsoDateTime(value, name);
    },
    required !== undefined,
  );
}

/** A free-form object, kept as JSON (its numbers as JSON.parse reads them: it holds no amounts). */
export function jsonObject(): Field<Record<string, unknown> | null> {
  return field({ type: "object", additionalProperties: true }, (value, name) => {
    if (value == null) return null;
    if (!isJsonObject(value)) invalid(name, "must be an object");
    return plainJson(value) as Record<string, unknown>;
  });
}

export function stringList(): Field<string[] | null> {
  return field({ type: "array", items: STRING }, (value, name) => {
    if (value == null) return null;
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) invalid(name, "must be an array of strings");
    return value as string[];
  });
}

/**
 * A positive whole number of minor units, as a JSON number (read exactly) or a string of digits
 * (a form's value, or a vendor that allows strings): `credits` for an amount in whole credits,
 * `{ digits: 15, minimum: 100n }` for Wren's cents.
 */
type WholeAmountOptions = { digits?: number; minimum?: { amount: bigint; message: string } };
export function wholeAmount(options: WholeAmountOptions & { required: string }): Field<bigint>;
export function wholeAmount(options?: WholeAmountOptions): Field<bigint | null>;
export function wholeAmount(options: WholeAmountOptions & { required?: string } = {}): Field<bigint | null> {
  const digits = options.digits ?? 18;
  return field(
    { type: "integer", minimum: Number(options.minimum?.amount ?? 1n) },
    (value, name) => {
      if (value == null) return options.required ? invalid(name, options.required) : null;
      const decimal = typeof value === "string" ? value : exactDecimal(value);
      if (decimal === null || !new RegExp(`^-?\\d{1,${digits}}$`).test(decimal)) invalid(name, "must be a positive integer");
      const amount = BigInt(decimal);
      if (amount <= 0n) invalid(name, "must be greater than 0");
      if (options.minimum && amount < options.minimum.amount) invalid(name, options.minimum.message);
      return amount;
    },
    options.required !== undefined,
  );
}

/**
 * An amount in major units whose scale the route learns later (an Orb wallet's currency): a JSON
 * number read digit for digit, or a decimal string, kept as its decimal text for minorUnitsAt.
 */
export function decimalAmount(required: string): Field<string>;
export function decimalAmount(): Field<string | null>;
export function decimalAmount(required?: string): Field<string | null> {
  return field(
    { type: ["number", "string"], description: "In the wallet's major units, e.g. 10.5; never rounded" },
    (value, name) => {
      if (value == null) return required ? invalid(name, required) : null;
      const decimal = typeof value === "string" ? value : exactDecimal(value);
      if (decimal === null) invalid(name, value instanceof JsonNumber ? "is out of range" : "must be a number");
      return decimal;
    },
    required !== undefined,
  );
}

/** A decimal given only as a string ("12.5"), as vendors that price in decimals send it. */
export function decimalString(required?: string): Field<string | null> {
  return field(
    { type: "string", pattern: "^\\d+(\\.\\d+)?$" },
    (value, name) => {
      if (value == null) return required ? invalid(name, required) : null;
      if (typeof value !== "string") invalid(name, "must be a decimal string");
      return value;
    },
    required !== undefined,
  );
}

/** A decimal's minor units at `scale`, which must be positive: 10.5 at scale 2 is 1050; more decimals than the scale holds is an error, never a rounding. */
export function minorUnitsAt(decimal: string, scale: number, name: string, positiveMessage = "must be greater than 0"): bigint {
  const amount = decimalToMinorUnits(decimal, scale, name);
  if (amount <= 0n) invalid(name, positiveMessage);
  return amount;
}

/** A page's size or position from the query string: digits from `min` to `max`, `fallback` when absent. */
export function pageNumber(options: { fallback: number; min: number; max: number }): Field<number> {
  const { fallback, min, max } = options;
  const message =
    max === Number.MAX_SAFE_INTEGER
      ? min === 1
        ? "must be a positive integer"
        : `must be an integer of at least ${min}`
      : `must be an integer from ${min} to ${max}`;
  return field({ type: "integer", minimum: min, maximum: max, default: fallback }, (value, name) => {
    if (value == null) return fallback;
    if (
      typeof value !== "string" ||
      !/^\d+$/.test(value) ||
      !Number.isSafeInteger(Number(value)) ||
      Number(value) < min ||
      Number(value) > max
    )
      invalid(name, message);
    return Number(value);
  });
}

/** A field whose absence means "leave as it is" (an update): undefined when absent, else read as `declared` reads it. */
export function unlessAbsent<T>(declared: Field<T>): Field<T | undefined> {
  return field(declared.schema, (value, name) => (value === undefined ? undefined : declared.read(value, name)));
}

/** Any JSON value, kept as JSON.parse would make it, for settings checked where they are used. */
export function jsonValue(schema: JsonSchema): Field<unknown> {
  return field(schema, (value) => plainJson(value));
}
