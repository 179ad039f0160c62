// The commerce billing wallets API's request fields and response shapes
// (commerce-billing-wallets-api.txt), as its routes read them and /openapi.json lists them.
// Credits are decimal strings ("12.5"), kept exactly in millionths.
import { z } from "zod";
import { isoMinorUnit } from "../../ledger/index.ts";
import {
  date,
  decimalString,
  described,
  field,
  invalid,
  jsonObject,
  jsonValue,
  minorUnitsAt,
  oneOf,
  optionalText,
  pageNumber,
  requiredText,
  unlessAbsent,
  type Field,
} from "../fields.ts";
import type { Answer } from "../router.ts";
import { dateTime, named } from "../schema.ts";
import { CREDIT_SCALE } from "./resources.ts";

const CommerceError = named(
  "CommerceError",
  z.object({
    name: z.string(),
    message: z.string(),
    debug_id: z.string(),
    details: z.array(
      z.object({
        field: z.string().optional(),
        value: z.string().optional(),
        location: z.string().optional(),
        issue: z.string(),
        description: z.string(),
      }),
    ),
  }),
);

const ERRORS: Record<string, Answer> = {
  "400": { description: "INVALID_REQUEST", schema: CommerceError },
  "401": { description: "NOT_AUTHORIZED", schema: CommerceError },
  "403": { description: "NOT_AUTHORIZED: the token may not do this", schema: CommerceError },
  "404": { description: "RESOURCE_NOT_FOUND", schema: CommerceError },
  "409": { description: "DUPLICATE_REQUEST_ID", schema: CommerceError },
  "422": { description: "UNPROCESSABLE_ENTITY", schema: CommerceError },
};

export function commerceAnswers(status: "200" | "201", schema: z.ZodType): Record<string, Answer> {
  return { [status]: { description: status === "201" ? "Created" : "OK", schema }, ...ERRORS };
}

/** Credits as a positive decimal string, in millionths. */
function credits(): Field<bigint | null> {
  const decimal = decimalString();
  return field(decimal.schema, (value, name) => {
    const text = decimal.read(value, name);
    return text === null ? null : minorUnitsAt(text, CREDIT_SCALE, name, "must be a positive value");
  });
}

/** `[{ key, value }]` as documented, kept as an object on the ledger's entries. */
function keyValueList(): Field<Record<string, string> | null> {
  return field(
    {
      type: "array",
      items: { type: "object", properties: { key: { type: "string" }, value: { type: "string" } }, required: ["key", "value"] },
    },
    (value, name) => {
      if (value == null) return null;
      if (!Array.isArray(value) || value.some((item) => typeof item?.key !== "string" || typeof item?.value !== "string"))
        invalid(name, "must be an array of { key, value } strings");
      return Object.fromEntries((value as { key: string; value: string }[]).map((item) => [item.key, item.value]));
    },
  );
}

const currency = field(
  { type: "string", pattern: "^[A-Z]{3}$" },
  (value, name) => {
    if (typeof value !== "string" || isoMinorUnit(value) === null) invalid(name, "must be a 3-letter ISO 4217 code");
    return value;
  },
  true,
);

const rateAmount = field(
  { type: "string", pattern: "^\\d+(\\.\\d+)?$", description: "What one credit costs in the wallet's currency" },
  (value, name) => {
    if (typeof value !== "string" || !/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) invalid(name, "must be a positive decimal string");
    return value;
  },
  true,
);

const RULE = {
  type: "object",
  properties: {
    trigger: { enum: ["THRESHOLD", "INTERVAL"] },
    method: { enum: ["FIXED", "TARGET"] },
    interval: { enum: ["WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY"] },
    threshold_credits: { type: "string" },
    paid_credits: { type: "string" },
    granted_credits: { type: "string" },
    target_ongoing_balance: { type: "string" },
  },
  required: ["trigger"],
};
const rules = () =>
  described(
    "A THRESHOLD rule becomes the wallet's auto top-up; INTERVAL rules are kept, not run",
    jsonValue({ type: "array", items: RULE }),
  );
