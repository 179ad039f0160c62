// A commerce wallet's `applies_to` as the ledger's feature keys (docs/scoped-credits.md): each fee
// type and each billable metric code the wallet's credits apply to is one key, so that its blocks
// pay only for that usage. Absent, null or empty: the credits pay for any usage.
import { invalid } from "../fields.ts";

/** The prefix of each kind of commerce scope, so that a fee type and a metric of the same name stay apart. */
export const FEE_TYPE_KEY = "fee_type:";
export const METRIC_KEY = "metric:";

/** The feature keys a commerce `applies_to` stands for, in the order given: fee types, then billable metric codes. */
export function featureKeysOf(appliesTo: unknown): string[] {
  if (appliesTo === null || appliesTo === undefined) return [];
  const { fee_types: feeTypes, billable_metric_codes: metricCodes } = appliesTo as Record<string, unknown>;
  return [...keysOf(feeTypes, "fee_types", FEE_TYPE_KEY), ...keysOf(metricCodes, "billable_metric_codes", METRIC_KEY)];
}

function keysOf(values: unknown, field: string, prefix: string): string[] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values) || !values.every((value) => typeof value === "string" && value.length > 0)) {
    invalid(`applies_to.${field}`, "must be a list of non-empty strings");
  }
  return [...new Set(values as string[])].map((value) => `${prefix}${value}`);
}
