import type { BalanceFigures, CategoryBalance, FeatureBalance, WalletBalance } from "../../ledger/index.ts";
import { builder } from "../builder.ts";

const BalanceFiguresRef = builder.interfaceRef<BalanceFigures>("BalanceFigures").implement({
  description: "available = total − used − frozen",
  fields: (t) => ({
    total: t.field({
      type: "Money",
      description: "Credits granted to active blocks, net of voids and amendments.",
      resolve: (b) => b.total,
    }),
    used: t.field({ type: "Money", description: "Credits spent, less refunds; overdraft included.", resolve: (b) => b.used }),
    frozen: t.field({ type: "Money", description: "Credits reserved by open holds.", resolve: (b) => b.frozen }),
    available: t.field({ type: "Money", description: "Credits that can be spent now.", resolve: (b) => b.available }),
  }),
});

export const CategoryBalanceRef = builder.objectRef<CategoryBalance>("CategoryBalance").implement({
  interfaces: [BalanceFiguresRef],
  fields: (t) => ({ category: t.exposeString("category") }),
});

export const FeatureBalanceRef = builder.objectRef<FeatureBalance>("FeatureBalance").implement({
  description: "What usage of one feature can spend: blocks scoped to it and blocks for any usage, less the wallet's overdraft.",
  interfaces: [BalanceFiguresRef],
  fields: (t) => ({ feature: t.exposeString("feature") }),
});

export const WalletBalanceRef = builder.objectRef<WalletBalance>("WalletBalance").implement({
  description: "A wallet's balances at an instant. Credits count only inside their block's effective window.",
  interfaces: [BalanceFiguresRef],
  fields: (t) => ({
    at: t.field({ type: "DateTime", resolve: (b) => b.at }),
    overdraftUsed: t.field({ type: "Money", resolve: (b) => b.overdraftUsed }),
    ledgerBalance: t.field({
      type: "Money",
      description: "Sum of every entry up to the instant, usable or not.",
      resolve: (b) => b.ledgerBalance,
    }),
    byCategory: t.field({ type: [CategoryBalanceRef], resolve: (b) => b.byCategory }),
  }),
});
