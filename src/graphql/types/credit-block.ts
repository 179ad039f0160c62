import { builder } from "../builder.ts";
import { walletsInScope } from "../../ledger/index.ts";
import { CreditBlockStatusEnum } from "./enums.ts";
import { pageCap } from "./pagination.ts";

export const CreditBlockRef = builder.prismaNode("CreditBlock", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, wallet: walletsInScope(ctx.viewer) }),
  fields: (t) => ({
    wallet: t.relation("wallet"),
    amount: t.field({ type: "Money", description: "Credits the block was opened with.", resolve: (block) => block.amount }),
    remaining: t.field({
      type: "Money",
      description: "Credits left to spend (held credits excluded).",
      resolve: (block) => block.remaining,
    }),
    category: t.exposeString("category"),
    appliesTo: t.exposeStringList("appliesTo", { description: "Feature keys whose usage may spend the block; empty: any usage." }),
    priority: t.exposeInt("priority"),
    costBasis: t.string({
      nullable: true,
      description: "What one minor unit of credit cost, as an exact decimal.",
      resolve: (block) => block.costBasis?.toString() ?? null,
    }),
    effectiveAt: t.expose("effectiveAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    status: t.expose("status", { type: CreditBlockStatusEnum }),
    source: t.exposeString("source"),
    description: t.exposeString("description", { nullable: true }),
    metadata: t.expose("metadata", { type: "JSONObject" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    ledgerEntries: t.relatedConnection("ledgerEntries", {
      cursor: "id",
      totalCount: true,
      maxSize: pageCap,
      query: { orderBy: { sequence: "desc" } },
    }),
  }),
});