const appliesTo = () => described("e.g. { fee_types: [...] }", jsonObject());
const expirationAt = () => date();

export const createWalletFields = {
  external_customer_id: requiredText("is required"),
  currency,
  rate_amount: rateAmount,
  name: optionalText(),
  paid_credits: described("Credits bought at creation", credits()),
  granted_credits: described("Credits granted at creation", credits()),
  metadata: keyValueList(),
  applies_to: appliesTo(),
  recurring_transaction_rules: rules(),
  expiration_at: expirationAt(),
};

/** An update changes only the fields it names; null clears expiration_at and applies_to. */
export const updateWalletFields = {
  name: optionalText(),
  expiration_at: unlessAbsent(expirationAt()),
  applies_to: unlessAbsent(appliesTo()),
  recurring_transaction_rules: unlessAbsent(rules()),
};

export const transactionFields = {
  type: oneOf(["TOPUP", "VOID"], { required: true, message: "must be TOPUP or VOID" }),
  paid_credits: described("TOPUP: credits bought", credits()),
  granted_credits: described("TOPUP: credits granted", credits()),
  credits_to_void: described("VOID: credits to take back", credits()),
  metadata: keyValueList(),
};

const pages = {
  page: pageNumber({ fallback: 1, min: 1, max: Number.MAX_SAFE_INTEGER }),
  per_page: pageNumber({ fallback: 20, min: 1, max: 100 }),
};
export const walletListQuery = {
  ...pages,
  status: oneOf(["ACTIVE", "TERMINATED"], { message: "must be ACTIVE or TERMINATED" }),
  external_customer_id: optionalText(),
};
export const transactionListQuery = pages;

const Money = z.object({ value: z.string(), currency_code: z.string() });

export const CommerceWallet = named(
  "CommerceWallet",
  z.object({
    id: z.string(),
    external_customer_id: z.string(),
    status: z.enum(["ACTIVE", "TERMINATED"]),
    name: z.string().nullable(),
    currency: z.string(),
    rate_amount: z.string(),
    available_balance: Money,
    ongoing_usage: Money,
    net_balance: Money,
    available_credits: z.string(),
    consumed_credits: z.string(),
    ongoing_usage_credits: z.string(),
    net_balance_credits: z.string(),
    created_at: dateTime(),
    terminated_at: dateTime().nullable(),
    applies_to: z
      .object({ fee_types: z.array(z.string()).optional() })
      .loose()
      .nullable(),
    expiration_at: dateTime().nullable(),
    recurring_transaction_rules: z.array(z.record(z.string(), z.unknown()).meta(RULE)),
  }),
);

export const CommerceTransaction = named(
  "CommerceTransaction",
  z.object({
    wallet_transaction_id: z.string(),
    wallet_id: z.string(),
    payment_status: z.enum(["PENDING", "SETTLED", "FAILED"]),
    source: z.enum(["MANUAL", "INTERVAL", "THRESHOLD"]),
    transaction_status: z.enum(["PURCHASED", "GRANTED", "VOIDED", "INVOICED"]),
    transaction_type: z.enum(["INBOUND", "OUTBOUND"]),
    amount: Money,
    credits: z.string(),
    settled_at: dateTime().nullable(),
    failed_at: dateTime().nullable(),
    created_at: dateTime(),
    metadata: z.array(z.object({ key: z.string(), value: z.string() })),
  }),
);

const CommerceMeta = named(
  "CommerceMeta",
  z.object({
    total_count: z.int(),
    total_pages: z.int(),
    current_page: z.int(),
    next_page: z.int().nullable(),
    prev_page: z.int().nullable(),
  }),
);

export const WalletList = named("CommerceWalletList", z.object({ wallets: z.array(CommerceWallet), meta: CommerceMeta }));
export const TransactionList = named(
  "CommerceTransactionList",
  z.object({ wallet_transactions: z.array(CommerceTransaction), meta: CommerceMeta }),
);
export const Transactions = named("CommerceTransactions", z.object({ wallet_transactions: z.array(CommerceTransaction) }));
