// The customer deposit API's request fields and response shapes (customer-deposit-api.txt), as
// its routes read them and /openapi.json lists them. Amounts are whole credits.
import { z } from "zod";
import { described, jsonObject, optionalText, requiredText, stringList, wholeAmount, date } from "../fields.ts";
import type { Answer } from "../router.ts";
import { dateTime, named } from "../schema.ts";

const DepositError = named("DepositError", z.object({ error: z.object({ message: z.string(), type: z.string(), code: z.string() }) }));

const ERRORS: Record<string, Answer> = {
  "400": { description: "Invalid request or insufficient balance", schema: DepositError },
  "401": { description: "Missing or invalid API key", schema: DepositError },
  "403": { description: "The key may not do this", schema: DepositError },
  "404": { description: "Unknown customer or transaction", schema: DepositError },
  "409": { description: "transaction_conflict, or a settled transaction", schema: DepositError },
};

export function depositAnswers(id: string, schema: z.ZodType): Record<string, Answer> {
  return { "200": { description: "OK", schema: named(id, schema) }, ...ERRORS };
}

const credits = (description: string) => described(description, wholeAmount({ required: "is required" }));

export const depositFields = {
  customer_id: described("Your id for the customer; the customer is created on first deposit", requiredText()),
  amount: credits("Credits to add, a positive integer"),
  credit_type: described('The credit account\'s type; "default" when absent', optionalText()),
  starts_at: date(),
  expires_at: date(),
  description: optionalText(),
  idempotency_key: described("Replays the first deposit with this key; the Idempotency-Key header works too", optionalText()),
  name: optionalText(),
  email: optionalText(),
  metadata: jsonObject(),
};

/** What freeze and deduct both take: an amount of a customer's credits, for one transaction. */
export const spendingFields = {
  customer_id: requiredText(),
  transaction_id: described("Names the freeze or deduction; a second use replays it", requiredText()),
  amount: credits("Credits to take, a positive integer"),
  credit_types: described("Only credit accounts of these types", stringList()),
  description: optionalText(),
  business_type: optionalText(),
};

export const consumeFields = {
  transaction_id: requiredText(),
  customer_id: described("When given, must be the frozen transaction's customer", optionalText()),
  actual_amount: described("Credits to consume; the whole freeze when absent", wholeAmount()),
};

export const unfreezeFields = {
  transaction_id: requiredText(),
  customer_id: described("When given, must be the frozen transaction's customer", optionalText()),
};

const CreditDetail = named("CreditDetail", z.object({ account_id: z.string(), credit_type: z.string().nullable(), amount: z.int() }));

export const DepositResponse = z.object({
  customer_id: z.string(),
  account_id: z.string(),
  credit_type: z.string(),
  total_amount: z.int(),
  added_amount: z.int(),
  starts_at: dateTime(),
  expires_at: dateTime().nullable(),
  record_id: z.string(),
  is_idempotent_replay: z.boolean(),
});

export const CustomerBalance = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  balance: z.object({ total: z.int(), used: z.int(), frozen: z.int(), available: z.int() }),
  accounts: z.array(
    z.object({
      account_id: z.string(),
      account_type: z.literal("CREDIT"),
      credit_type: z.string(),
      total: z.int(),
      used: z.int(),
      frozen: z.int(),
      available: z.int(),
      starts_at: dateTime(),
      expires_at: dateTime().nullable(),
    }),
  ),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  created_at: dateTime(),
});

export const FreezeResponse = z.object({
  transaction_id: z.string(),
  frozen_amount: z.int(),
  freeze_details: z.array(CreditDetail),
  is_idempotent_replay: z.boolean(),
});

export const ConsumeResponse = z.object({
  transaction_id: z.string(),
  consumed_amount: z.int(),
  unfrozen_amount: z.int(),
  consume_details: z.array(CreditDetail),
  consumed_at: dateTime(),
  is_idempotent_replay: z.boolean(),
});

export const UnfreezeResponse = z.object({ transaction_id: z.string(), unfrozen_amount: z.int(), is_idempotent_replay: z.boolean() });

export const DeductResponse = z.object({
  transaction_id: z.string(),
  deducted_amount: z.int(),
  deduct_details: z.array(CreditDetail),
  deducted_at: dateTime(),
  is_idempotent_replay: z.boolean(),
});
