import { type LedgerEntry, walletsInScope } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { LedgerEntryStatusEnum, LedgerEntryTypeEnum, OperationTypeEnum } from "./enums.ts";

export const LedgerEntryRef = builder.prismaNode("LedgerEntry", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, wallet: walletsInScope(ctx.viewer) }),
  fields: (t) => ({
    sequence: t.field({
      type: "String",
      description: "Position in the wallet's ledger: 1, 2, 3… without gaps.",
      resolve: (entry) => entry.sequence.toString(),
    }),
    type: t.expose("type", { type: LedgerEntryTypeEnum }),
    amount: t.field({ type: "Money", resolve: (entry) => entry.amount }),
    startingBalance: t.field({ type: "Money", resolve: (entry) => entry.startingBalance }),
    endingBalance: t.field({ type: "Money", resolve: (entry) => entry.endingBalance }),
    status: t.expose("status", { type: LedgerEntryStatusEnum }),
    block: t.relation("block", { nullable: true, description: "Null for the overdraft account." }),
    operation: t.relation("operation"),
    hold: t.relation("hold", { nullable: true }),
    description: t.exposeString("description", { nullable: true }),
    metadata: t.expose("metadata", { type: "JSONObject" }),
    reference: t.exposeString("reference", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

/**
 * What each LedgerEntry field reads of the entry, for lists that read only what a query shows
 * (Wallet.ledgerEntries). A field missing here makes those lists read every column, and
 * test/graphql/entry-reads.test.ts fails.
 */
export const LEDGER_ENTRY_FIELD_READS: Readonly<Record<string, readonly (keyof LedgerEntry)[]>> = {
  __typename: [],
  id: ["id"],
  sequence: ["sequence"],
  type: ["type"],
  amount: ["amount"],
  startingBalance: ["startingBalance"],
  endingBalance: ["endingBalance"],
  status: ["status"],
  block: ["blockId"],
  operation: ["operationId"],
  hold: ["holdId"],
  description: ["description"],
  metadata: ["metadata"],
  reference: ["reference"],
  createdAt: ["createdAt"],
};

export const OperationRef = builder.prismaNode("Operation", {
  name: "LedgerOperation",
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, wallet: walletsInScope(ctx.viewer) }),
  description: "One ledger command as it was carried out; its entries share it.",
  fields: (t) => ({
    type: t.expose("type", { type: OperationTypeEnum }),
    reference: t.exposeString("reference", { nullable: true }),
    idempotencyKey: t.exposeString("idempotencyKey", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    wallet: t.relation("wallet"),
    ledgerEntries: t.relation("ledgerEntries", { query: { orderBy: { sequence: "asc" } } }),
  }),
});
