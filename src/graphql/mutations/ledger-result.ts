// What every money mutation returns: the operation and everything it wrote.
import type { LedgerResult } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { CreditBlockRef } from "../types/credit-block.ts";
import { HoldRef } from "../types/hold.ts";
import { LedgerEntryRef, OperationRef } from "../types/ledger-entry.ts";
import { WalletRef } from "../types/wallet.ts";
import { rememberBalanceAfter } from "../wallet-balances.ts";

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** The payload fields of a money mutation: the operation and what it wrote. */
export function ledgerResultFields(t: PothosSchemaTypes.ObjectFieldBuilder<Types, LedgerResult>) {
  return {
    operation: t.field({ type: OperationRef, resolve: (result) => result.operation }),
    wallet: t.field({
      type: WalletRef,
      description: "The wallet after the operation.",
      resolve: (result, _args, ctx) => {
        rememberBalanceAfter(ctx, result);
        return result.wallet;
      },
    }),
    entries: t.field({ type: [LedgerEntryRef], description: "Entries written, in sequence order.", resolve: (result) => result.entries }),
    blocks: t.field({
      type: [CreditBlockRef],
      description: "Blocks opened or drawn on, in the order first touched.",
      resolve: (result) => result.blocks,
    }),
    hold: t.field({ type: HoldRef, nullable: true, resolve: (result) => result.hold }),
    replayed: t.exposeBoolean("replayed", {
      description: "True when an idempotency key matched an earlier identical request: nothing new was written.",
    }),
  };
}

export const IDEMPOTENCY_KEY_DESCRIPTION =
  "Makes the mutation safe to retry: a repeat with the same key and input returns the original result (replayed = true); the same key with other input is an IdempotencyConflictError.";
