// Rows as the Prisma model types: those SQL functions return as JSON (see the debit migration),
// whose amounts arrive as strings so that no bigint ever passes through a JS number, and the
// columns raw reads select as the models' fields.
import { Prisma, type CreditBlock, type LedgerEntry, type Operation, type Wallet } from "../db/generated/client.ts";

type Json = Record<string, unknown>;

const date = (value: unknown) => new Date(value as string);
const optionalDate = (value: unknown) => (value == null ? null : date(value));
const big = (value: unknown) => BigInt(value as string);
const text = (value: unknown) => (value == null ? null : (value as string));

export function walletFromJson(row: Json): Wallet {
  return {
    id: row.id as string,
    tenantId: row.tenantId as string,
    livemode: row.livemode as boolean,
    customerId: row.customerId as string,
    name: text(row.name),
    currency: row.currency as string,
    scale: row.scale as number,
    status: row.status as Wallet["status"],
    overdraftLimit: big(row.overdraftLimit),
    overdraftUsed: big(row.overdraftUsed),
    defaultExpiryDays: (row.defaultExpiryDays as number | null) ?? null,
    metadata: row.metadata as Prisma.JsonValue,
    balance: big(row.balance),
    lastSequence: big(row.lastSequence),
    lastEntryAt: optionalDate(row.lastEntryAt),
    lastEventSequence: big(row.lastEventSequence),
    balanceDepleted: row.balanceDepleted as boolean,
    createdAt: date(row.createdAt),
    updatedAt: date(row.updatedAt),
    terminatedAt: optionalDate(row.terminatedAt),
  };
}

export function creditBlockFromJson(row: Json): CreditBlock {
  return {
    id: row.id as string,
    walletId: row.walletId as string,
    operationId: row.operationId as string,
    amount: big(row.amount),
    remaining: big(row.remaining),
    used: big(row.used),
    frozen: big(row.frozen),
    category: row.category as string,
    priority: row.priority as number,
    costBasis: row.costBasis == null ? null : new Prisma.Decimal(row.costBasis as string),
    effectiveAt: date(row.effectiveAt),
    expiresAt: optionalDate(row.expiresAt),
    status: row.status as CreditBlock["status"],
    source: row.source as CreditBlock["source"],
    description: text(row.description),
    metadata: row.metadata as Prisma.JsonValue,
    createdAt: date(row.createdAt),
  };
}

export function ledgerEntryFromJson(row: Json): LedgerEntry {
  return {
    id: row.id as string,
    walletId: row.walletId as string,
    blockId: text(row.blockId),
    operationId: row.operationId as string,
    holdId: text(row.holdId),
    sequence: big(row.sequence),
    type: row.type as LedgerEntry["type"],
    amount: big(row.amount),
    startingBalance: big(row.startingBalance),
    endingBalance: big(row.endingBalance),
    remainingAfter: big(row.remainingAfter),
    usedAfter: big(row.usedAfter),
    frozenAfter: big(row.frozenAfter),
    status: row.status as LedgerEntry["status"],
    description: text(row.description),
    metadata: row.metadata as Prisma.JsonValue,
    reference: text(row.reference),
    createdAt: date(row.createdAt),
  };
}

export function operationFromJson(row: Json): Operation {
  return {
    id: row.id as string,
    tenantId: row.tenantId as string,
    livemode: row.livemode as boolean,
    walletId: row.walletId as string,
    type: row.type as Operation["type"],
    idempotencyKey: text(row.idempotencyKey),
    requestHash: row.requestHash as string,
    reference: text(row.reference),
    targetOperationId: text(row.targetOperationId),
    holdId: text(row.holdId),
    createdAt: date(row.createdAt),
  };
}

/**
 * Each ledger entry field's column on the alias `e`, as a raw read selects it to come back named
 * and typed as the model's field (bigint as bigint, timestamps as Dates).
 */
const LEDGER_ENTRY_COLUMN: Record<keyof LedgerEntry, string> = {
  id: "e.id",
  walletId: 'e.wallet_id AS "walletId"',
  blockId: 'e.block_id AS "blockId"',
  operationId: 'e.operation_id AS "operationId"',
  holdId: 'e.hold_id AS "holdId"',
  sequence: "e.sequence",
  type: "e.type::text AS type",
  amount: "e.amount",
  startingBalance: 'e.starting_balance AS "startingBalance"',
  endingBalance: 'e.ending_balance AS "endingBalance"',
  remainingAfter: 'e.remaining_after AS "remainingAfter"',
  usedAfter: 'e.used_after AS "usedAfter"',
  frozenAfter: 'e.frozen_after AS "frozenAfter"',
  status: "e.status::text AS status",
  description: "e.description",
  metadata: "e.metadata",
  reference: "e.reference",
  createdAt: 'e.created_at AS "createdAt"',
};

/** The columns of these ledger entry fields on the alias `e`, so that a raw read returns them as the model's. */
export function ledgerEntryColumns(fields: readonly (keyof LedgerEntry)[]): Prisma.Sql {
  return Prisma.raw(fields.map((field) => LEDGER_ENTRY_COLUMN[field]).join(", "));
}

/** Every ledger entry field. */
export const LEDGER_ENTRY_FIELDS = Object.keys(LEDGER_ENTRY_COLUMN) as (keyof LedgerEntry)[];

/** A credit block's columns on the alias `b`, named and typed as the model's fields (as above). */
export const CREDIT_BLOCK_COLUMNS = Prisma.raw(
  `b.id, b.wallet_id AS "walletId", b.operation_id AS "operationId", b.amount, b.remaining, b.used, b.frozen,
   b.category, b.priority, b.cost_basis AS "costBasis", b.effective_at AS "effectiveAt", b.expires_at AS "expiresAt",
   b.status::text AS status, b.source::text AS source, b.description, b.metadata, b.created_at AS "createdAt"`,
);
