// How each ledger row is read, written once per model: every field's column and how its value
// arrives. From that one shape come the columns a raw read selects (named and typed as the model's
// fields) and the typed decoding of the JSON that SQL functions return (`wallet_json()` and friends,
// prisma/sql/), whose amounts arrive as strings so that no bigint passes through a JS number. Each
// field's JSON form is checked as it is decoded: a function that answers outside it fails loudly
// instead of handing on a row with a wrong value in it. test/ledger/rows.test.ts holds the SQL
// functions' keys to these shapes; test/ledger/debit-answer.test.ts parses every answer of
// ledger_debit through them (src/ledger/debit-answer.ts).
import { z } from "zod";
import { Prisma, type CreditBlock, type LedgerEntry, type Operation, type Wallet } from "../db/generated/client.ts";
import {
  ConsumptionOrder,
  CreditBlockSource,
  CreditBlockStatus,
  LedgerEntryStatus,
  LedgerEntryType,
  OperationType,
  WalletStatus,
} from "../db/generated/enums.ts";

interface Column<Value> {
  /** The column, with the cast a raw read needs to get the model's type back. */
  sql: string;
  /** Its value as an SQL function gives it in JSON, decoded to the model's type. */
  json: z.ZodType<Value>;
}

type RowShape<Row> = { readonly [Field in keyof Row]-?: Column<Row[Field]> };

/** An integer as text, as every bigint column arrives. */
export const BIGINT_TEXT = z
  .string()
  .regex(/^-?\d+$/)
  .transform((value) => BigInt(value));
/** A timestamptz as PostgreSQL writes it in JSON (ISO 8601 with its offset). */
const TIMESTAMP_TEXT = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const column = <Value>(sql: string, json: z.ZodType<Value>): Column<Value> => ({ sql, json });
const id = (sql: string) => column(sql, z.guid());
const text = (sql: string) => column(sql, z.string());
const enumText = <Value extends string>(sql: string, values: Record<string, Value>) => column(`${sql}::text`, z.enum(values));
const bigint = (sql: string) => column(sql, BIGINT_TEXT);
const timestamp = (sql: string) => column(sql, TIMESTAMP_TEXT);
const decimal = (sql: string) =>
  column(
    sql,
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform((value) => new Prisma.Decimal(value)),
  );
/** A jsonb column: any JSON value, but present. */
const json = (sql: string) =>
  column(
    sql,
    z.custom<Prisma.JsonValue>((value) => value !== undefined),
  );
/** A text[] column, as to_jsonb gives it: an array of strings. */
const textArray = (sql: string) => column(sql, z.array(z.string()));
const orNull = <Value>({ sql, json }: Column<Value>): Column<Value | null> => ({ sql, json: json.nullable() });

const WALLET: RowShape<Wallet> = {
  id: id("id"),
  tenantId: id("tenant_id"),
  livemode: column("livemode", z.boolean()),
  customerId: id("customer_id"),
  name: orNull(text("name")),
  currency: text("currency"),
  scale: column("scale", z.int()),
  status: enumText("status", WalletStatus),
  overdraftLimit: bigint("overdraft_limit"),
  overdraftUsed: bigint("overdraft_used"),
  defaultExpiryDays: orNull(column("default_expiry_days", z.int())),
  defaultAppliesTo: textArray("default_applies_to"),
  consumptionOrder: enumText("consumption_order", ConsumptionOrder),
  metadata: json("metadata"),
  balance: bigint("balance"),
  lastSequence: bigint("last_sequence"),
  lastEntryAt: orNull(timestamp("last_entry_at")),
  lastEventSequence: bigint("last_event_sequence"),
  balanceDepleted: column("balance_depleted", z.boolean()),
  createdAt: timestamp("created_at"),
  updatedAt: timestamp("updated_at"),
  terminatedAt: orNull(timestamp("terminated_at")),
};

const CREDIT_BLOCK: RowShape<CreditBlock> = {
  id: id("id"),
  walletId: id("wallet_id"),
  operationId: id("operation_id"),
  amount: bigint("amount"),
  remaining: bigint("remaining"),
  used: bigint("used"),
  frozen: bigint("frozen"),
  category: text("category"),
  appliesTo: textArray("applies_to"),
  priority: column("priority", z.int()),
  costBasis: orNull(decimal("cost_basis")),
  effectiveAt: timestamp("effective_at"),
  expiresAt: orNull(timestamp("expires_at")),
  status: enumText("status", CreditBlockStatus),
  source: enumText("source", CreditBlockSource),
  description: orNull(text("description")),
  metadata: json("metadata"),
  createdAt: timestamp("created_at"),
};

