import { builder } from "../builder.ts";
import { walletsInScope } from "../../ledger/index.ts";
import { HoldStatusEnum } from "./enums.ts";

export const HoldRef = builder.prismaNode("Hold", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, wallet: walletsInScope(ctx.viewer) }),
  fields: (t) => ({
    wallet: t.relation("wallet"),
    amount: t.field({ type: "Money", resolve: (hold) => hold.amount }),
    captured: t.field({ type: "Money", resolve: (hold) => hold.captured }),
    status: t.expose("status", { type: HoldStatusEnum }),
    reference: t.exposeString("reference", { nullable: true }),
    description: t.exposeString("description", { nullable: true }),
    metadata: t.expose("metadata", { type: "JSONObject" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true }),
    ledgerEntries: t.relation("ledgerEntries", { query: { orderBy: { sequence: "asc" } } }),
  }),
});
