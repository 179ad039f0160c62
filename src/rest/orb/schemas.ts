// Orb's credit ledger: request fields per entry type and response shapes
// (orb-credit-ledger-entry-api.txt), as its routes read them and /openapi.json lists them.
// Amounts are in the wallet's major units (10.5 USD), read exactly and converted at its scale.
import { z } from "zod";
import { date, decimalAmount, described, jsonObject, oneOf, optionalText, pageNumber, requiredText } from "../fields.ts";
import type { Answer } from "../router.ts";
import { dateTime, named } from "../schema.ts";
import { ORB_ENTRY_TYPES } from "./resources.ts";

const OrbError = named(
  "OrbError",
  z.object({ status: z.int(), type: z.string(), title: z.string(), detail: z.string(), validation_errors: z.array(z.string()).optional() }),
);

const ERRORS: Record<string, Answer> = Object.fromEntries(
  [
    ["400", "Request validation error or constraint violation"],
    ["401", "Missing or invalid API key"],
    ["403", "The key may not do this"],
    ["404", "Unknown customer or credit block"],
    ["409", "Idempotency key reused for another request"],
  ].map(([status, description]) => [status, { description: description!, schema: OrbError }]),
);

export const OrbLedgerEntry = named(
  "OrbLedgerEntry",
  z.object({
    id: z.string(),
    ledger_sequence_number: z.int(),
    entry_status: z.enum(["committed", "pending"]),
    customer: z.object({ id: z.string(), external_customer_id: z.string() }),
    starting_balance: z.number(),
    ending_balance: z.number(),
    amount: z.number(),
    currency: z.string(),
    created_at: dateTime(),
    description: z.string().nullable(),
    credit_block: z.object({ id: z.string().nullable(), expiry_date: dateTime().nullable(), per_unit_cost_basis: z.string().nullable() }),
    entry_type: z.enum(["increment", "decrement", "void", "amendment", "expiration_change", "credit_block_expiry"]),
    metadata: z.record(z.string(), z.unknown()),
    price_id: z.string().nullable().optional().describe("decrements"),
    event_id: z.string().nullable().optional().describe("decrements"),
    invoice_id: z.string().nullable().optional().describe("decrements"),
    void_reason: z.string().nullable().optional().describe("voids"),
    void_amount: z.number().optional().describe("voids"),
    new_block_expiry_date: dateTime().optional().describe("expiration changes"),
  }),
);

const OrbCreditBlock = named(
  "OrbCreditBlock",
  z.object({
    id: z.string(),
    balance: z.number(),
    effective_date: dateTime().nullable(),
    expiry_date: dateTime().nullable(),
    per_unit_cost_basis: z.string().nullable(),
    status: z.string(),
    maximum_initial_balance: z.number(),
  }),
);

const OrbPagination = named("OrbPagination", z.object({ has_more: z.boolean(), next_cursor: z.string().nullable() }));

export const entryAnswers: Record<string, Answer> = {
  "201": { description: "Created", schema: OrbLedgerEntry },
  "200": { description: "Replayed Idempotency-Key", schema: OrbLedgerEntry },
  ...ERRORS,
};
export const blockPageAnswers: Record<string, Answer> = {
  "200": {
    description: "OK",
    schema: named("OrbCreditBlockPage", z.object({ data: z.array(OrbCreditBlock), pagination_metadata: OrbPagination })),
  },
  ...ERRORS,
};
export const entryPageAnswers: Record<string, Answer> = {
  "200": {
    description: "OK",
    schema: named("OrbLedgerEntryPage", z.object({ data: z.array(OrbLedgerEntry), pagination_metadata: OrbPagination })),
  },
  ...ERRORS,
};

export const ENTRY_TYPES = ["increment", "decrement", "void", "amendment", "expiration_change"] as const;
const entryType = <const T extends string>(type: T) =>
  oneOf([type], { required: true, message: `must be one of ${ENTRY_TYPES.join(", ")}` });
const common = { description: optionalText(), metadata: jsonObject() };

/** Each entry type's fields; `entry_type` picks one. */
export const entryFields = {
  increment: {
    entry_type: entryType("increment"),
    amount: decimalAmount("is required"),
    currency: described("The wallet's currency (USD when the customer has none yet)", optionalText()),
    per_unit_cost_basis: described('What one credit cost; credits with a cost other than "0" are paid, the rest granted', optionalText()),
    effective_date: date(),
    expiry_date: date(),
    ...common,
  },
  decrement: { entry_type: entryType("decrement"), amount: decimalAmount("is required"), ...common },
  void: {
    entry_type: entryType("void"),
    block_id: requiredText("is required for a void"),
    amount: described("The block's whole remaining balance when absent", decimalAmount()),
    void_reason: optionalText(),
    ...common,
  },
  amendment: {
    entry_type: entryType("amendment"),
    block_id: requiredText("is required for an amendment"),
    amount: decimalAmount("is required"),
    ...common,
  },
  expiration_change: {
    entry_type: entryType("expiration_change"),
    block_id: described("The block to change; or name it by expiry_date", optionalText()),
    expiry_date: described("The block's current expiry date, when block_id is absent", date()),
    target_expiry_date: date("is required for an expiration change"),
    amount: described("Moves only this much to the new expiry when given", decimalAmount()),
    ...common,
  },
};

export const entryTypeField = { entry_type: oneOf(ENTRY_TYPES, { required: true }) };

const page = { limit: pageNumber({ fallback: 20, min: 1, max: 100 }), cursor: optionalText() };
export const blockQuery = page;
export const entryQuery = {
  ...page,
  entry_type: oneOf([...ORB_ENTRY_TYPES.keys()]),
  entry_status: oneOf(["committed", "pending"], { message: "must be committed or pending" }),
  currency: optionalText(),
  "created_at[gte]": date(),
  "created_at[gt]": date(),
  "created_at[lt]": date(),
  "created_at[lte]": date(),
  minimum_amount: described("Only entries that move at least this much either way, in the wallet's major units", decimalAmount()),
};