const LEDGER_ENTRY: RowShape<LedgerEntry> = {
  id: id("id"),
  walletId: id("wallet_id"),
  blockId: orNull(id("block_id")),
  operationId: id("operation_id"),
  holdId: orNull(id("hold_id")),
  sequence: bigint("sequence"),
  type: enumText("type", LedgerEntryType),
  amount: bigint("amount"),
  startingBalance: bigint("starting_balance"),
  endingBalance: bigint("ending_balance"),
  remainingAfter: bigint("remaining_after"),
  usedAfter: bigint("used_after"),
  frozenAfter: bigint("frozen_after"),
  status: enumText("status", LedgerEntryStatus),
  description: orNull(text("description")),
  metadata: json("metadata"),
  reference: orNull(text("reference")),
  createdAt: timestamp("created_at"),
};

const OPERATION: RowShape<Operation> = {
  id: id("id"),
  tenantId: id("tenant_id"),
  livemode: column("livemode", z.boolean()),
  walletId: id("wallet_id"),
  type: enumText("type", OperationType),
  idempotencyKey: orNull(text("idempotency_key")),
  requestHash: text("request_hash"),
  reference: orNull(text("reference")),
  targetOperationId: orNull(id("target_operation_id")),
  holdId: orNull(id("hold_id")),
  feature: orNull(text("feature")),
  createdAt: timestamp("created_at"),
};

/** The shapes by model, for the test that holds the SQL functions to them. */
export const ROW_SHAPES = { wallet: WALLET, creditBlock: CREDIT_BLOCK, ledgerEntry: LEDGER_ENTRY, operation: OPERATION } as const;

/**
 * The JSON an SQL function gives for a row, decoded to the row Prisma reads: every field present
 * (null where the column is) and in its JSON form. RowShape types each field's decoding, so the
 * object as a whole is the model's row.
 */
function rowJson<Row>(shape: RowShape<Row>): z.ZodType<Row> {
  const fields = Object.fromEntries(Object.entries<Column<unknown>>(shape).map(([field, { json }]) => [field, json]));
  return z.object(fields) as z.ZodType as z.ZodType<Row>;
}

function columns<Row>(shape: RowShape<Row>, alias: string, fields: readonly (keyof Row)[]): Prisma.Sql {
  return Prisma.raw(fields.map((field) => `${alias}.${shape[field].sql} AS "${String(field)}"`).join(", "));
}

export const WALLET_JSON = rowJson(WALLET);
export const CREDIT_BLOCK_JSON = rowJson(CREDIT_BLOCK);
export const LEDGER_ENTRY_JSON = rowJson(LEDGER_ENTRY);
export const OPERATION_JSON = rowJson(OPERATION);

/** Decode one row's JSON; fail with a ZodError naming the field when it is outside its form. */
export const walletFromJson = (json: unknown): Wallet => WALLET_JSON.parse(json);
export const creditBlockFromJson = (json: unknown): CreditBlock => CREDIT_BLOCK_JSON.parse(json);
export const ledgerEntryFromJson = (json: unknown): LedgerEntry => LEDGER_ENTRY_JSON.parse(json);
export const operationFromJson = (json: unknown): Operation => OPERATION_JSON.parse(json);

/** Every ledger entry field. */
export const LEDGER_ENTRY_FIELDS = Object.keys(LEDGER_ENTRY) as (keyof LedgerEntry)[];

/** These ledger entry fields' columns on the alias `e`, so that a raw read returns them as the model's. */
export function ledgerEntryColumns(fields: readonly (keyof LedgerEntry)[]): Prisma.Sql {
  return columns(LEDGER_ENTRY, "e", fields);
}

/** A credit block's columns on the alias `b` (as above). */
export const CREDIT_BLOCK_COLUMNS = columns(CREDIT_BLOCK, "b", Object.keys(CREDIT_BLOCK) as (keyof CreditBlock)[]);

/** A wallet's columns on the alias `w` (as above). */
export const WALLET_COLUMNS = columns(WALLET, "w", Object.keys(WALLET) as (keyof Wallet)[]);
