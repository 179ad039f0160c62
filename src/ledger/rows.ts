// How each ledger row is read, written once per model: every field's column and how its value
// arrives. From that one shape come the columns a raw read selects (named and typed as the model's
// fields) and the typed decoding of the JSON that SQL functions return (`wallet_json()` and friends,
// prisma/sql/), whose amounts arrive as strings so that no bigint passes through a JS number. Each
// field's JSON form is checked as it is decoded: a function that answers outside it fails loudly
// instead of handing on a row with a wrong value in it. test/ledger/rows.test.ts holds the SQL
// functions' keys to these shapes; test/ledger/debit-answer.test.ts parses every answer of
// ledger_debit through them (src/ledger/debit-answer.ts).
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

/** What a field's reader answers for a value outside its form. */
const INVALID = Symbol("invalid");

/**
 * How one field's value arrives in JSON, and its decoding to the model's type (INVALID for a
 * value outside that form). Plain functions rather than a schema library's pipes: a debit's
 * answer alone decodes about a hundred fields, on the hot path.
 */
export interface Field<Value> {
  /** The form, as the error that names the field says it. */
  form: string;
  read(value: unknown): Value | typeof INVALID;
}

interface Column<Value> extends Field<Value> {
  /** The column, with the cast a raw read needs to get the model's type back. */
  sql: string;
}

type Fields<Row> = { readonly [Key in keyof Row]-?: Field<Row[Key]> };
type RowShape<Row> = { readonly [Key in keyof Row]-?: Column<Row[Key]> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** A timestamptz as PostgreSQL writes it in JSON: ISO 8601 with its offset. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d(:\d\d)?)$/;

const field = <Value>(form: string, read: (value: unknown) => Value | typeof INVALID): Field<Value> => ({ form, read });

export const UUID_TEXT = field("a UUID", (value) => (typeof value === "string" && UUID.test(value) ? value : INVALID));
export const TEXT = field("text", (value) => (typeof value === "string" ? value : INVALID));
/** An integer as text, as every bigint column arrives. */
export const BIGINT_TEXT = field("an integer as text", (value) =>
  typeof value === "string" && INTEGER.test(value) ? BigInt(value) : INVALID,
);
const TIMESTAMP_TEXT = field("an ISO 8601 time with its offset", (value) => {
  if (typeof value !== "string" || !TIMESTAMP.test(value)) return INVALID;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? INVALID : at;
});
const DECIMAL_TEXT = field("a decimal as text", (value) =>
  typeof value === "string" && DECIMAL.test(value) ? new Prisma.Decimal(value) : INVALID,
);
const INT = field("an integer", (value) => (Number.isSafeInteger(value) ? (value as number) : INVALID));
const BOOLEAN = field("a boolean", (value) => (typeof value === "boolean" ? value : INVALID));
/** A jsonb column: any JSON value, but present. */
const ANY_JSON = field("a JSON value", (value) => (value === undefined ? INVALID : (value as Prisma.JsonValue)));
/** A text[] column, as to_jsonb gives it: an array of strings. */
const TEXT_ARRAY = field("an array of text", (value) =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : INVALID,
);
const oneOf = <Value extends string>(values: Record<string, Value> | readonly Value[]) => {
  const allowed = new Set<unknown>(Object.values(values));
  return field(`one of ${[...allowed].join(", ")}`, (value) => (allowed.has(value) ? (value as Value) : INVALID));
};

const column = <Value>(sql: string, { form, read }: Field<Value>): Column<Value> => ({ sql, form, read });
const id = (sql: string) => column(sql, UUID_TEXT);
const text = (sql: string) => column(sql, TEXT);
const enumText = <Value extends string>(sql: string, values: Record<string, Value>) => column(`${sql}::text`, oneOf(values));
const bigint = (sql: string) => column(sql, BIGINT_TEXT);
const timestamp = (sql: string) => column(sql, TIMESTAMP_TEXT);
const decimal = (sql: string) => column(sql, DECIMAL_TEXT);
const int = (sql: string) => column(sql, INT);
const boolean = (sql: string) => column(sql, BOOLEAN);
const json = (sql: string) => column(sql, ANY_JSON);
const textArray = (sql: string) => column(sql, TEXT_ARRAY);
const orNull = <Value>({ sql, form, read }: Column<Value>): Column<Value | null> => ({
  sql,
  form: `${form} or null`,
  read: (value) => (value === null ? null : read(value)),
});

