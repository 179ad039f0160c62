// Checks on command input shared by several commands. Each failure is a ValidationError that
// names the field (an id that cannot be one is a NotFoundError), raised before any transaction opens.
//
// Every text the ledger stores passes through here first: PostgreSQL refuses NUL in text and
// jsonb, and a lone UTF-16 surrogate has no UTF-8 form (jsonb refuses its escape; text would get
// a replacement character instead), so such input is refused by name rather than failing in SQL.
import { Prisma } from "../db/generated/client.ts";
import { EARLIEST_INSTANT, LATEST_INSTANT } from "./dates.ts";
import { NotFoundError, ValidationError } from "./errors.ts";

/** Free-form JSON an entry, block, hold or wallet carries; checked by validMetadata. */
export type Metadata = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CATEGORY = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** A feature key: what a tenant calls a kind of usage, e.g. `chat` or `gpu-hours`. */
const FEATURE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;
/** At most this many feature keys on one block. */
export const APPLIES_TO_MAX_KEYS = 32;
const COST_BASIS = /^\d{1,26}(\.\d{1,12})?$/;
/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TEXT_MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates";

/** At most this much nesting of objects and arrays in metadata. */
export const METADATA_MAX_DEPTH = 8;
/** At most this many characters of metadata, as JSON. */
export const METADATA_MAX_LENGTH = 16_384;

/** A field name such as `customer.email` or `categories[0]`, as a ValidationIssue path. */
function pathOf(field: string): string[] {
  return field.split(".");
}

export function invalid(field: string, message: string): never {
  return invalidAt(pathOf(field), message);
}

function invalidAt(path: string[], message: string): never {
  throw new ValidationError(`${path.join(".")} ${message}`, [{ path, message }]);
}

/** Whether PostgreSQL can store the text as it is (no NUL, no unpaired surrogate). */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** Refuses text that PostgreSQL cannot store, naming the field. */
export function storableText(value: string, field: string): string {
  if (typeof value !== "string") invalid(field, "must be a string");
  if (!isStorableText(value)) invalid(field, TEXT_MESSAGE);
  return value;
}

/** Optional free text (descriptions, names, references, reasons): storable and at most `maxLength` characters. */
export function validText(value: string | null | undefined, field: string, maxLength = 1000): string | null {
  if (value == null) return null;
  storableText(value, field);
  if (value.length > maxLength) invalid(field, `must be at most ${maxLength} characters`);
  return value;
}

/** Required text: storable and 1 to `maxLength` characters. */
export function requiredText(value: string | null | undefined, field: string, maxLength = 255): string {
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) invalid(field, `must be 1 to ${maxLength} characters`);
  return storableText(value, field);
}

/** Ids come from clients: a malformed one is simply not found (and never reaches SQL as such). */
export function requireId(id: string, resource: string): string {
  if (!UUID.test(id)) throw new NotFoundError(resource, id);
  return id;
}

/** An idempotency key: 1 to 255 storable characters. */
export function validIdempotencyKey(key: string | null | undefined): string | null {
  if (key == null) return null;
  return requiredText(key, "idempotencyKey", 255);
}

/** A credit category: `paid`, `granted` or any label such as `promo_campaign_2026`. */
export function validCategory(category: string, field = "category"): string {
  if (typeof category !== "string" || !CATEGORY.test(category)) invalid(field, "must be 1 to 64 letters, digits, '_', '.', ':' or '-'");
  return category;
}

export function validCategories(categories: string[] | null | undefined): string[] | null {
  if (!categories || categories.length === 0) return null;
  return categories.map((category, index) => validCategory(category, `categories[${index}]`));
}

/** A feature key, stored exactly as given (keys are case-sensitive). */
export function validFeature(feature: string, field = "feature"): string {
  if (typeof feature !== "string" || !FEATURE.test(feature))
    invalid(field, "must be 1 to 64 letters, digits, '_', '.', ':', '/' or '-', starting with a letter or digit");
  return feature;
}

/** An optional feature: absent or null means none. */
export function validOptionalFeature(feature: string | null | undefined): string | null {
  return feature == null ? null : validFeature(feature);
}

/**
 * The feature keys a block applies to, in the order given; empty means any usage. Null or absent
 * stays null, so that the caller can tell "not given" (the wallet's default applies) from "any usage".
 */
