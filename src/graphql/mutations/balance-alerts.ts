import { createBalanceAlert, deleteBalanceAlert, ForbiddenError, NotFoundError, ValidationError } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { BOUNDED_ERRORS } from "../errors.ts";
import { BalanceAlertRef } from "../types/balance-alert.ts";
import { WalletRef } from "../types/wallet.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION } from "./ledger-result.ts";

builder.relayMutationField(
  "createBalanceAlert",
  {
    description:
      "Sets an alert on a wallet's available credits (holds count): balance.below_threshold fires once per crossing. A wallet has at most BALANCE_ALERTS_PER_WALLET alerts (25 unless set); one more is LimitExceededError.",
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      threshold: t.field({
        type: "Money",
        required: true,
        description: "Fires when available credits are at or below this, in minor units.",
      }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: BOUNDED_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      const { alert } = await createBalanceAlert(ctx.ledger, { ...input, scope: ctx.viewer, walletId: input.walletId.id });
      return alert;
    },
  },
  { outputFields: (t) => ({ balanceAlert: t.field({ type: BalanceAlertRef, resolve: (alert) => alert }) }) },
);

builder.relayMutationField(
  "deleteBalanceAlert",
  {
    description: "Removes an alert; removing it again answers the removed alert.",
    inputFields: (t) => ({ id: t.globalID({ required: true, for: [BalanceAlertRef] }) }),
  },
  {
    errors: { types: [ValidationError, NotFoundError, ForbiddenError] },
    resolve: (_root, { input }, ctx) => deleteBalanceAlert(ctx.ledger, { scope: ctx.viewer, id: input.id.id }),
  },
  { outputFields: (t) => ({ balanceAlert: t.field({ type: BalanceAlertRef, resolve: (alert) => alert }) }) },
);
