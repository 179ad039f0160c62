import { balanceForFeature, balancesByFeature, storableText, walletBalance, walletsInScope } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { balancesNow } from "../wallet-balances.ts";
import { FeatureBalanceRef, WalletBalanceRef } from "./balance.ts";
import { ConsumptionOrderEnum, CreditBlockStatusEnum, LedgerEntryTypeEnum, WalletStatusEnum } from "./enums.ts";
import { LedgerEntryRef } from "./ledger-entry.ts";
import { pageCap } from "./pagination.ts";
import { AutoTopUpRuleRef, TopUpRef } from "./top-up.ts";
import { walletEntries, walletEntriesTotalCount, type WalletEntriesConnection } from "./wallet-entries.ts";

export const WalletRef = builder.prismaNode("Wallet", {
  id: { field: "id" },
  findUnique: (id, ctx) => ({ id, ...walletsInScope(ctx.viewer) }),
  fields: (t) => ({
    customer: t.relation("customer"),
    name: t.exposeString("name", { nullable: true }),
    currency: t.exposeString("currency"),
    scale: t.exposeInt("scale", { description: "Digits after the decimal point of one major unit: 2 for USD." }),
    status: t.expose("status", { type: WalletStatusEnum }),
    overdraftLimit: t.field({ type: "Money", resolve: (wallet) => wallet.overdraftLimit }),
    defaultExpiryDays: t.exposeInt("defaultExpiryDays", { nullable: true }),
    consumptionOrder: t.expose("consumptionOrder", { type: ConsumptionOrderEnum, description: "The rule its credits are spent by." }),
    defaultAppliesTo: t.exposeStringList("defaultAppliesTo", {
      description: "Feature keys given to blocks deposited without their own appliesTo; empty: any usage.",
    }),
    metadata: t.expose("metadata", { type: "JSONObject" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    terminatedAt: t.expose("terminatedAt", { type: "DateTime", nullable: true }),
    balance: t.field({
      type: WalletBalanceRef,
      description:
        "Balances now; batched across wallets. With a feature, only the blocks that apply to it (scoped to it or for any usage) count.",
      args: { feature: t.arg.string() },
      resolve: async (wallet, { feature }, ctx) => {
        const balance = await balancesNow(ctx).load(wallet.id);
        return feature == null ? balance : balanceForFeature(balance, feature);
      },
    }),
    balanceAt: t.field({
      type: WalletBalanceRef,
      description: "Balances as they stood at a past instant; with a feature, as balance(feature:).",
      args: { instant: t.arg({ type: "DateTime", required: true }), feature: t.arg.string() },
      resolve: async (wallet, { instant, feature }, ctx) => {
        const balance = await walletBalance(ctx.ledger, ctx.viewer, wallet.id, instant);
        return feature == null ? balance : balanceForFeature(balance, feature);
      },
    }),
    balancesByFeature: t.field({
      type: [FeatureBalanceRef],
      description: "For each feature key the wallet's blocks name, the balances usage of that feature can spend, by key.",
      resolve: async (wallet, _args, ctx) => balancesByFeature(await balancesNow(ctx).load(wallet.id)),
    }),
    creditBlocks: t.relatedConnection("creditBlocks", {
      cursor: "id",
      totalCount: true,
      maxSize: pageCap,
      args: {
        status: t.arg({ type: CreditBlockStatusEnum }),
        category: t.arg.string(),
      },
      query: (args) => {
        return {
          where: {
            ...(args.status ? { status: args.status } : {}),
            ...(args.category ? { category: storableText(args.category, "category") } : {}),
          },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        };
      },
    }),
    ledgerEntries: t.connection(
      {
        type: LedgerEntryRef,
        description: "Newest first.",
        args: {
          types: t.arg({ type: [LedgerEntryTypeEnum] }),
          category: t.arg.string(),
          createdAfter: t.arg({ type: "DateTime" }),
          createdBefore: t.arg({ type: "DateTime" }),
        },
        resolve: (wallet, args, ctx, info) => walletEntries(wallet, args, ctx, info),
      },
      {
        name: "WalletLedgerEntriesConnection",
        fields: (t) => ({
          totalCount: t.int({
            resolve: (connection, _args, ctx) => walletEntriesTotalCount(connection as unknown as WalletEntriesConnection, ctx),
          }),
        }),
      },
      { name: "WalletLedgerEntriesConnectionEdge" },
    ),
    autoTopUp: t.relation("autoTopUpRule", { nullable: true, type: AutoTopUpRuleRef }),
    topUps: t.relatedConnection("topUps", {
      type: TopUpRef,
      cursor: "id",
      totalCount: true,
      maxSize: pageCap,
      description: "Paid top-ups, newest first.",
      query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    }),
    holds: t.relation("holds", {
      description: "Open holds, oldest first.",
      query: { where: { status: "open" }, orderBy: { createdAt: "asc" } },
    }),
  }),
});
