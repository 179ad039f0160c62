// Checks on command input shared by several commands. Each failure is a ValidationError that
// names the field, raised before any transaction opens.
import { Prisma } from "../db/generated/client.ts";
import { ValidationError } from "./errors.ts";
import type { Metadata } from "./wallet-ledger.ts";

const CATEGORY = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const COST_BASIS = /^\d{1,26}(\.\d{1,12})?$/;

function invalid(field: string, message: string): never {
  throw new ValidationError(`${field} ${message}`, [{ path: [field], message }]);
}

/** A credit category: `paid`, `granted` or any label such as `promo_campaign_2026`. */
export function validCategory(category: string, field = "category"): string {
  if (!CATEGORY.test(category)) invalid(field, "must be 1 to 64 letters, digits, '_', '.', ':' or '-'");
  return category;
}

export function validCategories(categories: string[] | null | undefined): string[] | null {
  if (!categories || categories.length === 0) return null;
  return categories.map((category, index) => validCategory(category, `categories[${index}]`));
}

export function validPriority(priority: number | null | undefined): number {
  if (priority == null) return 50;
  if (!Number.isInteger(priority) || priority < 0 || priority > 1000) invalid("priority", "must be an integer from 0 to 1000");
  return priority;
}

/** Cost basis per minor unit of credit as an exact decimal string, e.g. "0.01". */
export function validCostBasis(costBasis: string | null | undefined): Prisma.Decimal | null {
  if (costBasis == null) return null;
  if (!COST_BASIS.test(costBasis)) invalid("costBasis", "must be a non-negative decimal string with at most 12 decimal places");
  return new Prisma.Decimal(costBasis);
}

export function validText(value: string | null | undefined, field: string, maxLength = 1000): string | null {
  if (value == null) return null;
  if (value.length > maxLength) invalid(field, `must be at most ${maxLength} characters`);
  return value;
}

export function validDate(value: Date | null | undefined, field: string): Date | null {
  if (value == null) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(field, "must be a valid date-time");
  return value;
}

export function validMetadata(metadata: Metadata | null | undefined, field = "metadata"): Metadata {
  if (metadata == null) return {};
  if (typeof metadata !== "object" || Array.isArray(metadata)) invalid(field, "must be a JSON object");
  if (JSON.stringify(metadata).length > 16_384) invalid(field, "must be at most 16 KiB of JSON");
  return metadata;
}

export function requireLater(later: Date | null, earlier: Date, laterField: string, earlierField: string): void {
  if (later && later.getTime() <= earlier.getTime()) invalid(laterField, `must be later than ${earlierField}`);
}
