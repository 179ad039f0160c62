// Wallet balances now, as one request sees them: batched across the wallets it asks about, and,
// after a money mutation, the balances that mutation committed (a debit has them from its own
// statement) instead of a read that could already show later movements, or miss this one.
import { createContextCache } from "@pothos/core";
import DataLoader from "dataloader";
import { walletBalances, type WalletBalance, NotFoundError, type LedgerResult } from "../ledger/index.ts";
import type { GraphQLContext } from "./context.ts";

/** The request's balances by wallet id; a wallet outside the viewer's scope is a NotFoundError. */
export const balancesNow = createContextCache(
  (ctx: GraphQLContext) =>
    new DataLoader<string, WalletBalance>(async (ids) => {
      const balances = new Map((await walletBalances(ctx.ledger, ctx.viewer, [...ids])).map((balance) => [balance.walletId, balance]));
      return ids.map((id) => balances.get(id) ?? new NotFoundError("Wallet", id));
    }),
);

/** After a mutation on the wallet: its balance is the one the mutation left, or read anew. */
export function rememberBalanceAfter(ctx: GraphQLContext, result: LedgerResult): void {
  const loader = balancesNow(ctx).clear(result.wallet.id);
  if (result.balance) loader.prime(result.wallet.id, result.balance);
}
