// Commerce `recurring_transaction_rules`: a THRESHOLD rule becomes the wallet's auto top-up,
// charged in the wallet's currency at its `rate_amount`, its credits expiring at `expiration_at`.
// INTERVAL rules are kept as given and run on their schedule by a job (src/jobs/interval-top-ups.ts).
import { ValidationError, decimalToMinorUnits } from "../../ledger/index.ts";
import { isJsonObject } from "../exact-json.ts";
import { invalid as invalidField } from "../fields.ts";
import { validAutoTopUpRule, type AutoTopUpSettings } from "../../payments/auto-top-up.ts";
import { CREDIT_SCALE, CREDIT_UNIT, pricingOf, type CommerceSettings } from "./resources.ts";

const FIELD = "recurring_transaction_rules";
const INTERVALS = ["WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY"];

function invalid(message: string): never {
  return invalidField(FIELD, message);
}

function creditsOf(rule: Record<string, unknown>, field: string, index: number): bigint | null {
  const value = rule[field];
  if (value == null) return null;
  if (typeof value !== "string") invalid(`[${index}].${field} must be a decimal string`);
  const credits = decimalToMinorUnits(value, CREDIT_SCALE, `${FIELD}[${index}].${field}`);
  if (credits < 0n) invalid(`[${index}].${field} must not be negative`);
  return credits;
}

/**
 * Checks the rules (ValidationError, before anything is written) and returns the auto top-up the
 * THRESHOLD rule asks for, or null when there is none.
 */
export function autoTopUpOfRules(
  rules: unknown,
  settings: Pick<CommerceSettings, "currency_code" | "rate_amount" | "expiration_at">,
): AutoTopUpSettings | null {
  if (!Array.isArray(rules)) invalid("must be an array");
  let found: AutoTopUpSettings | null = null;
  rules.forEach((value: unknown, index) => {
    if (!isJsonObject(value)) invalid(`[${index}] must be an object`);
    const rule = value;
    const method = rule.method ?? "FIXED";
    if (method !== "FIXED" && method !== "TARGET") invalid(`[${index}].method must be FIXED or TARGET`);
    if (rule.trigger === "INTERVAL") {
      if (rule.interval != null && !INTERVALS.includes(rule.interval as string))
        invalid(`[${index}].interval must be one of ${INTERVALS.join(", ")}`);
      return;
    }
    if (rule.trigger !== "THRESHOLD") invalid(`[${index}].trigger must be THRESHOLD or INTERVAL`);
    if (found) invalid("may hold one THRESHOLD rule");
    const threshold =
      creditsOf(rule, "threshold_credits", index) ?? invalid(`[${index}].threshold_credits is required for a THRESHOLD rule`);
    const paid = creditsOf(rule, "paid_credits", index);
    const granted = creditsOf(rule, "granted_credits", index);
    const target = creditsOf(rule, "target_ongoing_balance", index);
    if (method === "FIXED" && !paid) invalid(`[${index}].paid_credits is required for a FIXED THRESHOLD rule`);
    if (method === "TARGET" && target === null) invalid(`[${index}].target_ongoing_balance is required for a TARGET THRESHOLD rule`);
    found = {
      threshold,
      amount: method === "FIXED" ? paid : null,
      targetBalance: method === "TARGET" ? target : null,
      bonusAmount: method === "FIXED" ? granted : null,
      pricing: pricingOf(settings),
      // Credits a top-up adds expire with the wallet's credits, as a TOPUP's do.
      creditsExpireAt: settings.expiration_at ? new Date(settings.expiration_at) : null,
    };
    try {
      validAutoTopUpRule(found, CREDIT_UNIT);
    } catch (error) {
      if (error instanceof ValidationError)
        invalid(`[${index}]: ${error.issues.map((issue) => `${issue.path.at(-1)} ${issue.message}`).join("; ")}`);
      throw error;
    }
  });
  return found;
}
