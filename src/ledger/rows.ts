// How each ledger row is read, written once per model: every field's column and how its value
// arrives. From that one shape come the columns a raw read selects (named and typed as the model's
// fields) and the decoding of the JSON that SQL functions return (`wallet_json()` and friends in
// the debit migration), whose amounts arrive as strings so that no bigint passes through a JS
// number. test/ledger/rows.test.ts holds the SQL functions' keys to these shapes.
import { Prisma, type CreditBlock, type LedgerEntry, type Operation, type Wallet } from "../db/generated/client.ts";

type Json = Record<string, unknown>;

interface Column {
  /** The column, with the cast a raw read needs to get the model's type back. */
  sql: string;
  /** From the JSON value an SQL function gives (never null: nulls stay null). */
  decode: (value: unknown) => unknown;
}

type RowShape<Row> = { readonly [Field in keyof Row]-?: Column };

const same = (value: unknown) => value;
const plain = (sql: string): Column => ({ sql, decode: same });
const enumText = (sql: string): Column => ({ sql: `${sql}::text`, decode: same });
const bigint = (sql: string): Column => ({ sql, decode: (value) => BigInt(value as string) });
const timestamp = (sql: string): Column => ({ sql, decode: (value) => new Date(value as string) });
const decimal = (sql: string): Column => ({ sql, decode: (value) => new Prisma.Decimal(value as string) });

const WALLET: RowShape<Wallet> = {
  id: plain("id"),
  tenantId: plain("tenant_id"),
  livemode: plain("livemode"),
  customerId: plain("customer_id"),
  name: plain("name"),
  currency: plain("currency"),
  scale: plain("scale"),
  status: enumText("status"),
  overdraftLimit: bigint("overdraft_limit"),
  overdraftUsed: bigint("overdraft_used"),
  defaultExpiryDays: plain("default_expiry_days"),
  metadata: plain("metadata"),
  balance: bigint("balance"),
  lastSequence: bigint("last_sequence"),
  lastEntryAt: timestamp("last_entry_at"),
  lastEventSequence: bigint("last_event_sequence"),
  balanceDepleted: plain("balance_depleted"),
  createdAt: timestamp("created_at"),
  updatedAt: timestamp("updated_at"),
  terminatedAt: timestamp("terminated_at"),
};

const CREDIT_BLOCK: RowShape<CreditBlock> = {
  id: plain("id"),
  walletId: plain("wallet_id"),
  operationId: plain("operation_id"),
  amount: bigint("amount"),
  remaining: bigint("remaining"),
  used: bigint("used"),
  frozen: bigint("frozen"),
  category: plain("category"),
  priority: plain("priority"),
  costBasis: decimal("cost_basis"),
  effectiveAt: timestamp("effective_at"),
  expiresAt: timestamp("expires_at"),
  status: enumText("status"),
  source: enumText("source"),
  description: plain("description"),
  metadata: plain("metadata"),
  createdAt: timestamp("created_at"),
};

const LEDGER_ENTRY: RowShape<LedgerEntry> = {
  id: plain("id"),
  walletId: plain("wallet_id"),
  blockId: plain("block_id"),
  operationId: plain("operation_id"),
  holdId: plain("hold_id"),
  sequence: bigint("sequence"),
  type: enumText("type"),
  amount: bigint("amount"),
  startingBalance: bigint("starting_balance"),
  endingBalance: bigint("ending_balance"),
  remainingAfter: bigint("remaining_after"),
  usedAfter: bigint("used_after"),
  frozenAfter: bigint("frozen_after"),
  status: enumText("status"),
  description: plain("description"),
  metadata: plain("metadata"),
  reference: plain("reference"),
  createdAt: timestamp("created_at"),
};

const OPERATION: RowShape<Operation> = {
  id: plain("id"),
  tenantId: plain("tenant_id"),
  livemode: plain("livemode"),
  walletId: plain("wallet_id"),
  type: enumText("type"),
  idempotencyKey: plain("idempotency_key"),
  requestHash: plain("request_hash"),
  reference: plain("reference"),
  targetOperationId: plain("target_operation_id"),
  holdId: plain("hold_id"),
  createdAt: timestamp("created_at"),
};

/** The shapes by model, for the test that holds the SQL functions to them. */
export const ROW_SHAPES = { wallet: WALLET, creditBlock: CREDIT_BLOCK, ledgerEntry: LEDGER_ENTRY, operation: OPERATION } as const;

function fromJson<Row>(shape: RowShape<Row>, json: Json): Row {
  const row: Record<string, unknown> = {};
  for (const [field, column] of Object.entries<Column>(shape)) {
    const value = json[field];
    row[field] = value == null ? null : column.decode(value);
  }
  return row as Row;
}

function columns<Row>(shape: RowShape<Row>, alias: string, fields: readonly (keyof Row)[]): Prisma.Sql {
  return Prisma.raw(fields.map((field) => `${alias}.${shape[field].sql} AS "${String(field)}"`).join(", "));
}

export const walletFromJson = (json: Json): Wallet => fromJson(WALLET, json);
export const creditBlockFromJson = (json: Json): CreditBlock => fromJson(CREDIT_BLOCK, json);
export const ledgerEntryFromJson = (json: Json): LedgerEntry => fromJson(LEDGER_ENTRY, json);
export const operationFromJson = (json: Json): Operation => fromJson(OPERATION, json);

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
