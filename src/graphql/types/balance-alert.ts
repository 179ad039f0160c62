import { walletsInScope } from "../../ledger/access.ts";
import { listBalanceAlerts } from "../../ledger/balance-alerts.ts";
import { builder } from "../builder.ts";
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

builder.objectField(WalletRef, "balanceAlerts", (t) =>
  t.field({
    type: [BalanceAlertRef],
    description: "Alerts on the wallet's available credits, highest threshold first.",
    resolve: (wallet, _args, ctx) => listBalanceAlerts(ctx.ledger, ctx.viewer, wallet.id),
  }),
);
