import { walletsInScope } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { pageCap } from "./pagination.ts";
import { WalletRef } from "./wallet.ts";

export const BalanceAlertRef = builder.prismaNode("BalanceAlert", {
  id: { field: "id" },
  description:
    "Tells balance.below_threshold once when a movement leaves the wallet's available credits at or below the threshold, and re-arms when a movement leaves them above it.",
  findUnique: (id, ctx) => ({ id, wallet: walletsInScope(ctx.viewer) }),
  fields: (t) => ({
    wallet: t.relation("wallet"),
    threshold: t.field({ type: "Money", resolve: (alert) => alert.threshold }),
    below: t.exposeBoolean("below", { description: "Fired and not re-armed yet: available credits are at or below the threshold." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    deletedAt: t.expose("deletedAt", { type: "DateTime", nullable: true }),
  }),
});

builder.prismaObjectField(WalletRef, "balanceAlerts", (t) =>
  t.relatedConnection("balanceAlerts", {
    type: BalanceAlertRef,
    cursor: "id",
    totalCount: true,
    maxSize: pageCap,
    description: "Alerts on the wallet's available credits that have not been removed, highest threshold first.",
    query: { where: { deletedAt: null }, orderBy: [{ threshold: "desc" }, { id: "asc" }] },
  }),
);
