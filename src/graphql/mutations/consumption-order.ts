// Choosing the rule a wallet's credits are spent by (preview it first with previewDebit(input: {consumptionOrder})).
import { setConsumptionOrder } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { COMMON_ERRORS } from "../errors.ts";
import { ConsumptionOrderEnum } from "../types/enums.ts";
import { WalletRef } from "../types/wallet.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION, ledgerResultFields } from "./ledger-result.ts";

builder.relayMutationField(
  "setConsumptionOrder",
  {
    description: "Chooses the rule the wallet's credits are spent by from now on; balances are untouched.",
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      consumptionOrder: t.field({ type: ConsumptionOrderEnum, required: true }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) =>
      setConsumptionOrder(ctx.ledger, {
        scope: ctx.viewer,
        walletId: input.walletId.id,
        consumptionOrder: input.consumptionOrder,
        idempotencyKey: input.idempotencyKey,
      }),
  },
  { outputFields: ledgerResultFields },
);
