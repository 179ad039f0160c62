// previewDebit: what a debit would do, asked beforehand ("may this customer do X?"), writing nothing.
import {
  ForbiddenError,
  NotFoundError,
  previewDebit,
  ValidationError,
  WalletTerminatedError,
  type DebitPreview,
} from "../../ledger/index.ts";
import { builder } from "../builder.ts";
import { WalletBalanceRef } from "./balance.ts";
import { CreditBlockRef } from "./credit-block.ts";
import { ConsumptionOrderEnum } from "./enums.ts";
import { WalletRef } from "./wallet.ts";

const AllocationRef = builder.objectRef<DebitPreview["allocations"][number]>("DebitAllocation").implement({
  description: "Credits the debit would take from one block.",
  fields: (t) => ({
    block: t.field({ type: CreditBlockRef, resolve: (draw) => draw.block }),
    amount: t.field({ type: "Money", resolve: (draw) => draw.amount }),
  }),
});

const AutoTopUpPreviewRef = builder.objectRef<DebitPreview["autoTopUp"]>("AutoTopUpPreview").implement({
  fields: (t) => ({
    wouldTrigger: t.exposeBoolean("wouldTrigger", { description: "The wallet's auto top-up rule would start a top-up after the debit." }),
    amount: t.field({
      type: "Money",
      nullable: true,
      description: "The credits it would add (before pricing); null when it would not trigger.",
      resolve: (preview) => preview.amount,
    }),
  }),
});

const DebitPreviewRef = builder.objectRef<DebitPreview>("DebitPreview").implement({
  description:
    "What a debit would do, by the same consumption rules, if nothing else happened in between. Nothing is written or reserved: a debit made after may find other figures.",
  fields: (t) => ({
    allowed: t.exposeBoolean("allowed", { description: "The debit would succeed." }),
    shortfall: t.field({
      type: "Money",
      nullable: true,
      description: "What the eligible blocks and the overdraft could not cover; null when allowed.",
      resolve: (preview) => preview.shortfall,
    }),
    allocations: t.field({
      type: [AllocationRef],
      description: "The blocks it would draw on, in consumption order, and how much from each.",
      resolve: (preview) => preview.allocations,
    }),
    overdraft: t.field({ type: "Money", description: "What it would put on the overdraft.", resolve: (preview) => preview.overdraft }),
    balanceAfter: t.field({
      type: WalletBalanceRef,
      description: "The wallet's balances just after it (as they stand, when not allowed).",
      resolve: (preview) => preview.balanceAfter,
    }),
    expiresMeanwhile: t.field({
      type: [CreditBlockRef],
      description: "Blocks it could use now that expire before `at`.",
      resolve: (preview) => preview.expiresMeanwhile,
    }),
    autoTopUp: t.field({ type: AutoTopUpPreviewRef, resolve: (preview) => preview.autoTopUp }),
    at: t.field({ type: "DateTime", resolve: (preview) => preview.at }),
    feature: t.exposeString("feature", { nullable: true }),
    consumptionOrder: t.expose("consumptionOrder", { type: ConsumptionOrderEnum, description: "The rule the allocations follow." }),
  }),
});

const PreviewDebitInput = builder.inputType("PreviewDebitInput", {
  fields: (t) => ({
    walletId: t.globalID({ required: true, for: [WalletRef] }),
    amount: t.field({ type: "Money", required: true }),
    feature: t.string({ description: "As on debit: only blocks for any usage or that apply to this feature." }),
    categories: t.stringList({ description: "As on debit: only these categories (no overdraft then)." }),
    at: t.field({ type: "DateTime", description: "When the debit would be made: default now, never earlier." }),
    consumptionOrder: t.field({
      type: ConsumptionOrderEnum,
      description: "Preview under this rule instead of the wallet's own, e.g. before choosing it with updateWallet.",
    }),
  }),
});

builder.queryField("previewDebit", (t) =>
  t.field({
    type: DebitPreviewRef,
    description: "What a debit would do, without doing it: the blocks, the balances after, what expires meanwhile, an auto top-up.",
    args: { input: t.arg({ type: PreviewDebitInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, WalletTerminatedError] },
    resolve: (_root, { input }, ctx) => previewDebit(ctx.ledger, { ...input, scope: ctx.viewer, walletId: input.walletId.id }),
  }),
);
