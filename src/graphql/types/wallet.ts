import { storableText, walletBalance, walletsInScope } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { balancesNow } from "../wallet-balances.ts";
import { WalletBalanceRef } from "./balance.ts";
import { CreditBlockStatusEnum, LedgerEntryTypeEnum, WalletStatusEnum } from "./enums.ts";
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
    metadata: t.expose("metadata", { type: "JSONObject" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    terminatedAt: t.expose("terminatedAt", { type: "DateTime", nullable: true }),
    balance: t.field({
      type: WalletBalanceRef,
      description: "Balances now; batched across wallets.",
      resolve: (wallet, _args, ctx) => balancesNow(ctx).load(wallet.id),
    }),
    balanceAt: t.field({
      type: WalletBalanceRef,
      description: "Balances as they stood at a past instant.",
      args: { instant: t.arg({ type: "DateTime", required: true }) },
      resolve: (wallet, { instant }, ctx) => walletBalance(ctx.ledger, ctx.viewer, wallet.id, instant),
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
