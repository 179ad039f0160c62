import { storableText } from "../../ledger/input.ts";
import { createContextCache } from "@pothos/core";
import DataLoader from "dataloader";
import type { LedgerEntryType, Prisma, Wallet } from "../../db/generated/client.ts";
import { walletBalance } from "../../ledger/balances.ts";
import { ledgerEntryCount } from "../../ledger/queries.ts";
import { builder } from "../builder.ts";
import { walletsInScope } from "../../ledger/access.ts";
import type { GraphQLContext } from "../context.ts";
import { balancesNow } from "../wallet-balances.ts";
import { WalletBalanceRef } from "./balance.ts";
import { CreditBlockStatusEnum, LedgerEntryTypeEnum, WalletStatusEnum } from "./enums.ts";
import { pageCap } from "./pagination.ts";
import { AutoTopUpRuleRef, TopUpRef } from "./top-up.ts";

interface LedgerEntriesArgs {
  types?: LedgerEntryType[] | null;
  category?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** What `Wallet.ledgerEntries` lists and counts; null without filters. */
function ledgerEntriesFilter(args: LedgerEntriesArgs): Prisma.LedgerEntryWhereInput | null {
  if (!args.types?.length && !args.category && !args.createdAfter && !args.createdBefore) return null;
  return {
    ...(args.types?.length ? { type: { in: args.types } } : {}),
    ...(args.category ? { block: { category: storableText(args.category, "category") } } : {}),
    ...(args.createdAfter || args.createdBefore
      ? { createdAt: { ...(args.createdAfter ? { gte: args.createdAfter } : {}), ...(args.createdBefore ? { lt: args.createdBefore } : {}) } }
      : {}),
  };
}

interface EntryCountKey {
  walletId: string;
  filter: Prisma.LedgerEntryWhereInput;
}

const entryCountKey = (key: EntryCountKey) => `${key.walletId} ${JSON.stringify(key.filter)}`;

/**
 * Filtered entry counts of the wallets on a page, one query per distinct filter. The wallets
 * are parents the viewer was already allowed to see.
 */
const filteredEntryCounts = createContextCache(
  (ctx: GraphQLContext) =>
    new DataLoader<EntryCountKey, number, string>(
      async (keys) => {
        const byFilter = new Map<string, EntryCountKey[]>();
        for (const key of keys) {
          const filterKey = JSON.stringify(key.filter);
          const group = byFilter.get(filterKey) ?? [];
          group.push(key);
          byFilter.set(filterKey, group);
        }
        const counts = new Map<string, number>();
        await Promise.all(
          [...byFilter.values()].map(async (group) => {
            const { filter } = group[0]!;
            const rows = await ctx.ledger.prisma.ledgerEntry.groupBy({
              by: ["walletId"],
              where: { ...filter, walletId: { in: group.map((key) => key.walletId) } },
              _count: { _all: true },
            });
            for (const row of rows) counts.set(entryCountKey({ walletId: row.walletId, filter }), row._count._all);
          }),
        );
        return keys.map((key) => counts.get(entryCountKey(key)) ?? 0);
      },
      { cacheKeyFn: entryCountKey },
    ),
);

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
          where: { ...(args.status ? { status: args.status } : {}), ...(args.category ? { category: storableText(args.category, "category") } : {}) },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        };
      },
    }),
    ledgerEntries: t.relatedConnection(
      "ledgerEntries",
      {
        cursor: "id",
        maxSize: pageCap,
        description: "Newest first.",
        args: {
          types: t.arg({ type: [LedgerEntryTypeEnum] }),
          category: t.arg.string(),
          createdAfter: t.arg({ type: "DateTime" }),
          createdBefore: t.arg({ type: "DateTime" }),
        },
        query: (args) => ({ where: ledgerEntriesFilter(args) ?? {}, orderBy: { sequence: "desc" } }),
      },
      {
        fields: (t) => ({
          // Unfiltered, the wallet's sequence says how many entries it has: no count runs.
          totalCount: t.int({
            resolve: ({ parent, args }, _args, ctx) => {
              const wallet = parent as unknown as Wallet;
              const filter = ledgerEntriesFilter(args);
              return filter ? filteredEntryCounts(ctx).load({ walletId: wallet.id, filter }) : ledgerEntryCount(wallet);
            },
          }),
        }),
      },
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