export function validAppliesTo(appliesTo: readonly string[] | null | undefined, field = "appliesTo"): string[] | null {
  if (appliesTo == null) return null;
  if (!Array.isArray(appliesTo) || appliesTo.length > APPLIES_TO_MAX_KEYS)
    invalid(field, `must be a list of at most ${APPLIES_TO_MAX_KEYS} feature keys`);
  const keys = appliesTo.map((key, index) => validFeature(key, `${field}[${index}]`));
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated !== undefined) invalid(field, `names "${repeated}" more than once`);
  return keys;
}

/** The rules a wallet may choose to spend its credits by (src/ledger/consumption.ts). */
export const CONSUMPTION_ORDERS = ["standard", "soonest_expiry", "cheapest_first"] as const;

export function validConsumptionOrder(order: string, field = "consumptionOrder"): (typeof CONSUMPTION_ORDERS)[number] {
  const known = CONSUMPTION_ORDERS.find((name) => name === order);
  if (!known) invalid(field, `must be one of ${CONSUMPTION_ORDERS.join(", ")}`);
  return known;
}

export function validPriority(priority: number | null | undefined): number {
  if (priority == null) return 50;
  if (!Number.isInteger(priority) || priority < 0 || priority > 1000) invalid("priority", "must be an integer from 0 to 1000");
  return priority;
}

/** Cost basis per minor unit of credit as an exact decimal string, e.g. "0.01". */
export function validCostBasis(costBasis: string | null | undefined): Prisma.Decimal | null {
  if (costBasis == null) return null;
  if (typeof costBasis !== "string" || !COST_BASIS.test(costBasis))
    invalid("costBasis", "must be a non-negative decimal string with at most 12 decimal places");
  return new Prisma.Decimal(costBasis);
}

/** A valid instant in the years 1970 to 9999, the range the ledger keeps (see dates.ts). */
export function validDate(value: Date | null | undefined, field: string): Date | null {
  if (value == null) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(field, "must be a valid date-time");
  if (value.getTime() < EARLIEST_INSTANT || value.getTime() > LATEST_INSTANT) invalid(field, "must be in the years 1970 to 9999");
  return value;
}

/**
 * A JSON object of at most METADATA_MAX_LENGTH characters and METADATA_MAX_DEPTH levels, whose
 * keys and strings, at any depth, are storable text. Fails naming the offending key's path.
 */
export function validMetadata(metadata: Metadata | null | undefined, field = "metadata"): Metadata {
  if (metadata == null) return {};
  if (typeof metadata !== "object" || Array.isArray(metadata)) invalid(field, "must be a JSON object");
  checkJsonValue(metadata, pathOf(field), 1);
  if (JSON.stringify(metadata).length > METADATA_MAX_LENGTH) invalid(field, `must be at most ${METADATA_MAX_LENGTH / 1024} KiB of JSON`);
  return metadata;
}

function checkJsonValue(value: unknown, path: string[], depth: number): void {
  switch (typeof value) {
    case "string":
      if (!isStorableText(value)) invalidAt(path, TEXT_MESSAGE);
      return;
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) invalidAt(path, "must be a finite number");
      return;
    case "undefined":
      // Left out of the JSON, as JSON.stringify does.
      return;
    case "object": {
      if (value === null) return;
      if (depth > METADATA_MAX_DEPTH) invalidAt(path, `nests deeper than ${METADATA_MAX_DEPTH} levels`);
      if (Array.isArray(value)) {
        value.forEach((item, index) => checkJsonValue(item, [...path, String(index)], depth + 1));
        return;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) invalidAt(path, "must hold only JSON values");
      for (const [key, item] of Object.entries(value)) {
        // The key itself is not echoed: it is what cannot be shown.
        if (!isStorableText(key)) invalidAt(path, "must not have keys containing NUL characters or unpaired UTF-16 surrogates");
        checkJsonValue(item, [...path, key], depth + 1);
      }
      return;
    }
    default:
      invalidAt(path, "must hold only JSON values");
  }
}

export function requireLater(later: Date | null, earlier: Date, laterField: string, earlierField: string): void {
  if (later && later.getTime() <= earlier.getTime()) invalid(laterField, `must be later than ${earlierField}`);
}
