// Mutations that move credits: deposit, top-up, debit, void, refund, amendment, expiry change.
import { amendBlock, changeBlockExpiry, debit, deposit, refund, voidCredits } from "../../ledger/index.ts";
import { topUp } from "../../payments/top-up.ts";
import { builder } from "../builder.ts";
import { BLOCK_ERRORS, COMMON_ERRORS, PAYMENT_ERRORS, REFUND_ERRORS, SPEND_ERRORS } from "../errors.ts";
import { CreditBlockRef } from "../types/credit-block.ts";
import { OperationRef } from "../types/ledger-entry.ts";
import { WalletRef } from "../types/wallet.ts";
import { IDEMPOTENCY_KEY_DESCRIPTION, ledgerResultFields } from "./ledger-result.ts";

builder.relayMutationField(
  "deposit",
  {
    description: "Adds a block of credits; an overdraft is repaid first.",
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      amount: t.field({ type: "Money", required: true }),
      category: t.string({ description: "paid, granted (default) or any label." }),
      appliesTo: t.stringList({
        description: "Feature keys whose usage may spend these credits; empty: any usage. Default: the wallet's defaultAppliesTo.",
      }),
      priority: t.int({ description: "Lower is spent first; default 50." }),
      costBasis: t.string({ description: "What one minor unit of credit cost, as an exact decimal string." }),
      effectiveAt: t.field({ type: "DateTime" }),
      expiresAt: t.field({ type: "DateTime" }),
      description: t.string(),
      metadata: t.field({ type: "JSONObject" }),
      reference: t.string(),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: COMMON_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return deposit(ctx.ledger, { ...input, scope: ctx.viewer, walletId: input.walletId.id });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "topUp",
  {
    description: "Charges the payment method on file and credits a paid block once the payment succeeded.",
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      amount: t.field({ type: "Money", required: true }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: PAYMENT_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return topUp(ctx, { scope: ctx.viewer, walletId: input.walletId.id, amount: input.amount, idempotencyKey: input.idempotencyKey });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "debit",
  {
    description:
      "Spends credits in consumption order: blocks scoped to the feature, then priority, soonest expiry, given before paid, lowest cost basis, oldest.",
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      amount: t.field({ type: "Money", required: true }),
      categories: t.stringList({ description: "Spend only from these categories (no overdraft then)." }),
      feature: t.string({
        description:
          "The usage paid for: only blocks for any usage or that apply to this feature are spent. None: blocks for any usage only.",
      }),
      description: t.string(),
      metadata: t.field({ type: "JSONObject" }),
      reference: t.string({ description: "Your reference, e.g. an order id." }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: SPEND_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return debit(ctx.ledger, { ...input, scope: ctx.viewer, walletId: input.walletId.id });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "void",
  {
    description: "Takes credits back unspent: from one block (default: all it has left), or an amount in consumption order.",
    inputFields: (t) => ({
      walletId: t.globalID({ required: true, for: [WalletRef] }),
      blockId: t.globalID({ for: [CreditBlockRef] }),
      amount: t.field({ type: "Money" }),
      reason: t.string(),
      description: t.string(),
      metadata: t.field({ type: "JSONObject" }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: BLOCK_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return voidCredits(ctx.ledger, { ...input, scope: ctx.viewer, walletId: input.walletId.id, blockId: input.blockId?.id ?? null });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "refund",
  {
    description: "Reverses all or part of a debit or capture, crediting back the blocks it drew from.",
    inputFields: (t) => ({
      operationId: t.globalID({ required: true, for: [OperationRef] }),
      amount: t.field({ type: "Money", description: "Default: all not yet refunded." }),
      description: t.string(),
      metadata: t.field({ type: "JSONObject" }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: REFUND_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return refund(ctx.ledger, { ...input, scope: ctx.viewer, operationId: input.operationId.id });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "amendBlock",
  {
    description: "Corrects a block up (positive amount) or down (negative).",
    inputFields: (t) => ({
      blockId: t.globalID({ required: true, for: [CreditBlockRef] }),
      amount: t.field({ type: "Money", required: true }),
      description: t.string(),
      metadata: t.field({ type: "JSONObject" }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: BLOCK_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return amendBlock(ctx.ledger, { ...input, scope: ctx.viewer, blockId: input.blockId.id });
    },
  },
  { outputFields: ledgerResultFields },
);

builder.relayMutationField(
  "changeBlockExpiry",
  {
    description: "Moves a block's credits (all, or `amount`) to a new block expiring at `expiresAt` (null: never).",
    inputFields: (t) => ({
      blockId: t.globalID({ required: true, for: [CreditBlockRef] }),
      expiresAt: t.field({ type: "DateTime" }),
      amount: t.field({ type: "Money" }),
      description: t.string(),
      metadata: t.field({ type: "JSONObject" }),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    }),
  },
  {
    errors: { types: BLOCK_ERRORS },
    resolve: async (_root, { input }, ctx) => {
      return changeBlockExpiry(ctx.ledger, { ...input, expiresAt: input.expiresAt ?? null, scope: ctx.viewer, blockId: input.blockId.id });
    },
  },
  { outputFields: ledgerResultFields },
);
