// Rows that SQL functions return as JSON (see the debit migration), turned back into the
// Prisma model types. Amounts arrive as strings, so no bigint ever passes through a JS number.
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