const WALLET: RowShape<Wallet> = {
  id: id("id"),
  tenantId: id("tenant_id"),
  livemode: boolean("livemode"),
  customerId: id("customer_id"),
  name: orNull(text("name")),
  currency: text("currency"),
  scale: int("scale"),
  status: enumText("status", WalletStatus),
  overdraftLimit: bigint("overdraft_limit"),
  overdraftUsed: bigint("overdraft_used"),
  defaultExpiryDays: orNull(int("default_expiry_days")),
  defaultAppliesTo: textArray("default_applies_to"),
  consumptionOrder: enumText("consumption_order", ConsumptionOrder),
  metadata: json("metadata"),
  balance: bigint("balance"),
  lastSequence: bigint("last_sequence"),
  lastEntryAt: orNull(timestamp("last_entry_at")),
  lastEventSequence: bigint("last_event_sequence"),
  balanceDepleted: boolean("balance_depleted"),
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
  priority: int("priority"),
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
  livemode: boolean("livemode"),
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

/** JSON outside the form its reader expects, naming where: the SQL and its TypeScript reader disagree. */
export class JsonFormError extends Error {
  override name = "JsonFormError";
}

/** A value as an error quotes it: short, and `nothing` for a missing one. */
function quoted(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Reads an object whose keys are `fields`, each decoded from its form; fails with a JsonFormError
 * naming the field (after `path`, e.g. "wallet.") otherwise. `exact`: keys beyond them fail too.
 */
export function objectReader<Row>(fields: Fields<Row>, options: { exact?: boolean } = {}): (json: unknown, path?: string) => Row {
  const entries = Object.entries<Field<unknown>>(fields);
  return (json, path = "") => {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new JsonFormError(`${path || "value: "}expected an object, got ${quoted(json)}`);
    }
    const given = json as Record<string, unknown>;
    const row: Record<string, unknown> = {};
    for (const [key, { form, read }] of entries) {
      const value = read(given[key]);
      if (value === INVALID) throw new JsonFormError(`${path}${key}: expected ${form}, got ${quoted(given[key])}`);
      row[key] = value;
    }
    if (options.exact) {
      const extra = Object.keys(given).find((key) => !(key in fields));
      if (extra !== undefined) throw new JsonFormError(`${path}${extra}: not a field here`);
    }
    return row as Row;
  };
}

/** Reads an array of what `read` reads, naming the item that fails ("entries[2].amount"). */
export function listReader<Item>(read: (json: unknown, path?: string) => Item): (json: unknown, path?: string) => Item[] {
  return (json, path = "") => {
    if (!Array.isArray(json)) throw new JsonFormError(`${path.replace(/\.$/, "") || "value"}: expected an array, got ${quoted(json)}`);
    return json.map((item, index) => read(item, `${path.replace(/\.$/, "")}[${index}].`));
  };
}

/** Reads one field's form outside an object (e.g. an answer's `available`), naming it. */
export function readField<Value>({ form, read }: Field<Value>, json: unknown, name: string): Value {
  const value = read(json);
  if (value === INVALID) throw new JsonFormError(`${name}: expected ${form}, got ${quoted(json)}`);
  return value;
}

function columns<Row>(shape: RowShape<Row>, alias: string, fields: readonly (keyof Row)[]): Prisma.Sql {
  return Prisma.raw(fields.map((field) => `${alias}.${shape[field].sql} AS "${String(field)}"`).join(", "));
}

/**
 * The JSON an SQL function gives for a row (`wallet_json()` and friends), decoded to the row Prisma
 * reads: every field present (null where the column is) and in its JSON form, or a JsonFormError
 * naming the field.
 */
export const walletFromJson = objectReader(WALLET);
export const creditBlockFromJson = objectReader(CREDIT_BLOCK);
export const ledgerEntryFromJson = objectReader(LEDGER_ENTRY);
export const operationFromJson = objectReader(OPERATION);

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
