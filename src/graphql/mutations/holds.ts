import { holdCredits, captureHold, releaseHold } from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { HOLD_ERRORS, SPEND_ERRORS } from "../errors.ts";
import { HoldRef } from "../types/hold.ts";
import { WalletRef } from "../types/wallet.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION, ledgerResultFields } from "./ledger-result.ts";

builder.relayMutationField(
  "hold",
  {
    description: "Reserves credits for a later captureHold or releaseHold. Never overdraws.",
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      amount: t.field({ type: "Money", required: true }),
      categories: t.stringList(),
      feature: t.string({ description: "Reserve only from blocks for any usage or that apply to this feature." }),
      expiresAt: t.field({ type: "DateTime", description: "The hold releases itself then, unless resolved before." }),
      description: t.string(),
      metadata: t.field({ type: "JSONObject" }),
      reference: t.string(),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: SPEND_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return holdCredits(ctx.ledger, { ...input, scope: ctx.viewer, walletId: input.walletId.id });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "captureHold",
  {
    description: "Spends all or part of an open hold; the rest is released.",
    inputFields: (t) => ({
      holdId: t.globalID({ required: true, for: [HoldRef] }),
      amount: t.field({ type: "Money", description: "Default: the whole hold." }),
      description: t.string(),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: HOLD_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return captureHold(ctx.ledger, { ...input, scope: ctx.viewer, holdId: input.holdId.id });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "releaseHold",
  {
    description: "Returns every credit of an open hold.",
    inputFields: (t) => ({
      holdId: t.globalID({ required: true, for: [HoldRef] }),
      description: t.string(),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: HOLD_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return releaseHold(ctx.ledger, { ...input, scope: ctx.viewer, holdId: input.holdId.id });
    },
  },
  { outputFields: ledgerResultFields },
);
